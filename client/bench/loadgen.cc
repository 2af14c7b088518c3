// partnergraph_loadgen: closed-loop load against a live partnergraphd.
//
// For each RPC in turn (the bare-gRPC baseline grpc.health.v1.Health/Check,
// then GetCompany, SearchCompanies and a durable CreatePartnership) it keeps
// --concurrency calls in flight over --channels separate connections, each
// call issued as soon as the previous one in its slot completes, first for a
// warm-up that is not measured, then for --duration (or --requests calls).
// It does so for --rounds rounds, each round running every RPC once in turn,
// so a slow spell of a shared machine touches all RPCs alike. It prints a row
// per RPC and round, then the median over the rounds of each RPC's throughput
// and latency percentiles, and the GetCompany/Health throughput ratio of each
// round with its median. Every figure is measured in this run.
//
// Calls go through grpc::GenericStub on completion queues (one queue and one
// polling thread per channel), with requests serialized up front, so the
// client does the same small amount of work for every RPC and the
// differences come from the server.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "client/requests.h"
#include "client/transport.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"

namespace partnergraph::loadgen {
namespace {

namespace v1 = ::partnergraph::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string server = "localhost:50051";
  int concurrency = 64;
  int channels = 4;
  absl::Duration duration = absl::Seconds(2);
  absl::Duration warmup = absl::Milliseconds(500);
  // When > 0, each RPC's measured phase is this many calls instead of
  // `duration`.
  int64_t requests = 0;
  int companies = 100;
  int rounds = 5;
  std::vector<std::string> rpcs = {"health", "get", "search", "create"};
  absl::Duration call_timeout = absl::Seconds(10);
  // TLS and bearer token (see client/transport.h); plaintext by default.
  client::TransportOptions transport;
};

grpc::ByteBuffer Serialize(const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// What one RPC of the benchmark sends and how its answer is checked.
class Workload {
 public:
  virtual ~Workload() = default;
  // Row label.
  virtual std::string Label() const = 0;
  // Full method name, "/package.Service/Method".
  virtual std::string Method() const = 0;
  // The request of the `seq`-th call of this run (seq counts from 0).
  virtual grpc::ByteBuffer Request(uint64_t seq) const = 0;
  // Whether an OK response is the expected one.
  virtual bool Check(const grpc::ByteBuffer& response) const { return true; }
};

class HealthWorkload : public Workload {
 public:
  std::string Label() const override { return "grpc.health.v1.Health/Check"; }
  std::string Method() const override { return "/grpc.health.v1.Health/Check"; }
  // HealthCheckRequest{service: ""} encodes to zero bytes.
  grpc::ByteBuffer Request(uint64_t) const override {
    grpc::Slice empty;
    return grpc::ByteBuffer(&empty, 1);
  }
  // HealthCheckResponse{status: SERVING} is field 1, varint 1: 08 01.
  bool Check(const grpc::ByteBuffer& response) const override {
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return false;
    std::string bytes;
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    return bytes == std::string("\x08\x01", 2);
  }
};

class GetCompanyWorkload : public Workload {
 public:
  explicit GetCompanyWorkload(std::vector<std::string> names)
      : requests_(names.size()) {
    for (size_t i = 0; i < names.size(); ++i) {
      v1::GetCompanyRequest request;
      request.set_name(names[i]);
      requests_[i] = request.SerializeAsString();
    }
  }
  std::string Label() const override { return "GetCompany"; }
  std::string Method() const override {
    return "/partnergraph.v1.CompanyService/GetCompany";
  }
  grpc::ByteBuffer Request(uint64_t seq) const override {
    grpc::Slice slice(requests_[seq % requests_.size()]);
    return grpc::ByteBuffer(&slice, 1);
  }

 private:
  std::vector<std::string> requests_;
};

class SearchWorkload : public Workload {
 public:
  explicit SearchWorkload(const std::vector<std::string>& queries) {
    for (const std::string& query : queries) {
      v1::SearchCompaniesRequest request;
      request.set_query(query);
      requests_.push_back(request.SerializeAsString());
    }
  }
  std::string Label() const override { return "SearchCompanies"; }
  std::string Method() const override {
    return "/partnergraph.v1.CompanyService/SearchCompanies";
  }
  grpc::ByteBuffer Request(uint64_t seq) const override {
    grpc::Slice slice(requests_[seq % requests_.size()]);
    return grpc::ByteBuffer(&slice, 1);
  }

 private:
  std::vector<std::string> requests_;
};

// Every call names a different pair of this run's companies or a different
// announcement date (day `seq` after 1900-01-01), so none is a duplicate.
class CreatePartnershipWorkload : public Workload {
 public:
  explicit CreatePartnershipWorkload(std::vector<std::string> names)
      : names_(std::move(names)) {}
  std::string Label() const override { return "CreatePartnership"; }
  std::string Method() const override {
    return "/partnergraph.v1.PartnershipService/CreatePartnership";
  }
  // Numbered across phases, so later rounds repeat no earlier call.
  grpc::ByteBuffer Request(uint64_t) const override {
    const uint64_t seq = next_.fetch_add(1);
    const uint64_t n = names_.size();
    const uint64_t a = seq % n;
    const uint64_t b = (a + 1 + (seq / n) % (n - 1)) % n;
    v1::CreatePartnershipRequest request;
    v1::Partnership* partnership = request.mutable_partnership();
    partnership->set_title(absl::StrCat("loadgen partnership ", seq));
    partnership->add_participants()->set_company(names_[a]);
    partnership->add_participants()->set_company(names_[b]);
    partnership->add_kinds(v1::STRATEGIC_ALLIANCE);
    partnership->set_announced_on(absl::FormatCivilTime(
        absl::CivilDay(1900, 1, 1) + static_cast<int64_t>(seq)));
    return Serialize(request);
  }

 private:
  std::vector<std::string> names_;
  mutable std::atomic<uint64_t> next_{0};
};

struct PhaseResult {
  std::string label;
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<int64_t> latencies_ns;  // sorted, successful and failed calls
  std::string first_error;
};

// One closed-loop run of `workload` over `channels`.
class Phase {
 public:
  Phase(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
        const Workload& workload, const Options& options)
      : workload_(workload), options_(options), method_(workload.Method()) {
    for (const auto& channel : channels) {
      lanes_.push_back(std::make_unique<Lane>(channel));
    }
  }

  PhaseResult Run() {
    const Clock::time_point start = Clock::now();
    measure_start_ = start + absl::ToChronoNanoseconds(options_.warmup);
    measure_end_ =
        options_.requests > 0
            ? Clock::time_point::max()
            : measure_start_ + absl::ToChronoNanoseconds(options_.duration);
    active_slots_ = options_.concurrency;
    for (int slot = 0; slot < options_.concurrency; ++slot) {
      Lane* lane = lanes_[slot % lanes_.size()].get();
      if (!StartCall(lane)) SlotDone();
    }
    std::vector<std::thread> threads;
    for (auto& lane : lanes_) {
      threads.emplace_back([this, lane = lane.get()] { Poll(lane); });
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [this] { return active_slots_ == 0; });
    }
    for (auto& lane : lanes_) lane->cq.Shutdown();
    for (auto& thread : threads) thread.join();

    PhaseResult result;
    result.label = workload_.Label();
    Clock::time_point last = measure_start_;
    for (auto& lane : lanes_) {
      result.calls += static_cast<int64_t>(lane->latencies_ns.size());
      result.errors += lane->errors;
      result.latencies_ns.insert(result.latencies_ns.end(),
                                 lane->latencies_ns.begin(),
                                 lane->latencies_ns.end());
      last = std::max(last, lane->last_completion);
    }
    std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
    result.seconds =
        std::chrono::duration<double>(last - measure_start_).count();
    result.first_error = first_error_;
    return result;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    Clock::time_point start;
  };

  // One channel with its completion queue and the results its thread saw.
  struct Lane {
    explicit Lane(std::shared_ptr<grpc::Channel> channel)
        : stub(std::move(channel)) {}
    grpc::GenericStub stub;
    grpc::CompletionQueue cq;
    std::vector<int64_t> latencies_ns;
    int64_t errors = 0;
    Clock::time_point last_completion;
  };

  // Issues the next call of a slot on `lane`, unless the phase is over.
  bool StartCall(Lane* lane) {
    const Clock::time_point now = Clock::now();
    if (now >= measure_end_) return false;
    if (options_.requests > 0 && now >= measure_start_ &&
        measured_issued_.fetch_add(1) >= options_.requests) {
      return false;
    }
    const uint64_t seq = next_seq_.fetch_add(1);
    auto* call = new Call;
    call->context.set_deadline(
        absl::ToChronoTime(absl::Now() + options_.call_timeout));
    call->start = Clock::now();
    call->reader = lane->stub.PrepareUnaryCall(
        &call->context, method_, workload_.Request(seq), &lane->cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    return true;
  }

  void Poll(Lane* lane) {
    void* tag;
    bool ok;
    while (lane->cq.Next(&tag, &ok)) {
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      const Clock::time_point end = Clock::now();
      if (call->start >= measure_start_) {
        lane->latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end -
                                                                 call->start)
                .count());
        lane->last_completion = std::max(lane->last_completion, end);
        const bool good =
            ok && call->status.ok() && workload_.Check(call->response);
        if (!good) {
          ++lane->errors;
          std::lock_guard<std::mutex> lock(mu_);
          if (first_error_.empty()) {
            first_error_ =
                call->status.ok()
                    ? "unexpected response"
                    : absl::StrCat("code ", call->status.error_code(), ": ",
                                   call->status.error_message());
          }
        }
      }
      call.reset();
      if (!StartCall(lane)) SlotDone();
    }
  }

