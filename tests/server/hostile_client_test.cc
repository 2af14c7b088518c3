// What a hostile or buggy client sends, over the real server: request bytes
// that do not parse, import streams that break, oversized etags and tokens,
// names that display as something else, a Watch from a revision not yet
// reached, and oversized metadata. Each refusal must name the field, write
// nothing (the revision stays) and leave the server serving.

#include <algorithm>
#include <chrono>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "tests/server/raw_call.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::chrono::milliseconds kRawTimeout(20000);

// `message` serialized, with the first occurrence of `marker` (which must
// appear in one string field) replaced by `bytes`.
std::string Spliced(const google::protobuf::Message& message,
                    const std::string& marker, const std::string& bytes) {
  std::string wire = message.SerializeAsString();
  const size_t at = wire.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  if (at != std::string::npos) wire.replace(at, marker.size(), bytes);
  return wire;
}

// Invalid UTF-8 of the same length as the 2-byte markers below (the length
// prefixes stay right): a lone lead byte, then ASCII.
const char kBadUtf8[] = "\xc3\x28";

class HostileClientTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    admin_ = v1::AdminService::NewStub(channel_);
    graph_ = v1::GraphService::NewStub(channel_);
  }

  int64_t Revision() { return store_->Revision(); }

  // The server still serves: a fresh company can be created and read.
  void ExpectServing() {
    const std::string id = absl::StrCat("probe-", probes_++);
    v1::CreateCompanyRequest request;
    *request.mutable_company() = SimpleCompany(absl::StrCat("Probe ", probes_));
    request.set_company_id(id);
    EXPECT_GRPC_OK(CreateCompany(request));
    EXPECT_GRPC_OK(GetCompany(absl::StrCat("companies/", id)));
  }

  RawResult Raw(const std::string& method, const std::string& bytes) {
    return RawCall(channel_, method, {bytes}, kRawTimeout);
  }

  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::GraphService::Stub> graph_;
  int probes_ = 0;
};

// ---------------------------------------------------------------------------
// Requests that do not parse

TEST_F(HostileClientTest, BytesThatAreNotAMessageAreInvalidArgument) {
  const std::vector<std::string> methods(std::begin(kApiMethods),
                                         std::end(kApiMethods));
  // A length-delimited field 1 whose length runs past the end.
  const std::string truncated = "\x0a\x05\x41";
  const int64_t before = Revision();
  for (const std::string& method : methods) {
    SCOPED_TRACE(method);
    const RawResult result = Raw(method, truncated);
    EXPECT_THAT(result.status, StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                        "want a valid protobuf encoding"));
    EXPECT_TRUE(result.responses.empty());
  }
  // A tag of field number 0.
  EXPECT_THAT(Raw(methods[0], std::string("\x00\x01", 2)).status,
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                       "request: want a valid protobuf encoding"));
  EXPECT_EQ(Revision(), before);
  ExpectServing();
}

TEST_F(HostileClientTest, InvalidUtf8IsRefusedNamingTheField) {
  struct Case {
    std::string method;
    std::string bytes;
    std::string field;
  };
  std::vector<Case> cases;
  {
    v1::CreateCompanyRequest r;
    *r.mutable_company() = Micron();
    r.mutable_company()->set_display_name("Micron @@");
    cases.push_back({"/partnergraph.v1.CompanyService/CreateCompany",
                     Spliced(r, "@@", kBadUtf8), "company.display_name"});
  }
  {
    v1::CreateCompanyRequest r;
    *r.mutable_company() = Micron();
    r.mutable_company()->add_aliases("MU @@");
    cases.push_back({"/partnergraph.v1.CompanyService/CreateCompany",
                     Spliced(r, "@@", kBadUtf8), "company.aliases[1]"});
  }
  {
    v1::CreateCompanyRequest r;
    *r.mutable_company() = Micron();
    (*r.mutable_company()->mutable_labels())["tier"] = "one @@";
    cases.push_back({"/partnergraph.v1.CompanyService/CreateCompany",
                     Spliced(r, "@@", kBadUtf8), "company.labels.value"});
  }
  {
    v1::CreatePartnershipRequest r;
    *r.mutable_partnership() = MicronAnthropic();
    r.mutable_partnership()->set_title("Deal @@");
    cases.push_back({"/partnergraph.v1.PartnershipService/CreatePartnership",
                     Spliced(r, "@@", kBadUtf8), "partnership.title"});
  }
  {
    v1::SearchCompaniesRequest r;
    r.set_query("micron @@");
    cases.push_back({"/partnergraph.v1.CompanyService/SearchCompanies",
                     Spliced(r, "@@", kBadUtf8), "query"});
  }
  {
    v1::UpdateCompanyRequest r;
    r.mutable_company()->set_name("companies/micron");
    r.mutable_company()->set_description("memory @@");
    cases.push_back({"/partnergraph.v1.CompanyService/UpdateCompany",
                     Spliced(r, "@@", kBadUtf8), "company.description"});
  }
  {
    v1::WatchRequest r;
    r.mutable_filter()->set_company("companies/m@@");
    cases.push_back({"/partnergraph.v1.GraphService/Watch",
                     Spliced(r, "@@", kBadUtf8), "filter.company"});
  }
  ASSERT_GRPC_OK(CreateCompany([] {
    v1::CreateCompanyRequest r;
    *r.mutable_company() = Micron();
    r.set_company_id("micron");
    return r;
  }()));
  const int64_t before = Revision();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    const RawResult result = Raw(c.method, c.bytes);
    EXPECT_THAT(result.status,
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat(c.field, ": want valid UTF-8")));
  }
  EXPECT_EQ(Revision(), before);
  ExpectServing();
}

