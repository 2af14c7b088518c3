#ifndef PARTNERGRAPH_TESTS_SERVER_ETCD_CLUSTER_H_
#define PARTNERGRAPH_TESTS_SERVER_ETCD_CLUSTER_H_

// A three-member etcd cluster on loopback ports, each member a child
// process (Debian's /usr/bin/etcd) that a test may kill -9 and restart. It
// keeps etcd's default limits (128 operations and 1.5 MiB per request).

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "storage/etcd/rpc.grpc.pb.h"
#include "tests/server/daemon_process.h"

namespace partnergraph::server_testing {

class EtcdCluster {
 public:
  static constexpr int kMembers = 3;

  // Members on base_port + 2i (client) and + 2i + 1 (peer), data under
  // `dir`. Check healthy().
  EtcdCluster(std::string dir, int base_port)
      : dir_(std::move(dir)), base_port_(base_port) {
    for (int i = 0; i < kMembers; ++i) members_.emplace_back();
    for (int i = 0; i < kMembers; ++i) Start(i);
    healthy_ = WaitHealthy();
  }

  bool healthy() const { return healthy_; }

  std::string endpoint(int i) const {
    return absl::StrCat("127.0.0.1:", base_port_ + 2 * i);
  }
  // Every member's client endpoint, comma-separated.
  std::string endpoints() const {
    std::vector<std::string> all;
    for (int i = 0; i < kMembers; ++i) all.push_back(endpoint(i));
    return absl::StrJoin(all, ",");
  }

  void Kill(int i) {
    members_[i]->Kill();
    members_[i].reset();
  }
  // Starts member i again on its data directory.
  void Start(int i) {
    std::vector<std::string> peers;
    for (int j = 0; j < kMembers; ++j) {
      peers.push_back(
          absl::StrCat("m", j, "=http://127.0.0.1:", base_port_ + 2 * j + 1));
    }
    const std::string client = absl::StrCat("http://", endpoint(i));
    const std::string peer =
        absl::StrCat("http://127.0.0.1:", base_port_ + 2 * i + 1);
    members_[i] = std::make_unique<DaemonProcess>(
        "/usr/bin/etcd",
        std::vector<std::string>{"--name",
                                 absl::StrCat("m", i),
                                 "--data-dir",
                                 absl::StrCat(dir_, "/m", i),
                                 "--listen-client-urls",
                                 client,
                                 "--advertise-client-urls",
                                 client,
                                 "--listen-peer-urls",
                                 peer,
                                 "--initial-advertise-peer-urls",
                                 peer,
                                 "--initial-cluster",
                                 absl::StrJoin(peers, ","),
                                 "--initial-cluster-state",
                                 "new",
                                 "--initial-cluster-token",
                                 absl::StrCat("pg-", base_port_),
                                 "--log-level",
                                 "error"});
  }

  // The index of the member that leads, or -1 when none answers so.
  int Leader() const {
    for (int i = 0; i < kMembers; ++i) {
      if (members_[i] == nullptr) continue;
      etcdserverpb::StatusResponse status;
      if (Status(i, &status) && status.leader() != 0 &&
          status.leader() == status.header().member_id()) {
        return i;
      }
    }
    return -1;
  }

  // Waits until every running member answers and one leads.
  bool WaitHealthy(absl::Duration timeout = absl::Seconds(30)) const {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      bool all = true;
      for (int i = 0; i < kMembers && all; ++i) {
        etcdserverpb::StatusResponse status;
        if (members_[i] != nullptr &&
            (!Status(i, &status) || status.leader() == 0)) {
          all = false;
        }
      }
      if (all) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // etcd's Compact at `revision` (through any member that answers).
  bool Compact(int64_t revision) const {
    for (int i = 0; i < kMembers; ++i) {
      if (members_[i] == nullptr) continue;
      auto kv = etcdserverpb::KV::NewStub(
          grpc::CreateChannel(endpoint(i), grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      etcdserverpb::CompactionRequest request;
      request.set_revision(revision);
      request.set_physical(true);
      etcdserverpb::CompactionResponse response;
      if (kv->Compact(&context, request, &response).ok()) return true;
    }
    return false;
  }

  // etcd's current revision.
  int64_t Revision() const {
    for (int i = 0; i < kMembers; ++i) {
      etcdserverpb::StatusResponse status;
      if (members_[i] != nullptr && Status(i, &status)) {
        return status.header().revision();
      }
    }
    return 0;
  }

 private:
  bool Status(int i, etcdserverpb::StatusResponse* out) const {
    auto stub = etcdserverpb::Maintenance::NewStub(
        grpc::CreateChannel(endpoint(i), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    return stub->Status(&context, etcdserverpb::StatusRequest(), out).ok();
  }

  const std::string dir_;
  const int base_port_;
  std::vector<std::unique_ptr<DaemonProcess>> members_;
  bool healthy_ = false;
};

// A base port for a cluster of this process, below Linux's ephemeral range
// and spread by pid so that concurrent test binaries do not collide.
inline int EtcdBasePort() {
  return 20000 + (static_cast<int>(::getpid()) % 1500) * 8;
}

}  // namespace partnergraph::server_testing

#endif  // PARTNERGRAPH_TESTS_SERVER_ETCD_CLUSTER_H_
