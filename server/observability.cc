#include "server/observability.h"

#include <exception>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "server/log.h"

namespace partnergraph::server {
namespace {

std::atomic<int64_t> g_watchers{0};

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "Canceled",
                                       "Unknown",
                                       "InvalidArgument",
                                       "DeadlineExceeded",
                                       "NotFound",
                                       "AlreadyExists",
                                       "PermissionDenied",
                                       "ResourceExhausted",
                                       "FailedPrecondition",
                                       "Aborted",
                                       "OutOfRange",
                                       "Unimplemented",
                                       "Internal",
                                       "Unavailable",
                                       "DataLoss",
                                       "Unauthenticated"};
  const int n = static_cast<int>(code);
  return n >= 0 && n <= 16 ? kNames[n] : "Unknown";
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    case Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unary";
}

// "/pkg.Service/Method" -> {"pkg.Service", "Method"}.
std::pair<std::string, std::string> SplitMethod(absl::string_view full) {
  if (!full.empty() && full[0] == '/') full.remove_prefix(1);
  const size_t slash = full.find('/');
  if (slash == absl::string_view::npos) return {std::string(full), ""};
  return {std::string(full.substr(0, slash)),
          std::string(full.substr(slash + 1))};
}

class ObservabilityInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info,
                           ServerMetrics* metrics, bool access_log)
      : info_(info), metrics_(metrics), access_log_(access_log) {
    const auto [service, method] = SplitMethod(info->method());
    service_ = service;
    method_ = method;
    type_ = TypeName(info->type());
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
      if (metrics_ != nullptr) metrics_->Started(type_, service_, method_);
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kVersionHeader,
                                                 PARTNERGRAPH_VERSION);
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const absl::Duration latency = absl::Now() - start_;
      const char* code = CodeName(status.error_code());
      if (metrics_ != nullptr) {
        metrics_->Handled(type_, service_, method_, code,
                          absl::ToDoubleSeconds(latency));
      }
      if (access_log_) {
        LogEvent(
            LogLevel::kInfo, "access",
            {{"method", info_->method()},
             {"code", code},
             {"latency_ms",
              absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(latency))},
             {"peer", info_->server_context()->peer()}});
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  ServerMetrics* const metrics_;
  const bool access_log_;
  std::string service_;
  std::string method_;
  std::string type_;
  absl::Time start_ = absl::Now();
};

class ObservabilityFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservabilityFactory(ServerMetrics* metrics, bool access_log)
      : metrics_(metrics), access_log_(access_log) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, metrics_, access_log_);
  }

 private:
  ServerMetrics* const metrics_;
  const bool access_log_;
};