TEST_F(HostileClientTest, ImportMessageThatDoesNotParseWritesNothing) {
  v1::ImportRecordsRequest first;
  first.set_all_or_nothing(true);
  for (int i = 0; i < 3; ++i) {
    v1::Company* c = first.add_records()->mutable_company();
    *c = SimpleCompany(absl::StrCat("Valid ", i));
    c->set_name(absl::StrCat("companies/valid-", i));
  }
  v1::ImportRecordsRequest second;
  v1::Company* bad = second.add_records()->mutable_company();
  *bad = SimpleCompany("Bad @@");
  bad->set_name("companies/bad");
  for (const bool all_or_nothing : {true, false}) {
    SCOPED_TRACE(all_or_nothing);
    first.set_all_or_nothing(all_or_nothing);
    const int64_t before = Revision();
    const RawResult result =
        RawCall(channel_, "/partnergraph.v1.AdminService/ImportRecords",
                {first.SerializeAsString(), Spliced(second, "@@", kBadUtf8)},
                kRawTimeout);
    EXPECT_THAT(result.status,
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                         "records[0].company.display_name: want valid UTF-8"));
    EXPECT_EQ(Revision(), before);
    EXPECT_EQ(GetCompany("companies/valid-0").error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  ExpectServing();
}

// ---------------------------------------------------------------------------
// Import streams that break

enum class Break { kOversizedMessage, kDeadline, kCancel };

class BrokenImportTest
    : public HostileClientTest,
      public ::testing::WithParamInterface<std::tuple<Break, bool>> {};

TEST_P(BrokenImportTest, CommitsNothing) {
  const auto [how, all_or_nothing] = GetParam();
  v1::ImportRecordsRequest first;
  first.set_all_or_nothing(all_or_nothing);
  for (int i = 0; i < 3; ++i) {
    v1::Company* c = first.add_records()->mutable_company();
    *c = SimpleCompany(absl::StrCat("Streamed ", i));
    c->set_name(absl::StrCat("companies/streamed-", i));
  }
  // Tries repeat because the break races the server's reading of `first`.
  for (int attempt = 0; attempt < 9; ++attempt) {
    SCOPED_TRACE(attempt);
    const int64_t before = Revision();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         (how == Break::kDeadline
                              ? std::chrono::milliseconds(300)
                              : std::chrono::milliseconds(kRawTimeout)));
    v1::ImportRecordsResponse response;
    auto writer = admin_->ImportRecords(&context, &response);
    writer->Write(first);
    switch (how) {
      case Break::kOversizedMessage: {
        v1::ImportRecordsRequest big;
        v1::Company* c = big.add_records()->mutable_company();
        *c = SimpleCompany("Big");
        c->set_description(std::string(5 << 20, 'x'));  // > 4 MiB
        writer->Write(big);
        break;
      }
      case Break::kDeadline:
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        break;
      case Break::kCancel:
        std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
        context.TryCancel();
        break;
    }
    const grpc::Status status = writer->Finish();
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(Revision(), before) << ToString(status);
    EXPECT_EQ(GetCompany("companies/streamed-0").error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // The same stream, half-closed normally, commits.
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ImportRecordsResponse response;
  auto writer = admin_->ImportRecords(&context, &response);
  ASSERT_TRUE(writer->Write(first));
  writer->WritesDone();
  ASSERT_GRPC_OK(writer->Finish());
  EXPECT_EQ(response.companies_written(), 3);
  EXPECT_GRPC_OK(GetCompany("companies/streamed-2"));
}

std::string BreakName(
    const ::testing::TestParamInfo<std::tuple<Break, bool>>& info) {
  static const char* const kNames[] = {"OversizedMessage", "Deadline",
                                       "Cancel"};
  return absl::StrCat(kNames[static_cast<int>(std::get<0>(info.param))],
                      std::get<1>(info.param) ? "AllOrNothing" : "Batches");
}

INSTANTIATE_TEST_SUITE_P(
    Breaks, BrokenImportTest,
    ::testing::Combine(::testing::Values(Break::kOversizedMessage,
                                         Break::kDeadline, Break::kCancel),
                       ::testing::Bool()),
    BreakName);

// ---------------------------------------------------------------------------
// Bounds on strings, and values quoted cut short

TEST_F(HostileClientTest, OversizedEtagIsRefusedAndNeverEchoedWhole) {
  v1::CreateCompanyRequest create;
  *create.mutable_company() = Micron();
  create.set_company_id("micron");
  ASSERT_GRPC_OK(CreateCompany(create));
  const int64_t before = Revision();
  const std::string huge(10 << 10, '7');

  v1::UpdateCompanyRequest update;
  update.mutable_company()->set_name("companies/micron");
  update.mutable_company()->set_description("changed");
  update.set_etag(huge);
  grpc::Status status = UpdateCompany(update);
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                               "etag: want at most 64 bytes, got 10240 bytes"));
  update.clear_etag();
  update.mutable_company()->set_etag(huge);
  EXPECT_THAT(UpdateCompany(update),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                       "company.etag: want at most 64 bytes"));

  v1::DeleteCompanyRequest del;
  del.set_name("companies/micron");
  del.set_etag(huge);
  EXPECT_THAT(DeleteCompany(del), StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                           "etag: want at most 64 bytes"));

  // Within the bound but stale: ABORTED, the value quoted cut short.
  update.mutable_company()->set_etag(std::string(64, '9'));
  status = UpdateCompany(update);
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::ABORTED, "has changed"));
  EXPECT_LT(status.error_message().size(), 200u) << status.error_message();

  // Other client strings quoted in messages are cut the same way.
  update.mutable_company()->clear_etag();
  update.mutable_update_mask()->add_paths(std::string(10 << 10, 'p'));
  status = UpdateCompany(update);
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                               "update_mask.paths[0]"));
  EXPECT_LT(status.error_message().size(), 500u);
  v1::GetCompanyRequest get;
  status = GetCompany(std::string(10 << 10, 'n'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 500u);

  v1::ListCompaniesRequest list;
  list.set_page_token(std::string(1025, 'A'));
  EXPECT_THAT(ListCompanies(list),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                       "page_token: want at most 1024 bytes, got 1025 bytes"));
  list.set_page_token(std::string(1024, 'A'));
  EXPECT_THAT(ListCompanies(list),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "page_token:"));

  EXPECT_EQ(Revision(), before);
  ExpectServing();
}

