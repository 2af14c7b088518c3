// Crash safety of partnergraphd end to end: writers run a mixed load against
// the real binary (sync on), the process is killed with SIGKILL at a random
// moment, and the data directory is then opened in-process and checked:
//   - every acknowledged write is there, exactly as acknowledged;
//   - the one write per writer that was in flight when the process died is
//     either fully applied or not at all (a forced company delete takes the
//     company and all its partnerships, or nothing);
//   - nothing else is there;
//   - GraphStore::CheckConsistency finds no disagreement between records and
//     indexes.
// Then the daemon is restarted on the same directory and must serve the same
// revision. Repeated for many rounds.
//
// Knobs (environment):
//   PARTNERGRAPH_CRASH_ROUNDS     rounds (default 20)
//   PARTNERGRAPH_CRASH_WINDOW_MS  longest load window before the kill
//                                 (default 250; each round picks 20..window)
//   PARTNERGRAPH_CRASH_SEED       random seed (default: from the clock; the
//                                 seed is printed so a failure can be replayed)

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/graph_store.h"
#include "tests/server/daemon_process.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

namespace st = ::partnergraph::storage;

// A writer's view of its own records. rev -1 means "any revision": the record
// was written by a call whose answer never came.
struct CompanyState {
  std::string description;
  int64_t rev = -1;
  bool operator==(const CompanyState& o) const {
    return description == o.description && rev == o.rev;
  }
};
struct PartnershipState {
  std::string title;
  std::vector<std::string> participants;  // Company ids, in request order.
  int64_t rev = -1;
};
struct Model {
  std::map<std::string, CompanyState> companies;
  std::map<std::string, PartnershipState> partnerships;
};

// What the store holds for one writer.
struct Actual {
  std::map<std::string, st::CompanyRecord> companies;
  std::map<std::string, st::PartnershipRecord> partnerships;
};

// The first difference between `model` and `actual`, empty when they agree.
std::string Diff(const Model& model, const Actual& actual) {
  for (const auto& [id, want] : model.companies) {
    auto it = actual.companies.find(id);
    if (it == actual.companies.end())
      return absl::StrCat("company ", id, " missing");
    if (it->second.description() != want.description) {
      return absl::StrCat("company ", id, " description ",
                          it->second.description(), ", want ",
                          want.description);
    }
    if (want.rev >= 0 && it->second.update_revision() != want.rev) {
      return absl::StrCat("company ", id, " update_revision ",
                          it->second.update_revision(), ", want ", want.rev);
    }
  }
  for (const auto& [id, record] : actual.companies) {
    if (model.companies.count(id) == 0) {
      return absl::StrCat("company ", id, " present, want absent");
    }
  }
  for (const auto& [id, want] : model.partnerships) {
    auto it = actual.partnerships.find(id);
    if (it == actual.partnerships.end()) {
      return absl::StrCat("partnership ", id, " missing");
    }
    std::vector<std::string> participants;
    for (const auto& p : it->second.participants()) {
      participants.push_back(p.company_id());
    }
    std::vector<std::string> want_participants = want.participants;
    std::sort(participants.begin(), participants.end());
    std::sort(want_participants.begin(), want_participants.end());
    if (it->second.title() != want.title || participants != want_participants) {
      return absl::StrCat("partnership ", id, " is \"", it->second.title(),
                          "\" of ", absl::StrJoin(participants, ","),
                          ", want \"", want.title, "\" of ",
                          absl::StrJoin(want_participants, ","));
    }
    if (want.rev >= 0 && it->second.update_revision() != want.rev) {
      return absl::StrCat("partnership ", id, " update_revision ",
                          it->second.update_revision(), ", want ", want.rev);
    }
  }
  for (const auto& [id, record] : actual.partnerships) {
    if (model.partnerships.count(id) == 0) {
      return absl::StrCat("partnership ", id, " present, want absent");
    }
  }
  return "";
}

// The store's state as models with every revision known.
Model ModelOf(const Actual& actual) {
  Model model;
  for (const auto& [id, r] : actual.companies) {
    model.companies[id] = {r.description(), r.update_revision()};
  }
  for (const auto& [id, r] : actual.partnerships) {
    PartnershipState& p = model.partnerships[id];
    p.title = r.title();
    for (const auto& participant : r.participants()) {
      p.participants.push_back(participant.company_id());
    }
    p.rev = r.update_revision();
  }
  return model;
}

