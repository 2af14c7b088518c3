// GraphService.Watch against a real server on a loopback port over a real
// RocksDB store: list-then-watch exactness under concurrent writers,
// compaction, slow-watcher cut-off and resume, bookmarks, filters and the
// previous version of updated resources.

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;

storage::CompanyRecord CompanyRec(const std::string& id,
                                  const std::string& description = "") {
  storage::CompanyRecord c;
  c.set_id(id);
  c.set_display_name(absl::StrCat("Company ", id));
  c.set_description(description);
  return c;
}

class WatchTest : public ::testing::Test {
 protected:
  void Start(int64_t history_limit, server::ServerOptions options) {
    storage::StoreOptions store_options;
    store_options.sync = false;
    store_options.history_limit = history_limit;
    auto store = storage::OpenRocksDbStore(dir_.path() + "/db", store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<server::Server>(options, store_.get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                   grpc::InsecureChannelCredentials());
    graph_ = v1::GraphService::NewStub(channel_);
    companies_ = v1::CompanyService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
    server_.reset();
    store_.reset();
  }

  void MustCreate(const std::string& id, const std::string& description = "") {
    auto c = store_->CreateCompany(CompanyRec(id, description), "");
    ASSERT_TRUE(c.ok()) << c.status();
  }

  TempDir dir_;
  std::unique_ptr<storage::GraphStore> store_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::GraphService::Stub> graph_;
  std::unique_ptr<v1::CompanyService::Stub> companies_;
};

TEST_F(WatchTest, ListThenWatchSeesEveryLaterChangeExactlyOnceInOrder) {
  Start(100000, server::ServerOptions());
  constexpr int kWriters = 4;
  constexpr int kWritesPerWriter = 60;
  std::atomic<int> done_writes{0};
  // Writers hold after a quarter of their writes until the list is taken,
  // so the list falls in the middle of the writes however fast they are.
  std::atomic<bool> listed_yet{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kWritesPerWriter; ++i) {
        if (i == kWritesPerWriter / 4) {
          while (!listed_yet.load()) absl::SleepFor(absl::Milliseconds(1));
        }
        const std::string id = absl::StrCat("w", w, "-", i);
        ASSERT_TRUE(store_->CreateCompany(CompanyRec(id), "").ok());
        // Every other company is updated too: UPDATED events.
        if (i % 2 == 0) {
          storage::CompanyRecord patch;
          patch.set_id(id);
          patch.set_description("updated");
          ASSERT_TRUE(store_->UpdateCompany(patch, {"description"}, "").ok());
        }
        ++done_writes;
      }
    });
  }
  // List in the middle of the writes.
  while (done_writes.load() < kWriters * kWritesPerWriter / 4) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  v1::ListCompaniesRequest list;
  list.set_page_size(1000);
  v1::ListCompaniesResponse listed;
  grpc::Status list_status;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    list_status = companies_->ListCompanies(&context, list, &listed);
  }
  listed_yet = true;
  ASSERT_TRUE(list_status.ok()) << list_status.error_message();
  const int64_t list_revision = listed.revision();
  grpc::ClientContext context;
  v1::WatchRequest request;
  request.set_start_revision(list_revision + 1);
  auto reader = graph_->Watch(&context, request);
  for (auto& t : writers) t.join();
  const int64_t final_revision = store_->Revision();
  ASSERT_GT(final_revision, list_revision);

  // Each write is one revision with one event: expect exactly
  // list_revision+1 .. final_revision, each once, in order.
  std::vector<int64_t> revisions;
  std::set<std::string> listed_names;
  for (const auto& c : listed.companies()) listed_names.insert(c.name());
  v1::WatchResponse response;
  while ((revisions.empty() || revisions.back() < final_revision) &&
         reader->Read(&response)) {
    for (const auto& e : response.events()) {
      revisions.push_back(e.revision());
      // A company created after the list is not in it, and one in the list
      // is not created again.
      if (e.type() == v1::ChangeEvent::CREATED) {
        EXPECT_EQ(listed_names.count(e.company().name()), 0u)
            << e.company().name();
      }
    }
  }
  context.TryCancel();
  reader->Finish();
  std::vector<int64_t> want;
  for (int64_t r = list_revision + 1; r <= final_revision; ++r) {
    want.push_back(r);
  }
  EXPECT_EQ(revisions, want);
}

TEST_F(WatchTest, TrimmedStartRevisionAnswersCompacted) {
  Start(/*history_limit=*/5, server::ServerOptions());
  for (int i = 0; i < 20; ++i) MustCreate(absl::StrCat("c", i));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::WatchRequest request;
  request.set_start_revision(2);
  auto reader = graph_->Watch(&context, request);
  v1::WatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_TRUE(response.compacted());
  EXPECT_EQ(response.compact_revision(), 15);
  EXPECT_EQ(response.events_size(), 0);
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_TRUE(reader->Finish().ok());

  // The oldest revision still held streams normally.
  grpc::ClientContext context2;
  SetDeadline(&context2);
  request.set_start_revision(16);
  auto reader2 = graph_->Watch(&context2, request);
  ASSERT_TRUE(reader2->Read(&response));
  EXPECT_FALSE(response.compacted());
  ASSERT_GT(response.events_size(), 0);
  EXPECT_EQ(response.events(0).revision(), 16);
  EXPECT_EQ(response.events(0).company().name(), "companies/c15");
  context2.TryCancel();
  reader2->Finish();
}