// ---------------------------------------------------------------------------
// Names that display as something else

TEST_F(HostileClientTest, BidiControlsAndInvisibleNamesAreRefused) {
  const int64_t before = Revision();
  struct Case {
    std::string display_name;
    std::string alias;
    std::string field;
    std::string rule;
  };
  const std::vector<Case> cases = {
      {"Micron\u202E", "", "company.display_name", "bidirectional control"},
      {"\u202AMicron", "", "company.display_name", "bidirectional control"},
      {"Micron", "MU\u2066", "company.aliases[0]", "bidirectional control"},
      {"Micron", "\u2069MU", "company.aliases[0]", "bidirectional control"},
      {"\u00A0", "", "company.display_name", "not only white space"},
      {"\u2003\u2003", "", "company.display_name", "not only white space"},
      {"\u3000", "", "company.display_name", "not only white space"},
      {"\u200B", "", "company.display_name", "not only white space"},
      {"Micron", "\u00A0\u3000", "company.aliases[0]", "not only white space"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field + " " + c.rule);
    v1::CreateCompanyRequest request;
    request.mutable_company()->set_display_name(c.display_name);
    if (!c.alias.empty()) request.mutable_company()->add_aliases(c.alias);
    request.set_company_id("spoof");
    EXPECT_THAT(CreateCompany(request),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat(c.field, ": want ")));
    EXPECT_THAT(CreateCompany(request),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT, c.rule));
  }
  // Letters of right-to-left scripts and non-breaking spaces between words
  // stay allowed.
  v1::CreateCompanyRequest ok;
  ok.mutable_company()->set_display_name("\u05E9\u05DC\u05D5\u05DD\u00A0Labs");
  ok.set_company_id("shalom-labs");
  EXPECT_GRPC_OK(CreateCompany(ok));
  EXPECT_EQ(Revision(), before + 1);
}

