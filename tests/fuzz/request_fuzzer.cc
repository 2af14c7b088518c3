// Fuzzes the services with arbitrary request bytes: the first input byte
// picks a method (every RPC of the API), the rest is split into up to three
// request messages (by a length byte before each; unary methods take the
// first) and sent as is through the real server over its in-process channel,
// on one real RocksDB store. After every call:
//   - the process did not crash (ASan/UBSan abort on any memory or UB error);
//   - a known method never answers UNIMPLEMENTED (today's gRPC answers that
//     to a request that does not parse unless the service checks it);
//   - a call that did not succeed left the store revision unchanged (a
//     refusal writes nothing; the inputs are far below an import batch, so
//     a broken import stream keeps nothing either).
// The seed corpus holds valid requests of each method, so mutations also
// reach the validation behind the parser.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "server/server.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/server/raw_call.h"

namespace partnergraph::fuzzing {
namespace {

using server_testing::kApiMethods;
constexpr size_t kMethodCount = sizeof(kApiMethods) / sizeof(kApiMethods[0]);

struct Fixture {
  Fixture() : store(Options()) {
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.health_listen.clear();
    options.metrics_listen.clear();
    server = std::make_unique<server::Server>(options, store.get());
    auto port = server->Start();
    if (!port.ok()) Fail(absl::StrCat("start: ", port.status().ToString()));
    channel = server->InProcessChannel();
  }

  static storage::StoreOptions Options() {
    storage::StoreOptions options;
    options.sync = false;
    return options;
  }

  TempStore store;
  std::unique_ptr<server::Server> server;
  std::shared_ptr<grpc::Channel> channel;
};

Fixture& Shared() {
  // Lives for the whole process: the fuzzer exits without tearing down.
  static Fixture* fixture = new Fixture();
  return *fixture;
}

}  // namespace
}  // namespace partnergraph::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace partnergraph::fuzzing;
  if (size < 1) return 0;
  Fixture& f = Shared();
  const std::string method = kApiMethods[data[0] % kMethodCount];
  std::vector<std::string> messages;
  size_t pos = 1;
  while (pos < size && messages.size() < 3) {
    const size_t length = data[pos++];
    const size_t take = std::min(length, size - pos);
    messages.emplace_back(reinterpret_cast<const char*>(data + pos), take);
    pos += take;
  }
  if (messages.empty()) messages.emplace_back();
  const bool unary = method.find("/ImportRecords") == std::string::npos;
  if (unary) messages.resize(1);
  // A Watch that parses stays open: it is read once with a short deadline.
  const bool watch = method.find("/Watch") != std::string::npos;
  const int64_t before = f.store->Revision();
  const partnergraph::server_testing::RawResult result =
      partnergraph::server_testing::RawCall(
          f.channel, method, messages,
          std::chrono::milliseconds(watch ? 50 : 30000), watch ? 1 : 1000);
  if (result.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    Fail(absl::StrCat(
        method, " answered UNIMPLEMENTED: ", result.status.error_message()));
  }
  if (!result.status.ok() && f.store->Revision() != before) {
    Fail(absl::StrCat(method, " refused (", result.status.error_code(), ": ",
                      result.status.error_message(),
                      ") yet the revision moved ", before, " -> ",
                      f.store->Revision()));
  }
  return 0;
}
