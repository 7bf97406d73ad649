# metrics-manager — the two set-up commands for a fresh Debian 12 machine are `make run` and
# `make test`; both install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:8750
CMAKE_ARGS ?=

# ccache: rewrite paths below the checkout so clones in other folders (CI) hit the same cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build run test test-asan test-fuzz soak bench clean

all: build

deps:
	@scripts/install_deps.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/metrics-manager run --config config --listen $(LISTEN)

# The whole suite: unit + integration tests on the release build, then the unit tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600
	$(MAKE) test-asan
	$(MAKE) test-fuzz

# Parsers under libFuzzer + ASan/UBSan (clang): replay the committed corpora (crash inputs kept
# there are regression tests), then fuzz each target for FUZZ_SECONDS.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_TARGETS  = line_protocol gzip chunk wal
test-fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMM_BUILD_FUZZ=ON \
	  -DMM_BUILD_TESTS=OFF -DMM_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER=clang++ $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t: corpus replay + $(FUZZ_SECONDS)s"; \
	  $(FUZZ_BUILD)/tests/fuzz/$${t}_fuzz -runs=0 tests/fuzz/corpus/$$t || exit 1; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  $(FUZZ_BUILD)/tests/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t > $(FUZZ_BUILD)/$$t.log 2>&1 \
	    || { tail -n 60 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
	  tail -n 1 $(FUZZ_BUILD)/$$t.log; \
	done

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMM_BUILD_BENCH=OFF \
	  -DMM_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS="-O1" $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE slow

# The crash test for longer: SOAK_ROUNDS kill -9 / restart rounds of the durable store.
SOAK_ROUNDS ?= 300
soak: build
	python3 tests/integration/crash_test.py $(BUILD)/metrics-manager --rounds $(SOAK_ROUNDS) \
	  --max-kill-delay 3

bench:
	@scripts/install_deps.sh bench
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMM_BUILD_BENCH=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
	bench/run_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