TEST_F(WatchTest, SlowWatcherIsCutOffAndResumesFromItsLastRevision) {
  server::ServerOptions options;
  options.watch_max_pending_events = 50;
  Start(100000, options);
  const int64_t start = store_->Revision() + 1;
  grpc::ClientContext context;
  v1::WatchRequest request;
  request.set_start_revision(start);
  auto reader = graph_->Watch(&context, request);
  // The watcher reads nothing while much more than the transport's windows
  // and the 50-event limit is written.
  const std::string big(3500, 'x');
  constexpr int kWrites = 4000;
  for (int i = 0; i < kWrites; ++i) MustCreate(absl::StrCat("c", i), big);
  const int64_t final_revision = store_->Revision();

  std::vector<int64_t> seen;
  v1::WatchResponse response;
  while (reader->Read(&response)) {
    for (const auto& e : response.events()) seen.push_back(e.revision());
  }
  const grpc::Status status = reader->Finish();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_THAT(status.error_message(),
              HasSubstr("watcher fell more than 50 events behind; resume "
                        "from revision "));
  int64_t resume = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      status.error_message().substr(status.error_message().rfind(' ') + 1),
      &resume));
  ASSERT_LT(resume, final_revision);
  // What arrived is exactly start .. resume - 1.
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i], start + static_cast<int64_t>(i));
  }
  EXPECT_EQ(start + static_cast<int64_t>(seen.size()), resume);

  // Resuming from there, reading promptly, gets the rest exactly once.
  grpc::ClientContext context2;
  request.set_start_revision(resume);
  auto reader2 = graph_->Watch(&context2, request);
  int64_t next = resume;
  while (next <= final_revision && reader2->Read(&response)) {
    for (const auto& e : response.events()) {
      ASSERT_EQ(e.revision(), next);
      ++next;
    }
  }
  EXPECT_EQ(next, final_revision + 1);
  context2.TryCancel();
  reader2->Finish();
}

TEST_F(WatchTest, QuietStreamGetsBookmarksWithTheCurrentRevision) {
  server::ServerOptions options;
  options.watch_bookmark_interval = absl::Milliseconds(50);
  Start(100000, options);
  MustCreate("a");
  MustCreate("b");
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::WatchRequest request;  // from now on
  auto reader = graph_->Watch(&context, request);
  v1::WatchResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.events_size(), 0);
  EXPECT_FALSE(response.compacted());
  EXPECT_EQ(response.revision(), 2);
  // A write, then bookmarks carry the new revision.
  MustCreate("c");
  do {
    ASSERT_TRUE(reader->Read(&response));
    if (response.events_size() == 0) {
      EXPECT_EQ(response.revision(), 2);
    }
  } while (response.events_size() == 0);
  ASSERT_EQ(response.events_size(), 1);
  EXPECT_EQ(response.revision(), 3);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.events_size(), 0);
  EXPECT_EQ(response.revision(), 3);
  context.TryCancel();
  reader->Finish();
}

TEST_F(WatchTest, UpdatesCarryThePreviousVersionAndFiltersApply) {
  Start(100000, server::ServerOptions());
  MustCreate("a");
  MustCreate("b");
  MustCreate("c");
  storage::PartnershipRecord p;
  p.set_id("ab");
  p.add_participants()->set_company_id("a");
  p.add_participants()->set_company_id("b");
  p.add_kinds(storage::KIND_LICENSING);
  p.set_announced_on("2025-01-02");
  p.set_title("A deal");
  {
    auto created = store_->CreatePartnership(p, "");
    ASSERT_TRUE(created.ok()) << created.status();
  }
  p.set_id("bc");
  p.clear_participants();
  p.add_participants()->set_company_id("b");
  p.add_participants()->set_company_id("c");
  p.clear_kinds();
  p.add_kinds(storage::KIND_INVESTMENT);
  {
    auto created = store_->CreatePartnership(p, "");
    ASSERT_TRUE(created.ok()) << created.status();
  }
  storage::CompanyRecord patch;
  patch.set_id("a");
  patch.set_display_name("Renamed A");
  ASSERT_TRUE(store_->UpdateCompany(patch, {"display_name"}, "").ok());
  const int64_t last = store_->Revision();

  {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::WatchRequest request;
    request.set_start_revision(1);
    auto reader = graph_->Watch(&context, request);
    std::vector<v1::ChangeEvent> events;
    v1::WatchResponse response;
    while ((events.empty() || events.back().revision() < last) &&
           reader->Read(&response)) {
      for (const auto& e : response.events()) events.push_back(e);
    }
    context.TryCancel();
    reader->Finish();
    ASSERT_EQ(events.size(), 6u);
    const v1::ChangeEvent& update = events.back();
    EXPECT_EQ(update.type(), v1::ChangeEvent::UPDATED);
    EXPECT_EQ(update.company().display_name(), "Renamed A");
    EXPECT_EQ(update.previous_company().display_name(), "Company a");
    EXPECT_FALSE(events[0].has_previous_company());
  }
  {
    // Only licensing partnerships, no company events.
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::WatchRequest request;
    request.set_start_revision(1);
    request.set_partnerships_only(true);
    request.mutable_filter()->add_kinds(v1::LICENSING);
    auto reader = graph_->Watch(&context, request);
    v1::WatchResponse response;
    std::vector<std::string> names;
    while (reader->Read(&response)) {
      for (const auto& e : response.events()) {
        names.push_back(e.has_company() ? e.company().name()
                                        : e.partnership().name());
      }
      if (response.revision() >= last) break;
    }
    context.TryCancel();
    reader->Finish();
    EXPECT_EQ(names, std::vector<std::string>{"partnerships/ab"});
  }
}

TEST_F(WatchTest, BadFilterIsRefused) {
  Start(100000, server::ServerOptions());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::WatchRequest request;
  request.mutable_filter()->set_company("nope/x");
  auto reader = graph_->Watch(&context, request);
  v1::WatchResponse response;
  EXPECT_FALSE(reader->Read(&response));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("filter.company"));
}

}  // namespace
}  // namespace partnergraph::server_testing