prometheus::MetricFamily Gauge(std::string name, std::string help,
                               double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

void AddActiveWatchers(int64_t delta) {
  g_watchers.fetch_add(delta, std::memory_order_relaxed);
}

int64_t ActiveWatchers() { return g_watchers.load(std::memory_order_relaxed); }

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(ServerMetrics* metrics, bool access_log) {
  return std::make_unique<ObservabilityFactory>(metrics, access_log);
}

struct ServerMetrics::Families {
  prometheus::Family<prometheus::Counter>* started;
  prometheus::Family<prometheus::Counter>* handled;
  prometheus::Family<prometheus::Histogram>* seconds;
};

// Reads the store at scrape time.
class ServerMetrics::StoreCollector final : public prometheus::Collectable {
 public:
  explicit StoreCollector(storage::GraphStore* store) : store_(store) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    absl::StatusOr<storage::StoreStats> stats = store_->GetStats();
    if (stats.ok()) {
      out.push_back(Gauge("partnergraph_store_companies",
                          "Company records in the store.",
                          static_cast<double>(stats->companies)));
      out.push_back(Gauge("partnergraph_store_partnerships",
                          "Partnership records in the store.",
                          static_cast<double>(stats->partnerships)));
      out.push_back(Gauge("partnergraph_store_revision",
                          "Current store revision.",
                          static_cast<double>(stats->revision)));
      out.push_back(Gauge("partnergraph_store_compact_revision",
                          "Revisions up to this one are no longer held for "
                          "Watch.",
                          static_cast<double>(stats->compact_revision)));
      out.push_back(Gauge("partnergraph_store_live_data_bytes",
                          "RocksDB estimate of live data size in bytes.",
                          static_cast<double>(stats->disk_bytes)));
      out.push_back(Gauge("partnergraph_store_sst_bytes",
                          "Total size of RocksDB SST files in bytes.",
                          static_cast<double>(stats->sst_bytes)));
      out.push_back(Gauge("partnergraph_store_memtable_bytes",
                          "Size of RocksDB memtables in bytes.",
                          static_cast<double>(stats->memtable_bytes)));
      out.push_back(Gauge("partnergraph_store_write_stopped",
                          "1 while RocksDB stops writes (write stall).",
                          static_cast<double>(stats->write_stopped)));
      out.push_back(Gauge("partnergraph_store_delayed_write_rate_bytes",
                          "RocksDB delayed-write rate in bytes per second; 0 "
                          "when writes are not slowed down.",
                          static_cast<double>(stats->delayed_write_rate)));
    } else {
      errors_.fetch_add(1, std::memory_order_relaxed);
      PG_LOG(kWarning) << "metrics: cannot read store stats: "
                       << stats.status();
    }
    prometheus::MetricFamily errors;
    errors.name = "partnergraph_store_scrape_errors_total";
    errors.help = "Scrapes that could not read the store statistics.";
    errors.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric metric;
    metric.counter.value =
        static_cast<double>(errors_.load(std::memory_order_relaxed));
    errors.metric.push_back(metric);
    out.push_back(std::move(errors));
    out.push_back(Gauge("partnergraph_watchers", "Open Watch streams.",
                        static_cast<double>(ActiveWatchers())));
    return out;
  }

 private:
  storage::GraphStore* const store_;
  mutable std::atomic<int64_t> errors_{0};
};

ServerMetrics::ServerMetrics(storage::GraphStore* store)
    : registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>()),
      store_collector_(std::make_shared<StoreCollector>(store)) {
  families_->started = &prometheus::BuildCounter()
                            .Name("grpc_server_started_total")
                            .Help("Total number of RPCs started on the server.")
                            .Register(*registry_);
  families_->handled =
      &prometheus::BuildCounter()
           .Name("grpc_server_handled_total")
           .Help(
               "Total number of RPCs completed on the server, regardless "
               "of success or failure.")
           .Register(*registry_);
  families_->seconds =
      &prometheus::BuildHistogram()
           .Name("grpc_server_handling_seconds")
           .Help(
               "Histogram of response latency (seconds) of gRPC that had "
               "been application-level handled by the server.")
           .Register(*registry_);
}

ServerMetrics::~ServerMetrics() = default;

absl::StatusOr<int> ServerMetrics::Listen(const std::string& address) {
  // prometheus-cpp (civetweb) reports a failed bind by throwing; this is the
  // one place that catches.
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat(
        "metrics_listen: cannot listen on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(store_collector_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  if (ports.empty()) {
    exposer_.reset();
    return absl::UnavailableError(
        absl::StrCat("metrics_listen: cannot listen on ", address));
  }
  return ports[0];
}

void ServerMetrics::Started(const std::string& type, const std::string& service,
                            const std::string& method) {
  families_->started
      ->Add({{"grpc_type", type},
             {"grpc_service", service},
             {"grpc_method", method}})
      .Increment();
}

void ServerMetrics::Handled(const std::string& type, const std::string& service,
                            const std::string& method, const std::string& code,
                            double seconds) {
  families_->handled
      ->Add({{"grpc_type", type},
             {"grpc_service", service},
             {"grpc_method", method},
             {"grpc_code", code}})
      .Increment();
  // The default buckets of the Prometheus client libraries, as
  // go-grpc-prometheus uses.
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  families_->seconds
      ->Add({{"grpc_type", type},
             {"grpc_service", service},
             {"grpc_method", method}},
            *kBuckets)
      .Observe(seconds);
}

std::string ServerMetrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::vector<prometheus::MetricFamily> store = store_collector_->Collect();
  families.insert(families.end(), store.begin(), store.end());
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace partnergraph::server
