#include "storage/etcd/etcd_client.h"

#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace partnergraph::storage {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

absl::StatusCode CodeOf(grpc::StatusCode code) {
  return static_cast<absl::StatusCode>(static_cast<int>(code));
}

}  // namespace

absl::Status FromGrpc(const grpc::Status& s, absl::string_view call,
                      absl::string_view endpoint) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(
      CodeOf(s.error_code()),
      absl::StrCat("etcd ", call, " at ", endpoint, ": ", s.error_message()));
}

absl::StatusOr<std::unique_ptr<EtcdClient>> EtcdClient::Connect(
    const EtcdOptions& options) {
  if (options.endpoints.empty()) {
    return absl::InvalidArgumentError(
        "etcd_endpoints: want at least one host:port");
  }
  if (options.prefix.empty()) {
    return absl::InvalidArgumentError("etcd_prefix: want a non-empty prefix");
  }
  if (options.writers < 1) {
    return absl::InvalidArgumentError("etcd writers: want >= 1");
  }
  std::shared_ptr<grpc::ChannelCredentials> creds =
      grpc::InsecureChannelCredentials();
  if (!options.ca_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    auto ca = ReadPem("etcd_ca_file", options.ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    if (!options.cert_file.empty() || !options.key_file.empty()) {
      auto cert = ReadPem("etcd_cert_file", options.cert_file);
      if (!cert.ok()) return cert.status();
      auto key = ReadPem("etcd_key_file", options.key_file);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    creds = grpc::SslCredentials(ssl);
  }
  std::unique_ptr<EtcdClient> client(new EtcdClient(options));
  for (const std::string& endpoint : options.endpoints) {
    if (endpoint.empty()) {
      return absl::InvalidArgumentError(
          "etcd_endpoints: want host:port entries, got an empty one");
    }
    grpc::ChannelArguments args;
    // A revision is one watch response and may be large (an import batch);
    // etcd bounds what is written (--max-request-bytes).
    args.SetMaxReceiveMessageSize(std::numeric_limits<int>::max());
    args.SetMaxSendMessageSize(std::numeric_limits<int>::max());
    // Fail fast on a member that is down, so the next one is tried.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    auto channel = grpc::CreateCustomChannel(endpoint, creds, args);
    Member m;
    m.endpoint = endpoint;
    m.kv = etcdserverpb::KV::NewStub(channel);
    m.watch = etcdserverpb::Watch::NewStub(channel);
    client->members_.push_back(std::move(m));
  }
  return client;
}

EtcdClient::Member& EtcdClient::Current() {
  return members_[current_.load() % members_.size()];
}

const std::string& EtcdClient::endpoint() const {
  return members_[current_.load() % members_.size()].endpoint;
}

void EtcdClient::NextEndpoint() { current_.fetch_add(1); }

void EtcdClient::SetDeadline(grpc::ClientContext* context) const {
  context->set_deadline(
      absl::ToChronoTime(absl::Now() + options_.request_timeout));
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdClient::Range(
    const etcdserverpb::RangeRequest& request) {
  absl::Status last;
  for (size_t tried = 0; tried < members_.size(); ++tried) {
    Member& m = Current();
    grpc::ClientContext context;
    SetDeadline(&context);
    etcdserverpb::RangeResponse response;
    grpc::Status s = m.kv->Range(&context, request, &response);
    if (s.ok()) return response;
    last = FromGrpc(s, "range", m.endpoint);
    // etcd's own answers (a compacted revision, a bad request) are the same
    // on every member.
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
        s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return last;
    }
    NextEndpoint();
  }
  return last;
}

absl::StatusOr<etcdserverpb::TxnResponse> EtcdClient::Txn(
    const etcdserverpb::TxnRequest& request) {
  Member& m = Current();
  grpc::ClientContext context;
  SetDeadline(&context);
  etcdserverpb::TxnResponse response;
  grpc::Status s = m.kv->Txn(&context, request, &response);
  if (s.ok()) return response;
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    NextEndpoint();
  }
  return FromGrpc(s, "txn", m.endpoint);
}

absl::StatusOr<etcdserverpb::CompactionResponse> EtcdClient::Compact(
    int64_t revision) {
  Member& m = Current();
  grpc::ClientContext context;
  SetDeadline(&context);
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(true);
  etcdserverpb::CompactionResponse response;
  grpc::Status s = m.kv->Compact(&context, request, &response);
  if (s.ok()) return response;
  NextEndpoint();
  return FromGrpc(s, "compact", m.endpoint);
}

std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest,
                                         etcdserverpb::WatchResponse>>
EtcdClient::Watch(grpc::ClientContext* context) {
  return Current().watch->Watch(context);
}

}  // namespace partnergraph::storage
