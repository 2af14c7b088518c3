// The etcd engine end to end: a real three-member etcd cluster on loopback
// and two partnergraphd replicas of it (the real binary).
//
//   - a write to one replica is read from the other with min_revision;
//     stale etags lose; reads as of a past revision and record histories
//     agree; both replicas export the same bytes, watch the same
//     events and check clean;
//   - chaos: writers with request ids and etags while the etcd leader, then
//     the member the replicas talk to first, then one replica are killed
//     with SIGKILL and restarted: no
//     acknowledged write is lost, every write whose outcome was unknown
//     settles to exactly one record on a retry, and both replicas agree;
//   - etcd compacted past a stopped replica: it rebuilds at start;
//   - imports larger than etcd's limits (default: 128 operations per Txn)
//     commit in chunks, all_or_nothing checked whole; a write beyond them
//     (a forced delete of a hub) is refused naming the limit.
//
// Knob: PARTNERGRAPH_CHAOS_SECONDS (default 30), how long the writers run.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"
#include "storage/rocksdb_engine.h"
#include "tests/server/daemon_process.h"
#include "tests/server/etcd_cluster.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

// One partnergraphd replica of the cluster, restartable on its directory.
class Replica {
 public:
  Replica(std::string data_dir, std::string endpoints)
      : data_dir_(std::move(data_dir)), endpoints_(std::move(endpoints)) {}

  // Starts the daemon; false when it does not come up.
  bool Start() {
    process_ = std::make_unique<DaemonProcess>(
        PARTNERGRAPHD_PATH,
        std::vector<std::string>{
            "--store=etcd", "--etcd_endpoints=" + endpoints_,
            "--data_dir=" + data_dir_, "--listen=127.0.0.1:0", "--plaintext",
            "--nosync", "--etcd_writers=16", "--log_level=warning"});
    const int port = process_->WaitForPort();
    if (port == 0) return false;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials());
    companies = v1::CompanyService::NewStub(channel);
    partnerships = v1::PartnershipService::NewStub(channel);
    admin = v1::AdminService::NewStub(channel);
    graph = v1::GraphService::NewStub(channel);
    return true;
  }
  void Kill() { process_->Kill(); }
  // SIGTERM, and the exit status is a clean one.
  bool Stop() {
    // Its connection closed first: the server's shutdown would otherwise
    // wait for it to go idle.
    companies.reset();
    partnerships.reset();
    admin.reset();
    graph.reset();
    process_->Signal(SIGTERM);
    const int status = process_->Wait();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::string output() { return process_->output(); }
  const std::string& data_dir() const { return data_dir_; }

  std::unique_ptr<v1::CompanyService::Stub> companies;
  std::unique_ptr<v1::PartnershipService::Stub> partnerships;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::GraphService::Stub> graph;

 private:
  const std::string data_dir_;
  const std::string endpoints_;
  std::unique_ptr<DaemonProcess> process_;
};

void Deadline(grpc::ClientContext* context, absl::Duration d) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

// Every record of the replica's export at `min_revision`, serialized, and
// the revision it was read at.
std::vector<std::string> Export(Replica& r, int64_t min_revision,
                                int64_t* revision) {
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(60));
  v1::ExportRecordsRequest request;
  request.set_min_revision(min_revision);
  auto reader = r.admin->ExportRecords(&context, request);
  std::vector<std::string> out;
  v1::ExportRecordsResponse response;
  while (reader->Read(&response)) {
    *revision = response.revision();
    for (const auto& rec : response.records()) {
      out.push_back(rec.SerializeAsString());
    }
  }
  const grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << ToString(s);
  return out;
}

// The events of revisions (after, to] from the replica's Watch.
std::vector<std::string> WatchEvents(Replica& r, int64_t after, int64_t to) {
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(60));
  v1::WatchRequest request;
  request.set_start_revision(after + 1);
  auto reader = r.graph->Watch(&context, request);
  std::vector<std::string> out;
  v1::WatchResponse response;
  while (reader->Read(&response)) {
    bool done = response.revision() >= to;
    for (const auto& e : response.events()) {
      if (e.revision() > to) {
        done = true;
        break;
      }
      out.push_back(e.SerializeAsString());
      if (e.revision() == to) done = true;
    }
    EXPECT_FALSE(response.compacted());
    if (done || response.compacted()) break;
  }
  context.TryCancel();
  reader->Finish();
  return out;
}

