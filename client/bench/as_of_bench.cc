#include "client/bench/as_of_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"

namespace partnergraph::bench {
namespace {

namespace v1 = ::partnergraph::v1;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what, const grpc::Status& s) {
  std::fprintf(stderr, "as-of bench: %s: %d %s\n", what.c_str(),
               static_cast<int>(s.error_code()), s.error_message().c_str());
  std::exit(1);
}

void SetDeadline(grpc::ClientContext* c, int timeout_ms) {
  c->set_deadline(std::chrono::system_clock::now() +
                  std::chrono::milliseconds(timeout_ms));
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// One 2-hop neighbourhood (as of `as_of`, 0 = now); its milliseconds.
double Hood(v1::GraphService::Stub* stub, const std::string& company,
            int64_t as_of, const AsOfBenchOptions& o, int64_t* revision,
            int* nodes) {
  v1::GetNeighborhoodRequest req;
  req.set_company(company);
  req.set_depth(2);
  req.set_max_nodes(o.max_nodes);
  req.set_as_of_revision(as_of);
  v1::GetNeighborhoodResponse resp;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, o.timeout_ms);
  const auto t0 = Clock::now();
  grpc::Status s = stub->GetNeighborhood(&ctx, req, &resp);
  const double ms =
      std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!s.ok()) Fail("GetNeighborhood", s);
  *revision = resp.revision();
  *nodes = resp.nodes_size();
  return ms;
}

// `o.writes` updates of random partnerships' title and status, each a
// revision; returns the seconds they took.
double Write(const std::shared_ptr<grpc::Channel>& channel,
             const graphgen::Graph& graph, const AsOfBenchOptions& o) {
  std::atomic<int> next{0};
  std::vector<std::thread> writers;
  const auto t0 = Clock::now();
  for (int w = 0; w < o.writers; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::PartnershipService::NewStub(channel);
      std::mt19937_64 rng(o.seed * 7919 + w);
      for (int i = next++; i < o.writes; i = next++) {
        const auto& p = graph.partnerships[rng() % graph.partnerships.size()];
        v1::UpdatePartnershipRequest req;
        req.mutable_partnership()->set_name(
            absl::StrCat("partnerships/", p.id));
        req.mutable_partnership()->set_title(
            absl::StrCat(p.title, " (revised ", i, ")"));
        req.mutable_partnership()->set_status(
            static_cast<v1::PartnershipStatus>(1 + rng() % 3));
        req.mutable_update_mask()->add_paths("title");
        req.mutable_update_mask()->add_paths("status");
        v1::Partnership resp;
        grpc::ClientContext ctx;
        SetDeadline(&ctx, o.timeout_ms);
        grpc::Status s = stub->UpdatePartnership(&ctx, req, &resp);
        if (!s.ok()) Fail("UpdatePartnership", s);
      }
    });
  }
  for (auto& t : writers) t.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

void RunAsOfBench(const std::shared_ptr<grpc::Channel>& channel,
                  const graphgen::Graph& graph,
                  const std::vector<int32_t>& starts,
                  const AsOfBenchOptions& o) {
  if (starts.empty()) return;
  auto stub = v1::GraphService::NewStub(channel);
  auto name = [&](int32_t c) {
    return absl::StrCat("companies/", graph.companies[c].id);
  };
  int64_t before = 0;
  int nodes = 0;
  Hood(stub.get(), name(starts[0]), 0, o, &before, &nodes);
  const double write_s = Write(channel, graph, o);
  std::vector<double> now_ms, past_ms;
  int64_t now_rev = 0, past_rev = 0;
  int differing = 0;
  for (int32_t c : starts) {
    int now_nodes = 0, past_nodes = 0;
    now_ms.push_back(Hood(stub.get(), name(c), 0, o, &now_rev, &now_nodes));
    past_ms.push_back(
        Hood(stub.get(), name(c), before, o, &past_rev, &past_nodes));
    // The updates change no participant: the same companies either way.
    if (now_nodes != past_nodes || past_rev != before) ++differing;
  }
  const double now_p50 = Percentile(now_ms, 0.5);
  const double past_p50 = Percentile(past_ms, 0.5);
  std::printf(
      "\n2-hop as of a past revision: %d partnership updates in %.1f s "
      "(%.0f/s), then %zu uniform starts, alternating\n"
      "  now (revision %lld):      p50 %.2f ms, p99 %.2f ms\n"
      "  as of revision %lld:  p50 %.2f ms, p99 %.2f ms\n"
      "  as-of / now p50: %.2fx (goal <= 2x); answers with other nodes or "
      "revision: %d\n",
      o.writes, write_s, o.writes / write_s, starts.size(),
      static_cast<long long>(now_rev), now_p50, Percentile(now_ms, 0.99),
      static_cast<long long>(before), past_p50, Percentile(past_ms, 0.99),
      now_p50 > 0 ? past_p50 / now_p50 : 0.0, differing);
}

}  // namespace partnergraph::bench
