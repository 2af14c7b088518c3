// AdminService against a real server on a loopback port over a real RocksDB
// store: import with per-record errors and all-or-nothing, export ->
// import -> export round trip, backup under concurrent writes restored by the
// real partnergraphd --restore_from, and statistics.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "tests/server/daemon_process.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;

v1::Record CompanyRecordOf(v1::Company c, const std::string& id) {
  c.set_name(absl::StrCat("companies/", id));
  v1::Record r;
  *r.mutable_company() = std::move(c);
  return r;
}

v1::Record PartnershipRecordOf(v1::Partnership p, const std::string& id) {
  p.set_name(absl::StrCat("partnerships/", id));
  v1::Record r;
  *r.mutable_partnership() = std::move(p);
  return r;
}

std::string Deterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  return out;
}

class AdminTest : public ServerTest {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.backup_dir = dir_.path() + "/backups";
    StartServer(options);
    admin_ = v1::AdminService::NewStub(channel_);
  }

  // Sends `messages` (each a list of records) as one import.
  grpc::Status Import(const std::vector<std::vector<v1::Record>>& messages,
                      bool all_or_nothing, v1::ImportRecordsResponse* response,
                      v1::AdminService::Stub* stub = nullptr) {
    grpc::ClientContext context;
    SetDeadline(&context);
    auto writer = (stub != nullptr ? stub : admin_.get())
                      ->ImportRecords(&context, response);
    bool first = true;
    for (const auto& records : messages) {
      v1::ImportRecordsRequest request;
      request.set_all_or_nothing(first && all_or_nothing);
      first = false;
      for (const auto& r : records) *request.add_records() = r;
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Every exported record, serialized deterministically, and the revision.
  std::vector<std::string> Export(v1::AdminService::Stub* stub, int batch_size,
                                  int64_t* revision = nullptr) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ExportRecordsRequest request;
    request.set_batch_size(batch_size);
    auto reader = stub->ExportRecords(&context, request);
    std::vector<std::string> out;
    v1::ExportRecordsResponse response;
    while (reader->Read(&response)) {
      if (revision != nullptr) *revision = response.revision();
      for (const auto& r : response.records()) out.push_back(Deterministic(r));
    }
    const grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << ToString(status);
    return out;
  }

  v1::GetStatsResponse Stats(v1::AdminService::Stub* stub) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetStatsResponse response;
    const grpc::Status status =
        stub->GetStats(&context, v1::GetStatsRequest(), &response);
    EXPECT_TRUE(status.ok()) << ToString(status);
    return response;
  }

  std::unique_ptr<v1::AdminService::Stub> admin_;
};

// A partnership first, its companies after it; one bad company, one
// partnership naming a company nobody imports, one empty record.
std::vector<std::vector<v1::Record>> MixedImport() {
  v1::Company bad = SimpleCompany("Bad");
  bad.add_tickers("mu");
  return {
      {PartnershipRecordOf(SimplePartnership("a", "b", "2025-03-04"), "ab")},
      {CompanyRecordOf(SimpleCompany("A"), "a"), CompanyRecordOf(bad, "bad")},
      {PartnershipRecordOf(SimplePartnership("a", "zz", "2025-03-04"), "az"),
       v1::Record(), CompanyRecordOf(SimpleCompany("B"), "b")},
  };
}