bool ServerWentAway(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::CANCELLED ||
         code == grpc::StatusCode::UNKNOWN;
}

// One writer: owns the companies "w<N>-c*" and partnerships "w<N>-p*" and
// issues one call at a time, so at most one of its writes is in flight when
// the server dies.
class Writer {
 public:
  // Most companies a writer keeps; at the cap it deletes instead of creating.
  static constexpr int kMaxCompanies = 16;

  Writer(int index, uint64_t seed) : index_(index), rng_(seed) {}

  // Issues calls until one fails because the server went away (that write is
  // then pending) or `max_ops` calls were made.
  void Run(v1::CompanyService::Stub* companies,
           v1::PartnershipService::Stub* partnerships, int max_ops) {
    companies_ = companies;
    partnerships_ = partnerships;
    for (int i = 0; i < max_ops && !pending_.has_value(); ++i) Step();
  }

  // Resolves the pending write against what the store holds: the store must
  // match the model from before it or the one after it.
  void Resolve(const Actual& actual, std::vector<std::string>* problems) {
    const std::string before = Diff(model_, actual);
    if (before.empty()) {
      model_ = ModelOf(actual);
      if (pending_.has_value()) ++in_flight_not_applied_;
    } else if (pending_.has_value() && Diff(*pending_, actual).empty()) {
      model_ = ModelOf(actual);
      ++in_flight_applied_;
    } else {
      problems->push_back(absl::StrCat(
          "writer ", index_, ": ", before,
          pending_.has_value() ? absl::StrCat(" (in flight: ", pending_what_,
                                              "; not applied either: ",
                                              Diff(*pending_, actual), ")")
                               : " (nothing in flight)"));
    }
    pending_.reset();
  }