// Opens a stopped replica's directory as a plain store and checks it.
void ExpectConsistent(const std::string& dir) {
  storage::StoreOptions options;
  auto store = storage::OpenRocksDbStore(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = (*store)->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty()) << dir;
}

v1::Company Company(const std::string& name) {
  v1::Company c;
  c.set_display_name(name);
  c.add_sectors("semiconductors/memory");
  return c;
}

class EtcdReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ =
        std::make_unique<EtcdCluster>(dir_.path() + "/etcd", EtcdBasePort());
    ASSERT_TRUE(cluster_->healthy());
    a_ = std::make_unique<Replica>(dir_.path() + "/a", cluster_->endpoints());
    b_ = std::make_unique<Replica>(dir_.path() + "/b", cluster_->endpoints());
    ASSERT_TRUE(a_->Start()) << a_->output();
    ASSERT_TRUE(b_->Start()) << b_->output();
  }

  // Both replicas at the same revision: the same export bytes, the same
  // Watch events after `watch_from`; then stopped and checked.
  void ExpectReplicasAgree(int64_t min_revision, int64_t watch_from) {
    int64_t rev_a = 0, rev_b = 0;
    std::vector<std::string> ea = Export(*a_, min_revision, &rev_a);
    std::vector<std::string> eb = Export(*b_, rev_a, &rev_b);
    // B read at least A's revision; no write runs now, so the same one.
    EXPECT_EQ(rev_a, rev_b);
    EXPECT_EQ(ea, eb);
    EXPECT_FALSE(ea.empty());
    std::vector<std::string> wa = WatchEvents(*a_, watch_from, rev_a);
    std::vector<std::string> wb = WatchEvents(*b_, watch_from, rev_a);
    EXPECT_EQ(wa.size(), wb.size());
    EXPECT_TRUE(wa == wb);
    EXPECT_FALSE(wa.empty());
    ASSERT_TRUE(a_->Stop()) << a_->output();
    ASSERT_TRUE(b_->Stop()) << b_->output();
    ExpectConsistent(a_->data_dir());
    ExpectConsistent(b_->data_dir());
  }

  TempDir dir_;
  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<Replica> a_, b_;
};

