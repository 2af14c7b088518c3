// Crash safety of bulk imports large enough to be ingested as SST files
// (storage::StoreOptions::ingest_min_records): the real binary (sync on)
// takes an acknowledged import, then a stream of two full store batches and
// a tail, and is killed with SIGKILL at a random moment of that stream. The
// data directory is then opened in-process and checked:
//   - every acknowledged import is there in full;
//   - of the killed stream, exactly a prefix made of whole store batches is
//     there (0, 1 or 2 batches, or the whole stream when it had ended), with
//     one revision and one change-log entry per batch;
//   - no half-written SST file is left behind;
//   - GraphStore::CheckConsistency (records, indexes and the graph index
//     against a rebuild) finds no problem.
// Then the daemon is restarted on the same directory for the next round.
//
// Knobs (environment):
//   PARTNERGRAPH_IMPORT_CRASH_ROUNDS  rounds (default 2)
//   PARTNERGRAPH_IMPORT_CRASH_SEED    random seed (default: from the clock;
//                                     printed so a failure can be replayed)

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "server/admin_service.h"
#include "storage/graph_store.h"
#include "storage/rocksdb_engine.h"
#include "tests/server/daemon_process.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

namespace st = ::partnergraph::storage;

constexpr int kCompanies = 1000;
// With the companies, one store batch at the stream's end that is ingested.
constexpr int kAckedPartnerships = 11000;
// Two full store batches and a tail.
constexpr int kKilledRecords = 2 * server::kImportBatchRecords + 10000;

// Record `k` of stream `s`: companies s-c0.. first, then partnerships
// s-p0.. between two of them, no two with the same pair.
v1::Record StreamRecord(const std::string& s, int k) {
  v1::Record r;
  if (k < kCompanies) {
    v1::Company* c = r.mutable_company();
    c->set_name(absl::StrCat("companies/", s, "-c", k));
    c->set_display_name(absl::StrCat(s, " company ", k));
    return r;
  }
  const int i = k - kCompanies;
  const int a = i % kCompanies;
  const int b = (a + 1 + i / kCompanies) % kCompanies;
  *r.mutable_partnership() = SimplePartnership(
      absl::StrCat(s, "-c", a), absl::StrCat(s, "-c", b), "2024-05-01");
  r.mutable_partnership()->set_name(absl::StrCat("partnerships/", s, "-p", i));
  return r;
}