  int index() const { return index_; }
  int acknowledged() const { return acknowledged_; }
  int refused_as_expected() const { return refused_as_expected_; }
  int in_flight_applied() const { return in_flight_applied_; }
  int in_flight_not_applied() const { return in_flight_not_applied_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string CompanyId(int n) const {
    return absl::StrCat("w", index_, "-c", n);
  }

  std::string PickCompany() {
    auto it = model_.companies.begin();
    std::advance(it, Uniform(model_.companies.size()));
    return it->first;
  }
  std::string PickPartnership() {
    auto it = model_.partnerships.begin();
    std::advance(it, Uniform(model_.partnerships.size()));
    return it->first;
  }
  size_t Uniform(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  bool HasPartnerships(const std::string& company) const {
    for (const auto& [id, p] : model_.partnerships) {
      for (const std::string& c : p.participants) {
        if (c == company) return true;
      }
    }
    return false;
  }

  // Handles the answer to a write whose success leads to `after`. Returns
  // true when it was acknowledged.
  bool Finish(const grpc::Status& status, const std::string& what,
              Model after) {
    if (status.ok()) {
      model_ = std::move(after);
      ++acknowledged_;
      return true;
    }
    if (ServerWentAway(status.error_code())) {
      pending_ = std::move(after);
      pending_what_ = what;
    } else {
      errors_.push_back(absl::StrCat(what, ": ", ToString(status)));
      pending_ = model_;  // Stops the writer.
    }
    return false;
  }

  // A write the server must refuse with `code`; it changes nothing.
  void ExpectRefusal(const grpc::Status& status, grpc::StatusCode code,
                     const std::string& what) {
    if (status.error_code() == code) {
      ++refused_as_expected_;
    } else if (ServerWentAway(status.error_code())) {
      pending_ = model_;
      pending_what_ = what;
    } else {
      errors_.push_back(absl::StrCat(what, ": got ", ToString(status),
                                     ", want ", CodeName(code)));
      pending_ = model_;
    }
  }

  void Step() {
    const size_t n_companies = model_.companies.size();
    const int r = static_cast<int>(Uniform(100));
    if (n_companies < 3 || (r < 25 && n_companies < kMaxCompanies)) {
      CreateCompany();
    } else if (r < 45) {
      CreatePartnership();
    } else if (r < 60) {
      UpdateCompany();
    } else if (r < 68 && !model_.partnerships.empty()) {
      UpdatePartnership();
    } else if (r < 74 && !model_.partnerships.empty()) {
      DeletePartnership();
    } else if (r < 80) {
      StaleEtagUpdate();
    } else if (r < 88) {
      DeleteCompany(/*force=*/false);
    } else {
      DeleteCompany(/*force=*/true);
    }
  }

  void CreateCompany() {
    const int n = next_company_++;
    const std::string id = CompanyId(n);
    v1::CreateCompanyRequest request;
    request.set_company_id(id);
    request.set_request_id(absl::StrCat("crash-", id));
    v1::Company* c = request.mutable_company();
    c->set_display_name(absl::StrCat("Crash W", index_, " C", n));
    c->add_aliases(absl::StrCat("Crashco ", index_, "x", n));
    c->add_tickers(absl::StrCat("XCR:W", index_, "C", n));
    c->add_sectors(absl::StrCat("crash/w", index_));
    c->set_description("v0");
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Company response;
    Model after = model_;
    after.companies[id] = {"v0", -1};
    const grpc::Status status =
        companies_->CreateCompany(&context, request, &response);
    if (status.ok()) after.companies[id].rev = response.update_revision();
    Finish(status, "create " + id, std::move(after));
  }

  void CreatePartnership() {
    // Two or three distinct companies of this writer.
    std::vector<std::string> participants;
    const size_t want = 2 + Uniform(2);
    for (int tries = 0; tries < 20 && participants.size() < want; ++tries) {
      std::string c = PickCompany();
      if (std::find(participants.begin(), participants.end(), c) ==
          participants.end()) {
        participants.push_back(c);
      }
    }
    if (participants.size() < 2) return;
    const int n = next_partnership_++;
    const std::string id = absl::StrCat("w", index_, "-p", n);
    v1::CreatePartnershipRequest request;
    request.set_partnership_id(id);
    v1::Partnership* p = request.mutable_partnership();
    p->set_title(absl::StrCat("Deal ", id));
    for (const std::string& c : participants) {
      v1::Participant* participant = p->add_participants();
      participant->set_company("companies/" + c);
      participant->set_role(v1::PARTNER);
    }
    p->add_kinds(n % 2 == 0 ? v1::STRATEGIC_ALLIANCE : v1::SUPPLY_AGREEMENT);
    p->set_status(v1::ANNOUNCED);
    // A distinct date per partnership keeps them from being duplicates.
    const absl::CivilDay day = absl::CivilDay(2000, 1, 1) + n;
    p->set_announced_on(absl::FormatCivilTime(day));
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Partnership response;
    Model after = model_;
    after.partnerships[id] = {p->title(), participants, -1};
    const grpc::Status status =
        partnerships_->CreatePartnership(&context, request, &response);
    if (status.ok()) after.partnerships[id].rev = response.update_revision();
    Finish(status, "create " + id, std::move(after));
  }

  void UpdateCompany() {
    const std::string id = PickCompany();
    const std::string description = absl::StrCat("v", ++updates_);
    v1::UpdateCompanyRequest request;
    request.mutable_company()->set_name("companies/" + id);
    request.mutable_company()->set_description(description);
    request.mutable_company()->add_aliases(
        absl::StrCat("Crashco ", index_, " alias ", updates_));
    request.mutable_update_mask()->add_paths("description");
    request.mutable_update_mask()->add_paths("aliases");
    request.set_etag(st::EtagFor(model_.companies[id].rev));
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Company response;
    Model after = model_;
    after.companies[id] = {description, -1};
    const grpc::Status status =
        companies_->UpdateCompany(&context, request, &response);
    if (status.ok()) after.companies[id].rev = response.update_revision();
    Finish(status, "update " + id, std::move(after));
  }

  void UpdatePartnership() {
    const std::string id = PickPartnership();
    const std::string title = absl::StrCat("Deal ", id, " v", ++updates_);
    v1::UpdatePartnershipRequest request;
    request.mutable_partnership()->set_name("partnerships/" + id);
    request.mutable_partnership()->set_title(title);
    request.mutable_update_mask()->add_paths("title");
    request.set_etag(st::EtagFor(model_.partnerships[id].rev));
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Partnership response;
    Model after = model_;
    after.partnerships[id].title = title;
    after.partnerships[id].rev = -1;
    const grpc::Status status =
        partnerships_->UpdatePartnership(&context, request, &response);
    if (status.ok()) after.partnerships[id].rev = response.update_revision();
    Finish(status, "update " + id, std::move(after));
  }

  void DeletePartnership() {
    const std::string id = PickPartnership();
    v1::DeletePartnershipRequest request;
    request.set_name("partnerships/" + id);
    request.set_etag(st::EtagFor(model_.partnerships[id].rev));
    grpc::ClientContext context;
    SetDeadline(&context);
    google::protobuf::Empty response;
    Model after = model_;
    after.partnerships.erase(id);
    Finish(partnerships_->DeletePartnership(&context, request, &response),
           "delete " + id, std::move(after));
  }

  // An update with an etag from the future: ABORTED, nothing written.
  void StaleEtagUpdate() {
    const std::string id = PickCompany();
    v1::UpdateCompanyRequest request;
    request.mutable_company()->set_name("companies/" + id);
    request.mutable_company()->set_description("must not be written");
    request.mutable_update_mask()->add_paths("description");
    request.set_etag(st::EtagFor(model_.companies[id].rev + 1000000000));
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Company response;
    ExpectRefusal(companies_->UpdateCompany(&context, request, &response),
                  grpc::StatusCode::ABORTED, "stale-etag update " + id);
  }

  // Without force a company in a partnership is refused (and nothing is
  // written); with force it goes with its partnerships in one write.
  void DeleteCompany(bool force) {
    const std::string id = PickCompany();
    v1::DeleteCompanyRequest request;
    request.set_name("companies/" + id);
    request.set_etag(st::EtagFor(model_.companies[id].rev));
    request.set_force(force);
    grpc::ClientContext context;
    SetDeadline(&context);
    google::protobuf::Empty response;
    const std::string what =
        absl::StrCat(force ? "force-delete " : "delete ", id);
    if (!force && HasPartnerships(id)) {
      ExpectRefusal(companies_->DeleteCompany(&context, request, &response),
                    grpc::StatusCode::FAILED_PRECONDITION, what);
      return;
    }
    Model after = model_;
    after.companies.erase(id);
    for (auto it = after.partnerships.begin();
         it != after.partnerships.end();) {
      const auto& ps = it->second.participants;
      if (std::find(ps.begin(), ps.end(), id) != ps.end()) {
        it = after.partnerships.erase(it);
      } else {
        ++it;
      }
    }
    Finish(companies_->DeleteCompany(&context, request, &response), what,
           std::move(after));
  }

  const int index_;
  std::mt19937_64 rng_;
  v1::CompanyService::Stub* companies_ = nullptr;
  v1::PartnershipService::Stub* partnerships_ = nullptr;
  Model model_;
  std::optional<Model> pending_;
  std::string pending_what_;
  std::vector<std::string> errors_;
  int next_company_ = 0;
  int next_partnership_ = 0;
  int updates_ = 0;
  int acknowledged_ = 0;
  int refused_as_expected_ = 0;
  int in_flight_applied_ = 0;
  int in_flight_not_applied_ = 0;
};

// Reads every record of the store, split by owning writer ("w<N>-...").
absl::Status ReadAll(st::GraphStore* store, std::map<int, Actual>* out) {
  auto owner = [](const std::string& id) {
    int n = -1;
    const size_t dash = id.find('-');
    if (id.size() < 2 || id[0] != 'w' || dash == std::string::npos ||
        !absl::SimpleAtoi(id.substr(1, dash - 1), &n)) {
      return -1;
    }
    return n;
  };
  std::string token;
  do {
    auto page =
        store->ListCompanies(st::CompanyFilter(), st::kMaxPageSize, token);
    if (!page.ok()) return page.status();
    for (auto& c : page->companies) {
      (*out)[owner(c.id())].companies[c.id()] = c;
    }
    token = page->next_page_token;
  } while (!token.empty());
  do {
    auto page = store->ListPartnerships(st::PartnershipQuery(),
                                        st::kMaxPageSize, token);
    if (!page.ok()) return page.status();
    for (auto& p : page->partnerships) {
      (*out)[owner(p.id())].partnerships[p.id()] = p;
    }
    token = page->next_page_token;
  } while (!token.empty());
  return absl::OkStatus();
}

std::vector<std::string> DaemonArgs(const std::string& data_dir) {
  return {"--plaintext", "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
          "--sync", "--log_level=warning"};
}

TEST(CrashTest,
     SigkillAtRandomMomentsLosesNoAcknowledgedWriteAndHalfAppliesNone) {
  const int rounds = EnvInt("PARTNERGRAPH_CRASH_ROUNDS", 20);
  const int window_ms =
      std::max(20, EnvInt("PARTNERGRAPH_CRASH_WINDOW_MS", 250));
  const uint64_t seed = EnvSeed("PARTNERGRAPH_CRASH_SEED");
  std::printf("crash test: %d rounds, window up to %d ms, seed %llu\n", rounds,
              window_ms, static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);

  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  constexpr int kWriters = 4;
  constexpr int kMaxOpsPerRound = 5000;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(w, seed * 31 + w));
  }