TEST_F(EtcdReplicasTest, WriteOnOneReplicaIsReadOnTheOther) {
  v1::Company micron;
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::CreateCompanyRequest request;
    request.set_company_id("micron");
    *request.mutable_company() = Company("Micron Technology");
    ASSERT_GRPC_OK(a_->companies->CreateCompany(&context, request, &micron));
  }
  const int64_t first = micron.create_revision();
  ASSERT_GT(first, 0);
  EXPECT_EQ(micron.etag(), absl::StrCat(micron.update_revision()));
  {
    // Read from B at A's revision: the same record.
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::GetCompanyRequest request;
    request.set_name("companies/micron");
    request.set_min_revision(micron.update_revision());
    v1::Company got;
    ASSERT_GRPC_OK(b_->companies->GetCompany(&context, request, &got));
    EXPECT_EQ(got.SerializeAsString(), micron.SerializeAsString());
  }
  // An update through B with A's etag, then the same etag through A loses.
  v1::Company updated;
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::UpdateCompanyRequest request;
    request.mutable_company()->set_name("companies/micron");
    request.mutable_company()->set_description("memory");
    request.mutable_company()->set_etag(micron.etag());
    request.mutable_update_mask()->add_paths("description");
    ASSERT_GRPC_OK(b_->companies->UpdateCompany(&context, request, &updated));
    EXPECT_GT(updated.update_revision(), micron.update_revision());
  }
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::UpdateCompanyRequest request;
    request.mutable_company()->set_name("companies/micron");
    request.mutable_company()->set_description("stale");
    request.mutable_company()->set_etag(micron.etag());
    request.mutable_update_mask()->add_paths("description");
    v1::Company ignored;
    EXPECT_THAT(a_->companies->UpdateCompany(&context, request, &ignored),
                StatusIs(grpc::StatusCode::ABORTED, "etag"));
  }
  {
    // The past, from B's own history: micron as of its creation, and its
    // versions, the same on both replicas.
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::GetCompanyRequest request;
    request.set_name("companies/micron");
    request.set_as_of_revision(micron.update_revision());
    request.set_min_revision(updated.update_revision());
    v1::Company then;
    ASSERT_GRPC_OK(b_->companies->GetCompany(&context, request, &then));
    EXPECT_EQ(then.SerializeAsString(), micron.SerializeAsString());
    std::vector<std::string> versions[2];
    Replica* replicas[2] = {a_.get(), b_.get()};
    for (int i = 0; i < 2; ++i) {
      grpc::ClientContext ctx;
      Deadline(&ctx, absl::Seconds(30));
      v1::ListCompanyRevisionsRequest list;
      list.set_name("companies/micron");
      v1::ListCompanyRevisionsResponse page;
      ASSERT_GRPC_OK(
          replicas[i]->companies->ListCompanyRevisions(&ctx, list, &page));
      for (const auto& v : page.revisions()) {
        versions[i].push_back(v.SerializeAsString());
      }
    }
    EXPECT_EQ(versions[0].size(), 2u);
    EXPECT_EQ(versions[0], versions[1]);
  }
  {
    // A revision no write has taken yet.
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::GetCompanyRequest request;
    request.set_name("companies/micron");
    request.set_min_revision(cluster_->Revision() + 1000);
    v1::Company ignored;
    EXPECT_THAT(b_->companies->GetCompany(&context, request, &ignored),
                StatusIs(grpc::StatusCode::OUT_OF_RANGE, "min_revision"));
  }
  // A partnership through A, its participants' deletion refused through B.
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::CreateCompanyRequest request;
    request.set_company_id("anthropic");
    *request.mutable_company() = Company("Anthropic");
    v1::Company ignored;
    ASSERT_GRPC_OK(b_->companies->CreateCompany(&context, request, &ignored));
  }
  v1::Partnership deal;
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::CreatePartnershipRequest request;
    auto* p = request.mutable_partnership();
    p->add_participants()->set_company("companies/micron");
    p->add_participants()->set_company("companies/anthropic");
    p->add_kinds(v1::SUPPLY_AGREEMENT);
    p->set_title("Micron supplies Anthropic");
    p->set_announced_on("2025-11-20");
    p->add_sources()->set_url("https://example.com/a");
    ASSERT_GRPC_OK(
        a_->partnerships->CreatePartnership(&context, request, &deal));
  }
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::DeleteCompanyRequest request;
    request.set_name("companies/anthropic");
    google::protobuf::Empty ignored;
    // B may not have applied the partnership yet: the write waits for what
    // etcd holds, not for what B has.
    EXPECT_THAT(b_->companies->DeleteCompany(&context, request, &ignored),
                StatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                         "referenced by 1 partnership"));
  }
  ExpectReplicasAgree(deal.update_revision(), first - 1);
}

// A writer of its own records through one replica, retrying each write
// whose outcome is unknown with the same request id or etag.
class Writer {
 public:
  Writer(int index, Replica* replica) : index_(index), replica_(replica) {}

  void Run(const std::atomic<bool>* stop) {
    for (int n = 0; !stop->load(); ++n) {
      const std::string id = absl::StrCat("w", index_, "-", n);
      if (!Create(id)) return;
      if (!Update(id)) return;
      if (!Link(absl::StrCat("w", index_, "-", n / 2), id, n)) return;
    }
  }

  // Acknowledged state: company id -> description, partnership request id
  // -> partnership name.
  std::map<std::string, std::string> companies;
  std::map<std::string, std::string> partnerships;
  int unknown = 0;
  int64_t last_revision = 0;
  std::string error;

