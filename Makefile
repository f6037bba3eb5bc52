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

# The shipped executable built optimised with warnings as errors (what `make demo` and the
# package build), then every test, the preset sweep included, built and run under
# AddressSanitizer and UndefinedBehaviorSanitizer. One build of the test programs, not two: x264
# and libav are Debian's uninstrumented libraries, so the encodes run at full speed under the
# sanitizers, and only our own code pays for them (docs/benchmarks.md, "CI wall time").
test: build-daemon test-sanitizers

# Every test in the optimised tree (for a developer who wants release-mode numbers; not in CI).
test-release: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitizers: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_ARGS) -DMW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) var