  void SlotDone() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_slots_ == 0) done_cv_.notify_all();
  }

  const Workload& workload_;
  const Options& options_;
  const std::string method_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  Clock::time_point measure_start_;
  Clock::time_point measure_end_;
  std::atomic<uint64_t> next_seq_{0};
  std::atomic<int64_t> measured_issued_{0};
  std::mutex mu_;
  std::condition_variable done_cv_;
  int active_slots_ = 0;
  std::string first_error_;
};

double Percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return NAN;
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1e6;
}

double Qps(const PhaseResult& result) {
  return result.seconds > 0 ? result.calls / result.seconds : 0;
}

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Creates this run's companies; returns their resource names.
absl::StatusOr<std::vector<std::string>> CreateCompanies(
    const Options& options, const std::string& run_id,
    std::vector<std::string>* queries) {
  client::ClientOptions client_options;
  client_options.server = options.server;
  client_options.timeout = options.call_timeout;
  absl::StatusOr<client::Transport> transport =
      client::MakeTransport(options.transport);
  if (!transport.ok()) return transport.status();
  client_options.transport = *std::move(transport);
  client::PartnergraphClient client(client_options);
  static const char* const kWords[] = {"Aurora", "Basalt",  "Cobalt",  "Delta",
                                       "Ember",  "Falcon",  "Granite", "Harbor",
                                       "Iris",   "Juniper", "Krypton", "Lumen"};
  std::vector<std::string> names;
  for (int i = 0; i < options.companies; ++i) {
    const std::string word = kWords[i % std::size(kWords)];
    v1::CreateCompanyRequest request;
    request.set_company_id(absl::StrCat("lg-", run_id, "-", i));
    v1::Company* company = request.mutable_company();
    company->set_display_name(absl::StrCat(word, " Loadgen ", run_id, " ", i));
    company->add_tickers(
        absl::StrCat("LG:", absl::AsciiStrToUpper(run_id.substr(0, 4)), i));
    company->add_sectors(i % 2 == 0 ? "semiconductors/memory" : "ai/lab");
    company->set_country("US");
    absl::StatusOr<v1::Company> created = client.CreateCompany(request);
    if (!created.ok()) return created.status();
    names.push_back(created->name());
    if (i < 24) {
      queries->push_back(company->display_name());  // exact name
      queries->push_back(absl::StrCat(word));       // word prefix, many
      queries->push_back(company->tickers(0));      // exact ticker
    }
  }
  return names;
}

