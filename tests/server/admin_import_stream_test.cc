// AdminService.ImportRecords over streams longer than one store batch
// (kImportBatchRecords), which the server commits while it reads on: stream
// order, held-back partnerships across batches, per-record errors, the
// change log, the store's consistency, and a stream that fails while
// batches are still committing.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "server/admin_service.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;

class AdminTestImportStream : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    admin_ = v1::AdminService::NewStub(channel_);
  }

  // Sends `records` as messages of at most kMaxImportMessageRecords; an
  // empty message (refused by the server) after `bad_message_after`
  // records when that is >= 0.
  grpc::Status Import(const std::vector<v1::Record>& records,
                      v1::ImportRecordsResponse* response,
                      int bad_message_after = -1) {
    grpc::ClientContext context;
    SetDeadline(&context);
    auto writer = admin_->ImportRecords(&context, response);
    v1::ImportRecordsRequest request;
    auto flush = [&] {
      bool ok = true;
      if (request.records_size() > 0) ok = writer->Write(request);
      request.Clear();
      return ok;
    };
    for (size_t i = 0; i < records.size(); ++i) {
      if (static_cast<int>(i) == bad_message_after) {
        if (!flush() || !writer->Write(v1::ImportRecordsRequest())) break;
      }
      *request.add_records() = records[i];
      if (request.records_size() == server::kMaxImportMessageRecords &&
          !flush()) {
        break;
      }
    }
    flush();
    writer->WritesDone();
    return writer->Finish();
  }

  std::unique_ptr<v1::AdminService::Stub> admin_;
};

v1::Record Company(int i) {
  v1::Company c = SimpleCompany(absl::StrCat("Company ", i));
  c.set_name(absl::StrCat("companies/c", i));
  v1::Record r;
  *r.mutable_company() = std::move(c);
  return r;
}

v1::Record Partnership(int i, int a, int b) {
  v1::Partnership p = SimplePartnership(
      absl::StrCat("c", a), absl::StrCat("c", b),
      absl::StrFormat("2024-%02d-%02d", 1 + i % 12, 1 + i % 28));
  p.set_name(absl::StrCat("partnerships/p", i));
  v1::Record r;
  *r.mutable_partnership() = std::move(p);
  return r;
}

constexpr int kCompanies = 2 * server::kImportBatchRecords + 500;

// Companies across three store batches; partnerships that name companies
// of earlier batches, partnerships streamed before their companies (held
// back to the end), a bad company, and a partnership naming a company
// nobody imports.
std::vector<v1::Record> LongStream(int* partnerships, int64_t* bad_company,
                                   int64_t* missing_participant) {
  std::vector<v1::Record> records;
  // Before any company: held back, written at the end.
  for (int i = 0; i < 50; ++i) {
    records.push_back(Partnership(i, kCompanies - 1 - i, kCompanies - 2 - i));
  }
  *missing_participant = static_cast<int64_t>(records.size());
  records.push_back(Partnership(50, 0, kCompanies + 7));
  for (int i = 0; i < kCompanies; ++i) {
    if (i == server::kImportBatchRecords + 3) {
      *bad_company = static_cast<int64_t>(records.size());
      v1::Record bad = Company(kCompanies + 1);
      bad.mutable_company()->add_tickers("mu");
      records.push_back(bad);
    }
    records.push_back(Company(i));
    // A partnership of two companies written one batch or more earlier.
    if (i > server::kImportBatchRecords && i % 10 == 0) {
      records.push_back(
          Partnership(100 + i, i - server::kImportBatchRecords, i - 1));
    }
  }
  *partnerships = 50 + (kCompanies - server::kImportBatchRecords - 1) / 10;
  return records;
}

TEST_F(AdminTestImportStream, LongStreamKeepsOrderErrorsAndConsistency) {
  int partnerships = 0;
  int64_t bad_company = -1, missing = -1;
  const std::vector<v1::Record> records =
      LongStream(&partnerships, &bad_company, &missing);
  const int64_t revision_before = store_->Revision();
  v1::ImportRecordsResponse response;
  const grpc::Status status = Import(records, &response);
  ASSERT_TRUE(status.ok()) << ToString(status);
  EXPECT_EQ(response.companies_written(), kCompanies);
  EXPECT_EQ(response.partnerships_written(), partnerships);
  ASSERT_EQ(response.errors_size(), 2) << response.DebugString();
  EXPECT_EQ(response.errors(0).index(), missing);
  EXPECT_EQ(response.errors(0).code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(response.errors(0).message(),
              HasSubstr(absl::StrCat("companies/c", kCompanies + 7)));
  EXPECT_EQ(response.errors(1).index(), bad_company);
  EXPECT_EQ(response.errors(1).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.more_errors(), 0);
  EXPECT_EQ(response.revision(), store_->Revision());

  auto report = store_->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->companies, kCompanies);
  EXPECT_EQ(report->partnerships, partnerships);

  // Watchers see the import: one event per record written, in the change
  // log of the revisions the import made.
  int64_t events = 0;
  for (int64_t rev = revision_before + 1; rev <= store_->Revision();) {
    auto page = store_->ReadChanges(rev, 100);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_FALSE(page->batches.empty());
    for (const auto& batch : page->batches) {
      events += batch.events_size();
      rev = batch.revision() + 1;
    }
  }
  EXPECT_EQ(events, kCompanies + partnerships);
}

TEST_F(AdminTestImportStream, BadMessageWhileBatchesCommitEndsTheCall) {
  int partnerships = 0;
  int64_t bad_company = -1, missing = -1;
  const std::vector<v1::Record> records =
      LongStream(&partnerships, &bad_company, &missing);
  v1::ImportRecordsResponse response;
  const grpc::Status status =
      Import(records, &response, server::kImportBatchRecords * 2 + 100);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << ToString(status);
  EXPECT_THAT(status.error_message(), HasSubstr("records: want 1..1000"));
  // Whatever was committed before the bad message is whole.
  auto report = store_->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  // The server still serves a complete import afterwards.
  v1::ImportRecordsResponse again;
  const grpc::Status second = Import(records, &again);
  ASSERT_TRUE(second.ok()) << ToString(second);
  EXPECT_EQ(again.companies_written(), kCompanies);
  EXPECT_EQ(again.partnerships_written(), partnerships);
}

}  // namespace
}  // namespace partnergraph::server_testing