  int64_t last_revision = 0;
  int total_acked = 0;
  int total_refused = 0;
  int in_flight_applied = 0;
  int in_flight_not_applied = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round, " (seed ", seed, ")"));
    {
      DaemonProcess daemon(PARTNERGRAPHD_PATH, DaemonArgs(data_dir));
      ASSERT_TRUE(daemon.ok());
      const int port = daemon.WaitForPort();
      ASSERT_GT(port, 0) << daemon.output();
      auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                         grpc::InsecureChannelCredentials());
      auto company_stub = v1::CompanyService::NewStub(channel);
      auto partnership_stub = v1::PartnershipService::NewStub(channel);

      // The restarted daemon serves the revision the store was left at.
      {
        grpc::ClientContext context;
        SetDeadline(&context);
        v1::ListCompaniesRequest request;
        request.set_page_size(1);
        v1::ListCompaniesResponse response;
        ASSERT_GRPC_OK(
            company_stub->ListCompanies(&context, request, &response));
        EXPECT_EQ(response.revision(), last_revision);
      }

      std::vector<std::thread> threads;
      for (auto& writer : writers) {
        threads.emplace_back([&, w = writer.get()] {
          w->Run(company_stub.get(), partnership_stub.get(), kMaxOpsPerRound);
        });
      }
      const int window = std::uniform_int_distribution<int>(20, window_ms)(rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(window));
      const bool killed = daemon.Kill();
      for (std::thread& t : threads) t.join();
      EXPECT_TRUE(killed) << "daemon ended before the kill\n"
                          << daemon.output();
    }

    // The server is dead: open its directory in-process.
    st::StoreOptions options;
    auto store = st::OpenRocksDbStore(data_dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    std::map<int, Actual> actual;
    const absl::Status read = ReadAll(store->get(), &actual);
    ASSERT_TRUE(read.ok()) << read;
    EXPECT_TRUE(actual.count(-1) == 0) << "records no writer created";
    std::vector<std::string> problems;
    for (auto& writer : writers) {
      for (const std::string& e : writer->errors()) {
        problems.push_back(absl::StrCat("writer ", writer->index(), ": ", e));
      }
      writer->Resolve(actual[writer->index()], &problems);
    }
    EXPECT_THAT(problems, ::testing::IsEmpty());
    auto report = (*store)->CheckConsistency();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
    EXPECT_GE((*store)->Revision(), last_revision);
    last_revision = (*store)->Revision();
    if (::testing::Test::HasFailure()) break;
  }
  for (auto& writer : writers) {
    total_acked += writer->acknowledged();
    total_refused += writer->refused_as_expected();
    in_flight_applied += writer->in_flight_applied();
    in_flight_not_applied += writer->in_flight_not_applied();
  }
  std::printf(
      "crash test: %d rounds, %d acknowledged writes, %d refusals checked, "
      "writes cut by the kill: %d applied, %d not; final revision %lld\n",
      rounds, total_acked, total_refused, in_flight_applied,
      in_flight_not_applied, static_cast<long long>(last_revision));
  // The load really ran: writes were acknowledged and refusals checked.
  EXPECT_GT(total_acked, rounds);
  EXPECT_GT(total_refused, 0);
}

}  // namespace
}  // namespace partnergraph::server_testing