 private:
  // Retries while the outcome is unknown; false on any other failure.
  template <typename Call>
  bool Retry(const std::string& what, Call call) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const grpc::Status s = call();
      if (s.ok()) return true;
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
          s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        error = absl::StrCat(what, ": ", ToString(s));
        return false;
      }
      ++unknown;
      absl::SleepFor(absl::Milliseconds(100));
    }
    error = absl::StrCat(what, ": still unknown after 200 tries");
    return false;
  }

  bool Create(const std::string& id) {
    v1::CreateCompanyRequest request;
    request.set_company_id(id);
    request.set_request_id("create-" + id);
    *request.mutable_company() = Company(id);
    v1::Company created;
    if (!Retry("create " + id, [&] {
          grpc::ClientContext context;
          Deadline(&context, absl::Seconds(20));
          return replica_->companies->CreateCompany(&context, request,
                                                    &created);
        })) {
      return false;
    }
    etags_[id] = created.etag();
    companies[id] = "";
    last_revision = std::max(last_revision, created.update_revision());
    return true;
  }

  // An etag'ed update: a retry after an unknown outcome that finds the
  // etag moved on must find its own description there.
  bool Update(const std::string& id) {
    const std::string description = absl::StrCat("updated by ", index_);
    v1::UpdateCompanyRequest request;
    request.mutable_company()->set_name("companies/" + id);
    request.mutable_company()->set_description(description);
    request.mutable_company()->set_etag(etags_[id]);
    request.mutable_update_mask()->add_paths("description");
    v1::Company updated;
    bool retried = false;
    for (int attempt = 0; attempt < 200; ++attempt) {
      grpc::ClientContext context;
      Deadline(&context, absl::Seconds(20));
      const grpc::Status s =
          replica_->companies->UpdateCompany(&context, request, &updated);
      if (s.ok()) {
        companies[id] = description;
        last_revision = std::max(last_revision, updated.update_revision());
        return true;
      }
      if (s.error_code() == grpc::StatusCode::ABORTED && retried) {
        // The first try committed: settled.
        companies[id] = description;
        return true;
      }
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
          s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        error = absl::StrCat("update ", id, ": ", ToString(s));
        return false;
      }
      retried = true;
      ++unknown;
      absl::SleepFor(absl::Milliseconds(100));
    }
    error = "update " + id + ": still unknown";
    return false;
  }

  // A partnership with a server-chosen id: only the request id makes its
  // retry safe.
  bool Link(const std::string& a, const std::string& b, int n) {
    if (a == b) return true;
    v1::CreatePartnershipRequest request;
    request.set_request_id(absl::StrCat("link-", index_, "-", n));
    auto* p = request.mutable_partnership();
    p->add_participants()->set_company("companies/" + a);
    p->add_participants()->set_company("companies/" + b);
    p->add_kinds(v1::STRATEGIC_ALLIANCE);
    p->set_title(absl::StrCat(a, " & ", b));
    p->set_announced_on(absl::StrFormat("2025-%02d-01", 1 + n % 12));
    p->add_sources()->set_url(
        absl::StrCat("https://example.com/", index_, "/", n));
    v1::Partnership created;
    if (!Retry("link " + request.request_id(), [&] {
          grpc::ClientContext context;
          Deadline(&context, absl::Seconds(20));
          return replica_->partnerships->CreatePartnership(&context, request,
                                                           &created);
        })) {
      return false;
    }
    const auto [it, inserted] =
        partnerships.emplace(request.request_id(), created.name());
    if (!inserted && it->second != created.name()) {
      error = "a request id answered with two partnerships";
      return false;
    }
    last_revision = std::max(last_revision, created.update_revision());
    return true;
  }

  const int index_;
  Replica* replica_;
  std::map<std::string, std::string> etags_;
};

