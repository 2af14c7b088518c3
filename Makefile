# The two commands of the README: `make run` and `make test`. Both install
# missing Debian packages first, then build.
BUILD_DIR ?= build
JOBS ?= 2
DATA_DIR ?= .data
LISTEN ?= 127.0.0.1:50051

.PHONY: all deps configure build test run bench format clean

all: build

deps:
	@bash deploy/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

run: build
	@$(BUILD_DIR)/server/partnergraphd --listen=$(LISTEN) --data_dir=$(DATA_DIR) --load_demo

bench: build
	@bash client/bench/run_bench.sh $(BUILD_DIR)

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	@rm -rf $(BUILD_DIR)
