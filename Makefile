# The README's two set-up commands: `make demo` and `make test`. Both install what is missing
# (scripts/install-deps.sh, Debian packages) and build first.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: deps build build-daemon demo test test-release test-sanitizers clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Only the executable (what the demo needs; the test programs take most of a full build).
build-daemon: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target mediaworker

# The main job: the daemon on an embedded SQLite store (var/demo), the sample clip uploaded, the
# AMS v2 Job page's "Create a Job" request ("H.264 HD 720p VBR"), waited for, its output listed.
demo: build-daemon
	@MW=$(BUILD)/mediaworker bash scripts/demo.sh

# Every test, then every test again under AddressSanitizer and UndefinedBehaviorSanitizer, except
# the preset sweep (label `sweep`: every system preset encoded; minutes of x264 that run no code
# the engine tests do not run under the sanitizers too).
test: test-release test-sanitizers

test-release: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitizers: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_ARGS) -DMW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE sweep

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) var
