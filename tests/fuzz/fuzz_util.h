#ifndef PARTNERGRAPH_TESTS_FUZZ_FUZZ_UTIL_H_
#define PARTNERGRAPH_TESTS_FUZZ_FUZZ_UTIL_H_

// Shared pieces of the fuzz targets: a real RocksDB store in a fresh
// temporary directory, and a failure that aborts with a message (libFuzzer
// reports the abort and keeps the input).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/graph_store.h"
#include "storage/rocksdb_engine.h"

namespace partnergraph::fuzzing {

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::abort();
}

// A store in a directory under $TMPDIR (or /tmp), removed on destruction.
class TempStore {
 public:
  explicit TempStore(const storage::StoreOptions& options) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = absl::StrCat(
        tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/pg-fuzz-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp failed");
    dir_ = pattern;
    auto store = storage::OpenRocksDbStore(dir_ + "/db", options);
    if (!store.ok())
      Fail(absl::StrCat("open store: ", store.status().ToString()));
    store_ = *std::move(store);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
  ~TempStore() {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  storage::GraphStore* get() const { return store_.get(); }
  storage::GraphStore* operator->() const { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<storage::GraphStore> store_;
};

}  // namespace partnergraph::fuzzing

#endif  // PARTNERGRAPH_TESTS_FUZZ_FUZZ_UTIL_H_