int Run(const Options& options) {
  if (options.concurrency < 1 || options.channels < 1 ||
      options.companies < 2 || options.rounds < 1) {
    std::cerr << "need --concurrency >= 1, --channels >= 1, --companies >= 2, "
                 "--rounds >= 1\n";
    return 2;
  }
  const absl::StatusOr<client::Transport> transport =
      client::MakeTransport(options.transport);
  if (!transport.ok()) {
    std::cerr << transport.status().message() << "\n";
    return 2;
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Separate connections: without these, channels with equal arguments
    // share one subchannel and so one TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("partnergraph.loadgen.channel", i);
    channels.push_back(client::MakeChannel(options.server, *transport, args));
  }
  for (const auto& channel : channels) {
    if (!channel->WaitForConnected(
            absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
      std::cerr << "cannot connect to " << options.server << "\n";
      return 1;
    }
  }

  absl::BitGen gen;
  const std::string run_id =
      absl::StrFormat("%06x", absl::Uniform<uint32_t>(gen, 0, 1u << 24));
  std::vector<std::string> queries;
  absl::StatusOr<std::vector<std::string>> names =
      CreateCompanies(options, run_id, &queries);
  if (!names.ok()) {
    std::cerr << "creating the benchmark companies failed: " << names.status()
              << "\n";
    return 1;
  }

  std::vector<std::unique_ptr<Workload>> workloads;
  for (const std::string& rpc : options.rpcs) {
    if (rpc == "health") {
      workloads.push_back(std::make_unique<HealthWorkload>());
    } else if (rpc == "get") {
      workloads.push_back(std::make_unique<GetCompanyWorkload>(*names));
    } else if (rpc == "search") {
      workloads.push_back(std::make_unique<SearchWorkload>(queries));
    } else if (rpc == "create") {
      workloads.push_back(std::make_unique<CreatePartnershipWorkload>(*names));
    } else {
      std::cerr << "unknown --rpcs entry \"" << rpc
                << "\"; want health, get, search, create\n";
      return 2;
    }
  }

  std::cout << absl::StrFormat(
      "partnergraph loadgen: server %s, %d calls in flight over %d "
      "channels, %s per RPC after %s warm-up, %d rounds, %d companies\n\n",
      options.server, options.concurrency, options.channels,
      options.requests > 0 ? absl::StrCat(options.requests, " calls")
                           : absl::FormatDuration(options.duration),
      absl::FormatDuration(options.warmup), options.rounds, options.companies);
  std::cout << absl::StrFormat("%-30s %5s %9s %7s %10s %9s %9s %9s\n", "RPC",
                               "ROUND", "CALLS", "ERRORS", "QPS", "P50_MS",
                               "P99_MS", "P999_MS");
  std::cout.flush();
  // results[w][r]: workload w in round r.
  std::vector<std::vector<PhaseResult>> results(workloads.size());
  for (int round = 1; round <= options.rounds; ++round) {
    for (size_t w = 0; w < workloads.size(); ++w) {
      PhaseResult result = Phase(channels, *workloads[w], options).Run();
      std::cout << absl::StrFormat(
          "%-30s %5d %9d %7d %10.0f %9.3f %9.3f %9.3f\n", result.label, round,
          result.calls, result.errors, Qps(result),
          Percentile(result.latencies_ns, 0.50),
          Percentile(result.latencies_ns, 0.99),
          Percentile(result.latencies_ns, 0.999));
      std::cout.flush();
      results[w].push_back(std::move(result));
    }
  }

  std::cout << "\nmedian of " << options.rounds << " rounds\n";
  std::cout << absl::StrFormat("%-30s %10s %9s %9s\n", "RPC", "QPS", "P50_MS",
                               "P99_MS");
  int health = -1, get = -1;
  int64_t errors = 0;
  for (size_t w = 0; w < workloads.size(); ++w) {
    std::vector<double> qps, p50, p99;
    for (const PhaseResult& result : results[w]) {
      qps.push_back(Qps(result));
      p50.push_back(Percentile(result.latencies_ns, 0.50));
      p99.push_back(Percentile(result.latencies_ns, 0.99));
      errors += result.errors;
      if (!result.first_error.empty()) {
        std::cerr << result.label << ": " << result.errors
                  << " errors, first: " << result.first_error << "\n";
      }
    }
    std::cout << absl::StrFormat("%-30s %10.0f %9.3f %9.3f\n",
                                 workloads[w]->Label(), Median(qps),
                                 Median(p50), Median(p99));
    if (workloads[w]->Label() == "grpc.health.v1.Health/Check") health = w;
    if (workloads[w]->Label() == "GetCompany") get = w;
  }
  if (health >= 0 && get >= 0) {
    std::vector<double> ratios;
    std::string each;
    for (int r = 0; r < options.rounds; ++r) {
      const double base = Qps(results[health][r]);
      if (base <= 0) continue;
      ratios.push_back(Qps(results[get][r]) / base);
      absl::StrAppend(&each, each.empty() ? "" : " ",
                      absl::StrFormat("%.2f", ratios.back()));
    }
    std::cout << absl::StrFormat(
        "\nGetCompany/Health QPS ratio per round: %s; median %.2f\n", each,
        Median(ratios));
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace partnergraph::loadgen

int main(int argc, char** argv) {
  // Debian's Abseil is built with Mutex deadlock detection on, which records
  // a lock graph on every acquisition of every absl::Mutex (gRPC's included).
  // It finds bugs in tests, but in a running binary it only costs time.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  partnergraph::loadgen::Options options;
  CLI::App app(
      "Closed-loop load generator for partnergraphd: Health/Check, "
      "GetCompany, SearchCompanies and CreatePartnership side by side.",
      "partnergraph_loadgen");
  std::string duration = "2s", warmup = "500ms",
              rpcs = "health,get,search,create";
  app.add_option("--server", options.server, "Server HOST:PORT")
      ->capture_default_str();
  app.add_option("--token-file", options.transport.token_file,
                 "File holding the raw bearer token")
      ->envname(partnergraph::client::kTokenFileEnvVar);
  app.add_option("--tls-ca", options.transport.tls_ca,
                 "PEM CA bundle for the server (implies TLS)");
  app.add_option("--tls-cert", options.transport.tls_cert,
                 "PEM client certificate (mutual TLS)");
  app.add_option("--tls-key", options.transport.tls_key,
                 "PEM key of --tls-cert");
  app.add_option("--concurrency", options.concurrency,
                 "Calls in flight at once")
      ->capture_default_str();
  app.add_option("--channels", options.channels,
                 "Connections the calls are spread over")
      ->capture_default_str();
  app.add_option("--duration", duration, "Measured time per RPC, e.g. 3s")
      ->capture_default_str();
  app.add_option("--requests", options.requests,
                 "Measured calls per RPC instead of --duration");
  app.add_option("--warmup", warmup, "Unmeasured time before each RPC")
      ->capture_default_str();
  app.add_option("--companies", options.companies,
                 "Companies created for the run")
      ->capture_default_str();
  app.add_option("--rounds", options.rounds,
                 "Rounds; each runs every RPC once, medians are reported")
      ->capture_default_str();
  app.add_option("--rpcs", rpcs,
                 "Comma-separated subset of health,get,search,create")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto parse_duration = [](const std::string& flag, const std::string& text,
                           absl::Duration* out) {
    absl::StatusOr<absl::Duration> parsed =
        partnergraph::client::ParseTimeout(flag, text);
    if (!parsed.ok()) {
      std::cerr << parsed.status().message() << "\n";
      return false;
    }
    *out = *parsed;
    return true;
  };
  if (!parse_duration("--duration", duration, &options.duration)) return 2;
  if (warmup == "0" || warmup == "0s") {
    options.warmup = absl::ZeroDuration();
  } else if (!parse_duration("--warmup", warmup, &options.warmup)) {
    return 2;
  }
  options.rpcs = absl::StrSplit(rpcs, ',', absl::SkipEmpty());
  return partnergraph::loadgen::Run(options);
}