// Streams records 0..total-1 of `s` in messages of the most records the
// server takes. Ends early when the server goes away.
grpc::Status Import(v1::AdminService::Stub* stub, const std::string& s,
                    int total) {
  grpc::ClientContext context;
  v1::ImportRecordsResponse response;
  auto writer = stub->ImportRecords(&context, &response);
  v1::ImportRecordsRequest request;
  for (int k = 0; k < total; k += server::kMaxImportMessageRecords) {
    request.Clear();
    for (int j = k; j < std::min(total, k + server::kMaxImportMessageRecords);
         ++j) {
      *request.add_records() = StreamRecord(s, j);
    }
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

// Records of stream `s` present in the store: companies and partnerships,
// and whether each kind is a prefix of its stream order.
struct Present {
  int companies = 0;
  int partnerships = 0;
  bool prefix = true;
};

absl::Status ReadPresent(st::GraphStore* store,
                         std::map<std::string, Present>* out) {
  auto cursor = store->OpenExport();
  if (!cursor.ok()) return cursor.status();
  std::vector<st::CompanyRecord> companies;
  std::vector<st::PartnershipRecord> partnerships;
  while (true) {
    auto more = (*cursor)->Next(10000, &companies, &partnerships);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  // "{stream}-{c|p}{n}"
  std::map<std::string, std::vector<int>> c_seen, p_seen;
  auto split = [](const std::string& id, std::string* stream, int* n) {
    const size_t dash = id.rfind('-');
    return dash != std::string::npos && dash + 1 < id.size() &&
           (*stream = id.substr(0, dash), true) &&
           absl::SimpleAtoi(id.substr(dash + 2), n);
  };
  std::string stream;
  int n = 0;
  for (const auto& c : companies) {
    if (split(c.id(), &stream, &n)) c_seen[stream].push_back(n);
  }
  for (const auto& p : partnerships) {
    if (split(p.id(), &stream, &n)) p_seen[stream].push_back(n);
  }
  for (auto& [s, seen] : c_seen) {
    (*out)[s].companies = static_cast<int>(seen.size());
    (*out)[s].prefix &= *std::max_element(seen.begin(), seen.end()) <
                        static_cast<int>(seen.size());
  }
  for (auto& [s, seen] : p_seen) {
    (*out)[s].partnerships = static_cast<int>(seen.size());
    (*out)[s].prefix &= *std::max_element(seen.begin(), seen.end()) <
                        static_cast<int>(seen.size());
  }
  return absl::OkStatus();
}

TEST(ImportCrashTest, SigkillDuringIngestedImportsKeepsWholeBatchesOnly) {
  const int rounds = EnvInt("PARTNERGRAPH_IMPORT_CRASH_ROUNDS", 2);
  const uint64_t seed = EnvSeed("PARTNERGRAPH_IMPORT_CRASH_SEED");
  std::printf("import crash test: %d rounds, seed %llu\n", rounds,
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);

  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  std::vector<std::string> acked;
  int64_t revision = 0;
  int batches_cut = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round, " (seed ", seed, ")"));
    const std::string acked_stream = absl::StrCat("a", round);
    const std::string killed_stream = absl::StrCat("k", round);
    {
      DaemonProcess daemon(
          PARTNERGRAPHD_PATH,
          {"--plaintext", "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
           "--sync", "--log_level=warning"});
      ASSERT_TRUE(daemon.ok());
      const int port = daemon.WaitForPort();
      ASSERT_GT(port, 0) << daemon.output();
      auto stub = v1::AdminService::NewStub(
          grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                              grpc::InsecureChannelCredentials()));

      const auto start = std::chrono::steady_clock::now();
      ASSERT_GRPC_OK(
          Import(stub.get(), acked_stream, kCompanies + kAckedPartnerships));
      acked.push_back(acked_stream);
      // Kill somewhere in the killed stream's expected duration, or a
      // little after it.
      const double acked_ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - start)
                                  .count();
      const double expected_ms =
          acked_ms * kKilledRecords / (kCompanies + kAckedPartnerships);
      const int kill_ms = static_cast<int>(
          std::uniform_real_distribution<double>(0.1, 1.1)(rng) * expected_ms);
      std::thread importer(
          [&] { Import(stub.get(), killed_stream, kKilledRecords); });
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_ms));
      const bool killed = daemon.Kill();
      importer.join();
      EXPECT_TRUE(killed) << "daemon ended before the kill\n"
                          << daemon.output();
    }

    st::StoreOptions options;
    auto store = st::OpenRocksDbStore(data_dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
      EXPECT_FALSE(
          absl::StartsWith(entry.path().filename().string(), "ingest-"))
          << entry.path();
    }
    std::map<std::string, Present> present;
    const absl::Status read = ReadPresent(store->get(), &present);
    ASSERT_TRUE(read.ok()) << read;
    for (const std::string& s : acked) {
      EXPECT_EQ(present[s].companies, kCompanies) << s;
      EXPECT_EQ(present[s].partnerships, kAckedPartnerships) << s;
      EXPECT_TRUE(present[s].prefix) << s;
    }
    // The killed stream: whole store batches, in stream order.
    const Present& killed = present[killed_stream];
    const int records = killed.companies + killed.partnerships;
    EXPECT_TRUE(killed.prefix);
    EXPECT_THAT(records, ::testing::AnyOf(0, server::kImportBatchRecords,
                                          2 * server::kImportBatchRecords,
                                          kKilledRecords));
    if (records > 0) EXPECT_EQ(killed.companies, kCompanies);
    const int batches =
        records == kKilledRecords ? 3 : records / server::kImportBatchRecords;
    if (records > 0 && records < kKilledRecords) ++batches_cut;
    // One revision for the acknowledged import, one per batch kept.
    EXPECT_EQ((*store)->Revision(), revision + 1 + batches);
    auto page = (*store)->ReadChanges(revision + 1, 10);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->batches.size(), static_cast<size_t>(1 + batches));
    EXPECT_EQ(page->batches[0].events_size(), kCompanies + kAckedPartnerships);
    for (int b = 1; b <= batches; ++b) {
      EXPECT_EQ(page->batches[b].events_size(),
                b <= 2 ? server::kImportBatchRecords
                       : kKilledRecords - 2 * server::kImportBatchRecords);
    }
    auto report = (*store)->CheckConsistency();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
    revision = (*store)->Revision();
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("import crash test: %d rounds, %d cut between batches\n", rounds,
              batches_cut);
}

}  // namespace
}  // namespace partnergraph::server_testing
