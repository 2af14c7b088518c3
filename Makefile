# The two commands of the README: `make run` and `make test`. Both install
# missing Debian packages first, then build.
BUILD_DIR ?= build
JOBS ?= 2
DATA_DIR ?= .data
BACKUP_DIR ?= .backups
LISTEN ?= 127.0.0.1:50051

.PHONY: all deps configure build test test-release test-asan test-fuzz run run-cluster bench bench-graph bench-import bench-cluster format clean

all: build

deps:
	@bash deploy/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# `make test` = the suite in the release build, the same suite under ASan +
# UBSan, then each libFuzzer target briefly over its corpus.
test: test-release test-asan test-fuzz

test-release: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

ASAN_BUILD_DIR ?= build-asan
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 20
# LeakSanitizer suppressions cover third-party globals only (see the file).
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DPARTNERGRAPH_SANITIZE=ON >/dev/null
	@$(SANITIZER_ENV) cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	@$(SANITIZER_ENV) ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j $(JOBS)

test-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja \
	  -DCMAKE_BUILD_TYPE=Release -DPARTNERGRAPH_FUZZ=ON \
	  -DPARTNERGRAPH_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS)
	@$(SANITIZER_ENV) ctest --test-dir $(FUZZ_BUILD_DIR) --output-on-failure -j $(JOBS)

run: build
	@$(BUILD_DIR)/server/partnergraphd --listen=$(LISTEN) --plaintext --data_dir=$(DATA_DIR) --backup_dir=$(BACKUP_DIR) --load_demo

# The same API on etcd: three etcd members and two replicas on loopback
# (see README, "Running on etcd").
CLUSTER_DIR ?= .data-cluster
run-cluster: build
	@bash deploy/run-cluster.sh $(BUILD_DIR) $(CLUSTER_DIR)

bench: build
	@bash client/bench/run_bench.sh $(BUILD_DIR)

# partnergraph vs PostgreSQL 15 graph queries (not part of `make test`);
# GRAPH_BENCH_ARGS scales it, e.g. "--companies=10000 --partnerships=100000".
bench-graph:
	@bash deploy/install-deps.sh bench
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target partnergraphd partnergraph_graph_bench partnergraph_index_bench
	@bash client/bench/run_graph_bench.sh $(BUILD_DIR) $(GRAPH_BENCH_ARGS)

# ImportRecords vs raw RocksDB WriteBatches, and Watch latency with 100
# watchers at 1000 writes/s (not part of `make test`); IMPORT_BENCH_ARGS
# scales it, e.g. "--companies=10000 --partnerships=100000".
bench-import: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target partnergraphd partnergraph_import_bench
	@$(BUILD_DIR)/client/bench/partnergraph_import_bench --partnergraphd=$(BUILD_DIR)/server/partnergraphd --work_dir=$(BUILD_DIR)/import-bench $(IMPORT_BENCH_ARGS)

# partnergraphd on etcd against etcd alone, on a fresh three-member cluster
# on loopback with two replicas: write throughput at 1, 16 and 64 clients
# and GetCompany QPS on one and two replicas (not part of `make test`);
# CLUSTER_BENCH_ARGS passes flags, e.g. "--seconds=5 --write_clients=1,16".
bench-cluster:
	@bash deploy/install-deps.sh
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target partnergraphd partnergraph_cluster_bench
	@bash client/bench/run_cluster_bench.sh $(BUILD_DIR) $(CLUSTER_BENCH_ARGS)

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	@rm -rf $(BUILD_DIR)