TEST_F(EtcdReplicasTest, ChaosLosesNothingAcknowledged) {
  const int64_t start = cluster_->Revision();
  const absl::Duration run =
      absl::Seconds(EnvInt("PARTNERGRAPH_CHAOS_SECONDS", 30));
  constexpr int kWriters = 4;
  std::vector<std::unique_ptr<Writer>> writers;
  // Every write goes through A; B is the replica killed and restarted.
  for (int i = 0; i < kWriters; ++i) {
    writers.push_back(std::make_unique<Writer>(i, a_.get()));
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& w : writers) {
    threads.emplace_back([&stop, w = w.get()] { w->Run(&stop); });
  }
  // The leader dies a quarter in and comes back; then the first member of
  // the replicas' endpoint lists (where their calls and watches go), unless
  // it was the leader; then replica B.
  absl::SleepFor(run / 4);
  const int leader = cluster_->Leader();
  ASSERT_GE(leader, 0);
  cluster_->Kill(leader);
  absl::SleepFor(run / 8);
  cluster_->Start(leader);
  ASSERT_TRUE(cluster_->WaitHealthy());
  const int first = leader == 0 ? 1 : 0;
  cluster_->Kill(first);
  absl::SleepFor(run / 16);
  cluster_->Start(first);
  absl::SleepFor(run / 16);
  b_->Kill();
  absl::SleepFor(run / 8);
  ASSERT_TRUE(b_->Start()) << b_->output();
  absl::SleepFor(run * 3 / 8);
  stop = true;
  for (auto& t : threads) t.join();

  int64_t last = 0;
  int unknown = 0;
  for (auto& w : writers) {
    EXPECT_EQ(w->error, "");
    last = std::max(last, w->last_revision);
    unknown += w->unknown;
  }
  size_t acked = 0;
  for (auto& w : writers) acked += w->companies.size() + w->partnerships.size();
  std::printf(
      "chaos: leader m%d and m%d killed, replica B killed; %zu records "
      "acknowledged, %d unknown outcomes retried\n",
      leader, first, acked, unknown);
  // Every acknowledged write, on both replicas, at the last revision.
  for (Replica* r : {a_.get(), b_.get()}) {
    for (auto& w : writers) {
      for (const auto& [id, description] : w->companies) {
        grpc::ClientContext context;
        Deadline(&context, absl::Seconds(30));
        v1::GetCompanyRequest request;
        request.set_name("companies/" + id);
        request.set_min_revision(last);
        v1::Company got;
        ASSERT_GRPC_OK(r->companies->GetCompany(&context, request, &got));
        EXPECT_EQ(got.description(), description) << id;
      }
    }
  }
  // Exactly one partnership per request id: the store holds as many
  // partnerships as were acknowledged.
  size_t acknowledged = 0;
  for (auto& w : writers) acknowledged += w->partnerships.size();
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::GetStatsRequest request;
    v1::GetStatsResponse stats;
    ASSERT_GRPC_OK(a_->admin->GetStats(&context, request, &stats));
    EXPECT_EQ(stats.partnerships(), static_cast<int64_t>(acknowledged));
  }
  ExpectReplicasAgree(last, start);
}

TEST_F(EtcdReplicasTest, ReplicaBehindCompactionRebuilds) {
  auto create = [&](Replica& r, const std::string& id) {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::CreateCompanyRequest request;
    request.set_company_id(id);
    *request.mutable_company() = Company(id);
    v1::Company created;
    EXPECT_GRPC_OK(r.companies->CreateCompany(&context, request, &created));
    return created.update_revision();
  };
  create(*a_, "before");
  ASSERT_TRUE(b_->Stop()) << b_->output();
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) last = create(*a_, absl::StrCat("while-", i));
  ASSERT_TRUE(cluster_->Compact(cluster_->Revision()));
  ASSERT_TRUE(b_->Start()) << b_->output();
  // B holds what it missed, from the rebuild.
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(30));
  v1::GetCompanyRequest request;
  request.set_name("companies/while-4");
  request.set_min_revision(last);
  v1::Company got;
  ASSERT_GRPC_OK(b_->companies->GetCompany(&context, request, &got));
  EXPECT_EQ(got.update_revision(), last);
  // Its history starts at the rebuild: the versions before are not held.
  {
    grpc::ClientContext ctx;
    Deadline(&ctx, absl::Seconds(30));
    v1::GetCompanyRequest old;
    old.set_name("companies/before");
    old.set_as_of_revision(last - 1);
    v1::Company ignored;
    EXPECT_THAT(b_->companies->GetCompany(&ctx, old, &ignored),
                StatusIs(grpc::StatusCode::OUT_OF_RANGE, "no longer held"));
  }
  const int64_t after = create(*b_, "after");
  int64_t rev_a = 0, rev_b = 0;
  EXPECT_EQ(Export(*a_, after, &rev_a), Export(*b_, after, &rev_b));
  ASSERT_TRUE(a_->Stop()) << a_->output();
  ASSERT_TRUE(b_->Stop()) << b_->output();
  ExpectConsistent(a_->data_dir());
  ExpectConsistent(b_->data_dir());
}