// ---------------------------------------------------------------------------
// Watch from a revision the store has not reached

TEST_F(HostileClientTest, WatchFromTheFutureIsOutOfRange) {
  ExpectServing();
  const int64_t current = Revision();
  for (const int64_t start : {current + 2, current + 1000000}) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::WatchRequest request;
    request.set_start_revision(start);
    auto reader = graph_->Watch(&context, request);
    v1::WatchResponse response;
    EXPECT_FALSE(reader->Read(&response));
    EXPECT_THAT(
        reader->Finish(),
        StatusIs(grpc::StatusCode::OUT_OF_RANGE,
                 absl::StrCat("start_revision: want at most ", current + 1)));
  }
  // current + 1 is the next write: accepted, and delivered.
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::WatchRequest request;
  request.set_start_revision(current + 1);
  auto reader = graph_->Watch(&context, request);
  ExpectServing();
  v1::WatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_GT(response.events_size(), 0);
  EXPECT_EQ(response.events(0).revision(), current + 1);
  EXPECT_LE(response.revision(), Revision());
  context.TryCancel();
  reader->Finish();
}

// ---------------------------------------------------------------------------
// Oversized metadata

// gRPC 1.51 cannot refuse only the call: its transport closes the connection
// (README, Operations). What must hold: the call is refused with
// RESOURCE_EXHAUSTED, nothing is written, the server serves the next call,
// and a watch on the dropped connection ends with an error (never silently)
// and resumes from its last revision without missing a change.
TEST_F(HostileClientTest, OversizedMetadataIsRefusedAndWatchesResume) {
  ExpectServing();
  const int64_t watched_from = Revision() + 1;
  grpc::ClientContext watch_context;
  SetDeadline(&watch_context);
  v1::WatchRequest watch;
  watch.set_start_revision(watched_from);
  auto reader = graph_->Watch(&watch_context, watch);

  const int64_t before = Revision();
  grpc::ClientContext context;
  SetDeadline(&context);
  context.AddMetadata("x-padding", std::string(64 << 10, 'p'));
  v1::CreateCompanyRequest create;
  *create.mutable_company() = SimpleCompany("Padded");
  v1::Company company;
  const grpc::Status status =
      companies_->CreateCompany(&context, create, &company);
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               "metadata size exceeds limit"));
  EXPECT_EQ(Revision(), before);

  // A write the watch must deliver. The next call on the channel may still
  // meet the closing connection (UNAVAILABLE); a client retries it with the
  // same request id, which settles whether it was written.
  v1::CreateCompanyRequest probe;
  *probe.mutable_company() = SimpleCompany("After Padding");
  probe.set_request_id("after-padding");
  grpc::Status written;
  for (int attempt = 0; attempt < 50; ++attempt) {
    written = CreateCompany(probe);
    if (written.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  ASSERT_GRPC_OK(written);
  ASSERT_EQ(Revision(), before + 1);
  int64_t resume = watched_from;
  v1::WatchResponse response;
  while (resume <= before + 1) {
    if (reader->Read(&response)) {
      for (const v1::ChangeEvent& e : response.events()) {
        resume = std::max(resume, e.revision() + 1);
      }
      continue;
    }
    const grpc::Status ended = reader->Finish();
    EXPECT_THAT(ended, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "metadata size exceeds limit"));
    grpc::ClientContext again;
    SetDeadline(&again);
    watch.set_start_revision(resume);
    reader = graph_->Watch(&again, watch);
    do {  // bookmarks carry no events
      ASSERT_TRUE(reader->Read(&response)) << ToString(reader->Finish());
    } while (response.events_size() == 0);
    EXPECT_EQ(response.events(0).revision(), resume);
    again.TryCancel();
    reader->Finish();
    return;
  }
  watch_context.TryCancel();
  reader->Finish();
}

}  // namespace
}  // namespace partnergraph::server_testing
