# The README's two set-up commands: `make demo` and `make test`. Both install what is missing
# (scripts/install-deps.sh, Debian packages) and build first.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 30
FUZZ_TARGETS = fuzz_multipart fuzz_atom
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: deps build-deps build build-daemon demo test test-release test-sanitizers fuzz package test-package clean

# deps: the Debian packages and the playback tests' players (npm); build-deps: the packages only
# (what building the executable, the demo and the package need: no npm registry).
deps:
	@bash scripts/install-deps.sh

build-deps:
	@bash scripts/install-deps.sh --no-players

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Only the executable (what the demo needs; the test programs take most of a full build).
build-daemon: build-deps
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
# sanitizers, and only our own code pays for them (docs/benchmarks.md, "CI wall time"). Then the
# libFuzzer targets, each for FUZZ_TIME seconds, and the .deb installed on a clean Debian 12 chroot
# (test-package, about 1 min).
test: build-daemon test-sanitizers fuzz test-package

# Every test in the optimised tree (for a developer who wants release-mode numbers; not in CI).
test-release: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitizers: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_ARGS) -DMW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan-suppressions.txt \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The libFuzzer targets of the parsers of untrusted bytes (fuzz/CMakeLists.txt), built by clang
# apart from the GCC tree, then run side by side for FUZZ_TIME seconds each from their seed
# corpora (fuzz/corpus/<target>; what they find goes to $(FUZZ_BUILD)/corpus/<target>). Any crash,
# sanitizer report, hang (-timeout) or failed check fails the target: its log is printed and the
# input that did it is left as $(FUZZ_BUILD)/<target>-crash-*.
fuzz: deps
	@CC=clang CXX=clang++ cmake -S fuzz -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@pids=; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1 & pids="$$pids $$!:$$t"; \
	done; rc=0; for p in $$pids; do \
	  if wait $${p%%:*}; then echo "fuzz: $${p#*:} ok ($$(grep -o 'Done [0-9]* runs' $(FUZZ_BUILD)/$${p#*:}.log))"; \
	  else echo "fuzz: $${p#*:} FAILED:"; tail -50 $(FUZZ_BUILD)/$${p#*:}.log; rc=1; fi; \
	done; exit $$rc

# The Debian package of the optimised tree (packaging/cpack.cmake): only the mediaworker target is
# built (cpack does not build the test programs), then CPack's DEB generator writes
# $(BUILD)/packages/mediaworker_<version>_<arch>.deb, whose path is printed last.
package: build-daemon
	@cd $(BUILD) && cpack -G DEB >packages.log 2>&1 || { cat packages.log; exit 1; }
	@sed -n 's/^CPack: - package: \(.*\) generated\.$$/\1/p' $(BUILD)/packages.log

# The package installed on a clean Debian 12 chroot and checked (scripts/test-deb.sh; as root,
# from deb.debian.org; about 1-1.5 min cold, 20 s with its cache in build/deb-test;
# docs/operations.md).
test-package: package
	@bash scripts/test-deb.sh "$$(sed -n 's/^CPack: - package: \(.*\) generated\.$$/\1/p' $(BUILD)/packages.log)"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) var