TEST_F(AdminTest, ImportKeepsGoodRecordsAndReportsBadOnesByPosition) {
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(Import(MixedImport(), false, &response).ok());
  EXPECT_EQ(response.companies_written(), 2);
  EXPECT_EQ(response.partnerships_written(), 1);
  ASSERT_EQ(response.errors_size(), 3) << response.DebugString();
  EXPECT_EQ(response.errors(0).index(), 2);
  EXPECT_EQ(response.errors(0).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(response.errors(0).message(), HasSubstr("company.tickers[0]"));
  EXPECT_EQ(response.errors(1).index(), 3);
  EXPECT_EQ(response.errors(1).code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(response.errors(1).message(),
              HasSubstr("companies/zz does not exist"));
  EXPECT_EQ(response.errors(2).index(), 4);
  EXPECT_EQ(response.errors(2).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.more_errors(), 0);
  EXPECT_EQ(response.revision(), store_->Revision());
  // The partnership that came before its companies is there.
  v1::Partnership ab;
  ASSERT_TRUE(GetPartnership("partnerships/ab", &ab).ok());
  EXPECT_EQ(ab.participants_size(), 2);
  EXPECT_TRUE(GetCompany("companies/b").ok());
  EXPECT_EQ(GetCompany("companies/bad").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AdminTest, ImportReplacesByIdKeepingCreateRevision) {
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(
      Import({{CompanyRecordOf(SimpleCompany("A"), "a")}}, false, &response)
          .ok());
  const int64_t first = response.revision();
  v1::Company changed = SimpleCompany("A Renamed");
  ASSERT_TRUE(Import({{CompanyRecordOf(changed, "a")}}, false, &response).ok());
  v1::Company a;
  ASSERT_TRUE(GetCompany("companies/a", &a).ok());
  EXPECT_EQ(a.display_name(), "A Renamed");
  EXPECT_EQ(a.create_revision(), first);
  EXPECT_EQ(a.update_revision(), first + 1);
  // The same record again changes nothing.
  ASSERT_TRUE(Import({{CompanyRecordOf(changed, "a")}}, false, &response).ok());
  EXPECT_EQ(response.revision(), first + 1);
  EXPECT_EQ(response.companies_written(), 1);
}

TEST_F(AdminTest, AllOrNothingWritesNothingWhenAnyRecordIsBad) {
  const int64_t before = store_->Revision();
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(Import(MixedImport(), true, &response).ok());
  EXPECT_EQ(response.companies_written(), 0);
  EXPECT_EQ(response.partnerships_written(), 0);
  EXPECT_EQ(response.revision(), before);
  EXPECT_EQ(store_->Revision(), before);
  ASSERT_GE(response.errors_size(), 2);
  EXPECT_EQ(response.errors(0).index(), 2);
  EXPECT_EQ(GetCompany("companies/a").error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Only errors the store finds (a bad ticker, a missing participant): still
  // nothing written.
  auto store_side = MixedImport();
  store_side[2].erase(store_side[2].begin() + 1);  // the empty record
  ASSERT_TRUE(Import(store_side, true, &response).ok());
  EXPECT_EQ(response.companies_written(), 0);
  EXPECT_EQ(store_->Revision(), before);
  ASSERT_EQ(response.errors_size(), 2) << response.DebugString();
  EXPECT_EQ(response.errors(0).index(), 2);
  EXPECT_EQ(response.errors(1).index(), 3);
  EXPECT_EQ(GetCompany("companies/a").error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The same stream without the bad records goes in as one revision.
  auto good = MixedImport();
  good[1].pop_back();
  good[2].erase(good[2].begin(), good[2].begin() + 2);
  ASSERT_TRUE(Import(good, true, &response).ok());
  EXPECT_EQ(response.errors_size(), 0) << response.DebugString();
  EXPECT_EQ(response.companies_written(), 2);
  EXPECT_EQ(response.partnerships_written(), 1);
  EXPECT_EQ(response.revision(), before + 1);
}

TEST_F(AdminTest, ImportRefusesATickerHeldByAnotherCompany) {
  MustCreateCompany(Micron(), "micron");
  auto listed = [](const std::string& name, const std::string& ticker) {
    v1::Company c = SimpleCompany(name);
    c.add_tickers(ticker);
    return c;
  };
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(Import({{CompanyRecordOf(listed("A", "NYSE:A"), "a"),
                       CompanyRecordOf(listed("MT", "NASDAQ:MU"), "mt")},
                      {CompanyRecordOf(listed("B", "NYSE:A"), "b")}},
                     false, &response)
                  .ok());
  EXPECT_EQ(response.companies_written(), 1);
  ASSERT_EQ(response.errors_size(), 2) << response.DebugString();
  EXPECT_EQ(response.errors(0).index(), 1);
  EXPECT_EQ(response.errors(0).code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(response.errors(0).message(),
            "company.tickers[0]: \"NASDAQ:MU\" is held by companies/micron");
  EXPECT_EQ(response.errors(1).index(), 2);
  EXPECT_EQ(response.errors(1).code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(response.errors(1).message(),
            "company.tickers[0]: \"NYSE:A\" is held by companies/a");
  EXPECT_TRUE(GetCompany("companies/a").ok());
  EXPECT_EQ(GetCompany("companies/b").error_code(),
            grpc::StatusCode::NOT_FOUND);

  // All or nothing: the clash writes nothing.
  const int64_t before = store_->Revision();
  ASSERT_TRUE(Import({{CompanyRecordOf(SimpleCompany("C"), "c"),
                       CompanyRecordOf(listed("MT", "NASDAQ:MU"), "mt")}},
                     true, &response)
                  .ok());
  EXPECT_EQ(response.companies_written(), 0);
  EXPECT_EQ(response.revision(), before);
  EXPECT_EQ(store_->Revision(), before);
  ASSERT_EQ(response.errors_size(), 1) << response.DebugString();
  EXPECT_EQ(response.errors(0).index(), 1);
  EXPECT_EQ(response.errors(0).code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(GetCompany("companies/c").error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto report = store_->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
}

TEST_F(AdminTest, ImportRefusesBadMessages) {
  v1::ImportRecordsResponse response;
  const grpc::Status status = Import({{}}, false, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("records: want 1..1000 records per message, got 0"));
}

TEST_F(AdminTest, ExportImportExportIsIdentical) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  MustCreateCompany(SimpleCompany("Third"), "third");
  v1::CreatePartnershipRequest create;
  *create.mutable_partnership() = MicronAnthropic();
  create.set_partnership_id("micron-anthropic");
  ASSERT_TRUE(CreatePartnership(create).ok());
  *create.mutable_partnership() =
      SimplePartnership("third", "micron", "2024-02-29");
  create.set_partnership_id("third-micron");
  ASSERT_TRUE(CreatePartnership(create).ok());
  v1::UpdateCompanyRequest update;
  update.mutable_company()->set_name("companies/third");
  update.mutable_company()->set_description("updated later");
  update.mutable_update_mask()->add_paths("description");
  ASSERT_TRUE(UpdateCompany(update).ok());

  int64_t revision = 0;
  const std::vector<std::string> first = Export(admin_.get(), 2, &revision);
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(revision, store_->Revision());

  // Into an empty server.
  TempDir other_dir;
  storage::StoreOptions store_options;
  store_options.sync = false;
  auto other_store =
      storage::OpenRocksDbStore(other_dir.path() + "/db", store_options);
  ASSERT_TRUE(other_store.ok());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  server::Server other(options, other_store->get());
  auto port = other.Start();
  ASSERT_TRUE(port.ok());
  auto other_admin = v1::AdminService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));
  std::vector<v1::Record> records;
  for (const std::string& bytes : first) {
    v1::Record r;
    ASSERT_TRUE(r.ParseFromString(bytes));
    records.push_back(r);
  }
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(Import({records}, false, &response, other_admin.get()).ok());
  EXPECT_EQ(response.errors_size(), 0) << response.DebugString();
  EXPECT_EQ(Export(other_admin.get(), 0), first);
  other.Shutdown(absl::ZeroDuration());
}

TEST_F(AdminTest, StatsMatchTheData) {
  v1::ImportRecordsResponse response;
  ASSERT_TRUE(Import(MixedImport(), false, &response).ok());
  const v1::GetStatsResponse stats = Stats(admin_.get());
  EXPECT_EQ(stats.companies(), 2);
  EXPECT_EQ(stats.partnerships(), 1);
  EXPECT_EQ(stats.revision(), store_->Revision());
  EXPECT_EQ(stats.compact_revision(), 0);
  // Live SST bytes: 0 until the memtable is flushed.
  // The write-ahead log alone holds the records written above.
  EXPECT_GT(stats.disk_bytes(), 0);
  EXPECT_EQ(stats.schema_version(), "1");
}

TEST_F(AdminTest, BackupUnderWritesRestoresExactlyTheBackupRevision) {
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      storage::CompanyRecord c;
      c.set_id(absl::StrCat("c", i));
      c.set_display_name(absl::StrCat("Company ", i));
      ASSERT_TRUE(store_->CreateCompany(c, "").ok());
      ++written;
    }
  });
  while (written.load() < 200) absl::SleepFor(absl::Milliseconds(1));
  v1::CreateBackupResponse backup;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    const grpc::Status status =
        admin_->CreateBackup(&context, v1::CreateBackupRequest(), &backup);
    ASSERT_TRUE(status.ok()) << ToString(status);
  }
  while (written.load() < 400) absl::SleepFor(absl::Milliseconds(1));
  stop = true;
  writer.join();
  EXPECT_EQ(backup.backup_id(), 1);
  EXPECT_GE(backup.revision(), 200);
  EXPECT_LT(backup.revision(), store_->Revision());
  EXPECT_GT(backup.size_bytes(), 0);

  // The real daemon restores it into an empty directory and serves it.
  const std::string data_dir = dir_.path() + "/restored";
  DaemonProcess daemon(
      PARTNERGRAPHD_PATH,
      {"--plaintext", "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
       "--restore_from=" + backup.path(), "--nosync"});
  ASSERT_TRUE(daemon.ok());
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.output();
  auto restored = v1::AdminService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  const v1::GetStatsResponse stats = Stats(restored.get());
  EXPECT_EQ(stats.revision(), backup.revision());
  // One company per revision: exactly those created up to the backup.
  EXPECT_EQ(stats.companies(), backup.revision());
  auto restored_companies = v1::CompanyService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetCompanyRequest get;
    get.set_name(absl::StrCat("companies/c", backup.revision() - 1));
    v1::Company c;
    EXPECT_TRUE(restored_companies->GetCompany(&context, get, &c).ok());
    EXPECT_EQ(c.create_revision(), backup.revision());
  }
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetCompanyRequest get;
    get.set_name(absl::StrCat("companies/c", backup.revision()));
    v1::Company c;
    EXPECT_EQ(restored_companies->GetCompany(&context, get, &c).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  daemon.Signal(SIGTERM);
  daemon.Wait();

  // A non-empty data dir is refused.
  DaemonProcess again(
      PARTNERGRAPHD_PATH,
      {"--plaintext", "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
       "--restore_from=" + backup.path()});
  ASSERT_TRUE(again.ok());
  const int status = again.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  EXPECT_THAT(again.output(), HasSubstr("is not empty"));
}

TEST(AdminNoBackupDirTest, BackupIsRefusedWithoutABackupDir) {
  TempDir dir;
  storage::StoreOptions store_options;
  store_options.sync = false;
  auto store = storage::OpenRocksDbStore(dir.path() + "/db", store_options);
  ASSERT_TRUE(store.ok());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  server::Server server(options, store->get());
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  auto admin = v1::AdminService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CreateBackupResponse response;
  const grpc::Status status =
      admin->CreateBackup(&context, v1::CreateBackupRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("backup_dir"));
  server.Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace partnergraph::server_testing