// Imports `records` through the replica in messages of 500.
grpc::Status Import(Replica& r, const std::vector<v1::Record>& records,
                    bool all_or_nothing, v1::ImportRecordsResponse* response) {
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(120));
  auto writer = r.admin->ImportRecords(&context, response);
  v1::ImportRecordsRequest request;
  request.set_all_or_nothing(all_or_nothing);
  for (size_t i = 0; i < records.size(); ++i) {
    *request.add_records() = records[i];
    if (request.records_size() == 500 || i + 1 == records.size()) {
      if (!writer->Write(request)) break;
      request.clear_records();
    }
  }
  writer->WritesDone();
  return writer->Finish();
}

TEST_F(EtcdReplicasTest, ImportsBeyondOneTxnCommitInChunks) {
  constexpr int kCompanies = 400;
  std::vector<v1::Record> records;
  for (int i = 0; i < kCompanies; ++i) {
    v1::Company c = Company(absl::StrCat("Company ", i));
    c.set_name(absl::StrCat("companies/c", i));
    *records.emplace_back().mutable_company() = c;
  }
  for (int i = 1; i < kCompanies; ++i) {
    v1::Partnership p;
    p.set_name(absl::StrCat("partnerships/p", i));
    p.set_title(absl::StrCat("c0 & c", i));
    p.add_participants()->set_company("companies/c0");
    p.add_participants()->set_company(absl::StrCat("companies/c", i));
    p.add_kinds(v1::STRATEGIC_ALLIANCE);
    p.set_announced_on("2025-06-01");
    p.add_sources()->set_url(absl::StrCat("https://example.com/", i));
    *records.emplace_back().mutable_partnership() = p;
  }
  // all_or_nothing with one bad record: checked whole, nothing written.
  std::vector<v1::Record> bad = records;
  bad[kCompanies + 10].mutable_partnership()->set_announced_on("2025-13-01");
  v1::ImportRecordsResponse refused;
  ASSERT_GRPC_OK(Import(*a_, bad, true, &refused));
  EXPECT_EQ(refused.companies_written(), 0);
  EXPECT_EQ(refused.partnerships_written(), 0);
  ASSERT_EQ(refused.errors_size(), 1) << refused.DebugString();
  EXPECT_EQ(refused.errors(0).index(), kCompanies + 10);
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::GetStatsResponse stats;
    ASSERT_GRPC_OK(
        a_->admin->GetStats(&context, v1::GetStatsRequest(), &stats));
    EXPECT_EQ(stats.companies(), 0);
  }

  v1::ImportRecordsResponse imported;
  ASSERT_GRPC_OK(Import(*a_, records, true, &imported));
  EXPECT_EQ(imported.companies_written(), kCompanies);
  EXPECT_EQ(imported.partnerships_written(), kCompanies - 1);
  EXPECT_EQ(imported.errors_size(), 0);

  // c0 is a hub of 399 partnerships: deleting it with them is far more
  // than 128 operations.
  {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::DeleteCompanyRequest request;
    request.set_name("companies/c0");
    request.set_force(true);
    google::protobuf::Empty ignored;
    EXPECT_THAT(a_->companies->DeleteCompany(&context, request, &ignored),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "--max-txn-ops"));
  }
  ExpectReplicasAgree(imported.revision(), imported.revision() - 1);
}

}  // namespace
}  // namespace partnergraph::server_testing
