// The etcd engine: opening a replica (bootstrap, rebuild) and the writes.

#include "storage/etcd/etcd_store.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_writer.h"
#include "storage/etcd/etcd_engine.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

using etcdserverpb::Compare;

// Keys per Range page of a bootstrap, and per local WriteBatch.
constexpr int kBootstrapPage = 10000;
// Times a write is planned again after losing a race.
constexpr int kMaxAttempts = 20;

// The replica as a write finds it: the local store at one snapshot.
class SnapshotReader final : public PlanReader {
 public:
  SnapshotReader(rocksdb::DB* db, const rocksdb::ReadOptions& ro)
      : db_(db), ro_(ro) {}

  absl::StatusOr<bool> Get(const std::string& key,
                           std::string* value) override {
    rocksdb::Status s = db_->Get(ro_, key, value);
    if (s.IsNotFound()) return false;
    RETURN_IF_ERROR(FromRocks(s, "read"));
    return true;
  }

  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro_));
    return ScanPrefix(it.get(), prefix, limit, out, truncated, "scan");
  }

 private:
  rocksdb::DB* db_;
  const rocksdb::ReadOptions& ro_;
};

void AddCompare(etcdserverpb::TxnRequest* txn, const std::string& key,
                Compare::CompareTarget target, Compare::CompareResult result,
                int64_t revision) {
  Compare* c = txn->add_compare();
  c->set_key(key);
  c->set_target(target);
  c->set_result(result);
  if (target == Compare::CREATE) {
    c->set_create_revision(revision);
  } else {
    c->set_mod_revision(revision);
  }
}

// The Txn of a plan made at snapshot revision `snapshot`: each
// precondition a compare, each write a put or delete, and the commit
// marker; when a compare fails, the marker is read instead.
etcdserverpb::TxnRequest BuildTxn(const WritePlan& plan,
                                  const std::string& prefix, int64_t snapshot,
                                  int64_t now_micros) {
  etcdserverpb::TxnRequest txn;
  for (const Precondition& pre : plan.preconditions) {
    const std::string key = prefix + pre.key;
    switch (pre.kind) {
      case Precondition::Kind::kAbsent:
        AddCompare(&txn, key, Compare::CREATE, Compare::EQUAL, 0);
        break;
      case Precondition::Kind::kExists:
        // Present, and not written since the snapshot (its value counted).
        AddCompare(&txn, key, Compare::MOD, Compare::GREATER, 0);
        AddCompare(&txn, key, Compare::MOD, Compare::LESS, snapshot + 1);
        break;
      case Precondition::Kind::kModRevision:
        AddCompare(&txn, key, Compare::MOD, Compare::EQUAL, pre.revision);
        break;
      case Precondition::Kind::kRangeUnchanged: {
        AddCompare(&txn, key, Compare::MOD, Compare::LESS, pre.revision + 1);
        std::string end = keys::PrefixSuccessor(key);
        txn.mutable_compare(txn.compare_size() - 1)
            ->set_range_end(end.empty() ? std::string(1, '\0') : end);
        break;
      }
    }
  }
  for (const auto& [key, value] : plan.writes) {
    auto* op = txn.add_success();
    if (value.has_value()) {
      op->mutable_request_put()->set_key(prefix + key);
      op->mutable_request_put()->set_value(*value);
    } else {
      op->mutable_request_delete_range()->set_key(prefix + key);
    }
  }
  auto* marker = txn.add_success()->mutable_request_put();
  marker->set_key(prefix + keys::MetaKey(kCommitMarker));
  marker->set_value(keys::EncodeInt64(now_micros));
  txn.add_failure()->mutable_request_range()->set_key(
      prefix + keys::MetaKey(kCommitMarker));
  return txn;
}

// The marker's mod_revision in a range response (0 when absent).
int64_t MarkerRevision(const etcdserverpb::RangeResponse& r) {
  return r.kvs_size() > 0 ? r.kvs(0).mod_revision() : 0;
}

// etcd's refusals of a Txn that are certain (nothing committed) and that a
// client can act on; any other failure leaves the outcome unknown.
bool Refused(const absl::Status& s) {
  return absl::IsInvalidArgument(s) || absl::IsResourceExhausted(s) ||
         absl::IsFailedPrecondition(s) || absl::IsPermissionDenied(s) ||
         absl::IsUnauthenticated(s);
}

// Makes sure the prefix holds a page-token key (the first replica writes
// it); returns it and the cluster's id.
absl::StatusOr<std::pair<std::string, uint64_t>> InitPrefix(
    EtcdClient* client, const std::string& prefix) {
  const std::string token_key = prefix + keys::MetaKey(keys::kMetaTokenKey);
  absl::BitGen gen;
  std::string token;
  keys::AppendUint64(&token, absl::Uniform<uint64_t>(gen));
  keys::AppendUint64(&token, absl::Uniform<uint64_t>(gen));
  etcdserverpb::TxnRequest txn;
  AddCompare(&txn, token_key, Compare::CREATE, Compare::EQUAL, 0);
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key(token_key);
  put->set_value(token);
  auto* marker = txn.add_success()->mutable_request_put();
  marker->set_key(prefix + keys::MetaKey(kCommitMarker));
  marker->set_value(keys::EncodeInt64(absl::ToUnixMicros(absl::Now())));
  txn.add_failure()->mutable_request_range()->set_key(token_key);
  ASSIGN_OR_RETURN(etcdserverpb::TxnResponse r, client->Txn(txn));
  if (!r.succeeded()) {
    if (r.responses_size() != 1 ||
        r.responses(0).response_range().kvs_size() != 1) {
      return absl::InternalError("etcd: the page-token key vanished");
    }
    token = r.responses(0).response_range().kvs(0).value();
  }
  return std::make_pair(token, r.header().cluster_id());
}

// Copies the prefix, as of one etcd revision, into the empty local store
// and marks it at that revision with no history before it. etcd ranges are
// in key order, so the keys go into one sorted file, ingested whole (the
// bulk path of imports): no write-ahead log, no memtable, no compaction.
absl::Status Bootstrap(EtcdClient* client, const std::string& prefix,
                       const std::string& source, rocksdb::DB* db,
                       OpenedRocksDb* opened) {
  etcdserverpb::RangeRequest req;
  req.set_key(prefix);
  std::string end = keys::PrefixSuccessor(prefix);
  req.set_range_end(end.empty() ? std::string(1, '\0') : end);
  req.set_limit(kBootstrapPage);
  int64_t revision = 0;
  rocksdb::Options file_options = db->GetOptions();
  file_options.compression = rocksdb::kNoCompression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options);
  std::string path;
  int64_t written = 0;
  while (true) {
    ASSIGN_OR_RETURN(etcdserverpb::RangeResponse page, client->Range(req));
    if (revision == 0) {
      revision = page.header().revision();
      req.set_revision(revision);  // every page at the first one's revision
      path = IngestFilePath(db->GetName(), revision);
      RETURN_IF_ERROR(FromRocks(writer.Open(path), "bootstrap"));
    }
    for (const mvccpb::KeyValue& kv : page.kvs()) {
      std::string local;
      if (!EtcdKey::Local(prefix, kv.key(), &local)) continue;
      ASSIGN_OR_RETURN(std::string value, ReplicaValue(local, kv));
      RETURN_IF_ERROR(FromRocks(writer.Put(local, value), "bootstrap"));
      ++written;
    }
    if (!page.more() || page.kvs_size() == 0) break;
    req.set_key(page.kvs(page.kvs_size() - 1).key() + std::string(1, '\0'));
  }
  if (written > 0) {
    RETURN_IF_ERROR(FromRocks(writer.Finish(), "bootstrap"));
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    RETURN_IF_ERROR(
        FromRocks(db->IngestExternalFile({path}, ingest), "bootstrap"));
  }
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  // The revision last, synced: a stop before it leaves a store that the
  // next start builds again.
  rocksdb::WriteBatch meta;
  meta.Put(keys::MetaKey(keys::kMetaRevision), keys::EncodeInt64(revision));
  meta.Put(keys::MetaKey(keys::kMetaCompactRevision),
           keys::EncodeInt64(revision));
  meta.Put(keys::MetaKey(keys::kMetaEtcdSource), source);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(FromRocks(db->Write(wo, &meta), "bootstrap"));
  opened->revision = revision;
  opened->compact_revision = revision;
  return absl::OkStatus();
}

// Whether the local store must be built again from etcd: new, fed from
// another cluster or prefix, or older than etcd's compaction.
absl::StatusOr<bool> NeedsBootstrap(EtcdClient* client,
                                    const std::string& prefix,
                                    const std::string& source,
                                    const OpenedRocksDb& opened) {
  if (opened.revision == 0) return true;
  std::string held;
  rocksdb::Status s = opened.db->Get(
      rocksdb::ReadOptions(), keys::MetaKey(keys::kMetaEtcdSource), &held);
  if (s.IsNotFound() || held != source) return true;
  RETURN_IF_ERROR(FromRocks(s, "read etcd source"));
  etcdserverpb::RangeRequest req;
  req.set_key(prefix + keys::MetaKey(kCommitMarker));
  req.set_revision(opened.revision);
  auto r = client->Range(req);
  // Compacted past the replica (or a revision the cluster never reached).
  if (!r.ok() && absl::IsOutOfRange(r.status())) return true;
  if (!r.ok()) return r.status();
  return false;
}

}  // namespace

EtcdStore::EtcdStore(OpenedRocksDb local, StoreOptions options,
                     EtcdOptions etcd, std::unique_ptr<EtcdClient> client)
    : RocksDbStore(std::move(local.db), std::move(options), local.revision,
                   local.compact_revision, local.token_key),
      etcd_(std::move(etcd)),
      client_(std::move(client)) {
  applied_ = local.revision;
  queued_ = local.revision;
}

EtcdStore::~EtcdStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (watch_context_ != nullptr) watch_context_->TryCancel();
  }
  for (std::thread& t : writers_) t.join();
  if (watcher_.joinable()) watcher_.join();
  absl::MutexLock lock(&mu_);
  for (auto& p : writes_) {
    p->done(absl::UnavailableError("store is closing"), 0);
  }
  writes_.clear();
}

void EtcdStore::StartReplica() {
  for (int i = 0; i < etcd_.writers; ++i) {
    writers_.emplace_back([this] { WriterLoop(); });
  }
  watcher_ = std::thread([this] { WatchLoop(); });
}

void EtcdStore::Submit(std::unique_ptr<Pending> p) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      writes_.push_back(std::move(p));
      return;
    }
  }
  p->done(absl::UnavailableError("store is closing"), 0);
}

void EtcdStore::OnPublished(int64_t revision) {
  absl::MutexLock lock(&mu_);
  applied_ = revision;
}

void EtcdStore::WriterLoop() {
  while (true) {
    std::unique_ptr<Pending> p;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](EtcdStore* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stopping_ || !s->writes_.empty();
          },
          this));
      if (stopping_) return;
      p = std::move(writes_.front());
      writes_.pop_front();
    }
    Commit(*p);
  }
}

absl::StatusOr<int64_t> EtcdStore::LatestRevision() {
  etcdserverpb::RangeRequest req;
  req.set_key(etcd_.prefix + keys::MetaKey(kCommitMarker));
  ASSIGN_OR_RETURN(etcdserverpb::RangeResponse r, client_->Range(req));
  return MarkerRevision(r);
}

bool EtcdStore::WaitApplied(int64_t revision, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  struct Args {
    EtcdStore* store;
    int64_t revision;
  } args{this, revision};
  return mu_.AwaitWithDeadline(absl::Condition(
                                   +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return a->store->applied_ >= a->revision ||
                                            a->store->stopping_ ||
                                            !a->store->broken_.ok();
                                   },
                                   &args),
                               deadline) &&
         applied_ >= revision;
}

absl::Status EtcdStore::AwaitRevision(int64_t revision, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (!broken_.ok()) return broken_;
    if (revision <= applied_) return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(int64_t latest, LatestRevision());
  if (revision > latest) {
    return absl::OutOfRangeError(
        absl::StrCat("min_revision: want at most ", latest,
                     " (the current revision), got ", revision));
  }
  if (!WaitApplied(revision, deadline)) {
    return absl::DeadlineExceededError(
        absl::StrCat("min_revision: this replica has applied revision ",
                     Revision(), ", not yet ", revision));
  }
  return absl::OkStatus();
}

void EtcdStore::Commit(Pending& p) {
  const absl::Time deadline = absl::Now() + 2 * etcd_.request_timeout;
  bool checked_fresh = false;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    {
      absl::MutexLock lock(&mu_);
      if (!broken_.ok()) return p.done(broken_, 0);
    }
    RocksDbSnapshotReader snap(db());
    absl::StatusOr<int64_t> at = snap.Revision();
    if (!at.ok()) return p.done(at.status(), 0);
    SnapshotReader reader(db(), snap.options());
    const int64_t now = absl::ToUnixMicros(absl::Now());
    PlanContext ctx(&reader, *at + 1, now, &options().fault_injector,
                    /*track_preconditions=*/true);
    absl::Status s = p.fn(ctx);
    const WritePlan& plan = ctx.plan();
    if (!s.ok() || p.validate_only || plan.changes.events_size() == 0) {
      // Decided by this replica alone: once sure it has seen every commit,
      // the answer stands.
      if (!checked_fresh) {
        checked_fresh = true;
        absl::StatusOr<int64_t> latest = LatestRevision();
        if (!latest.ok()) return p.done(latest.status(), 0);
        if (*latest > *at) {
          WaitApplied(*latest, deadline);
          continue;
        }
      }
      return p.done(s, 0);
    }
    const etcdserverpb::TxnRequest txn = BuildTxn(plan, etcd_.prefix, *at, now);
    absl::StatusOr<etcdserverpb::TxnResponse> r = client_->Txn(txn);
    if (!r.ok()) {
      if (Refused(r.status())) {
        return p.done(
            absl::Status(
                r.status().code(),
                absl::StrCat(r.status().message(), " (the write is ",
                             txn.success_size(), " etcd operations and ",
                             txn.ByteSizeLong(),
                             " bytes in one Txn; etcd bounds them "
                             "with --max-txn-ops and "
                             "--max-request-bytes)")),
            0);
      }
      return p.done(
          absl::UnavailableError(absl::StrCat(
              "the write's outcome is unknown (", r.status().message(),
              "); retry it with the same request_id or etag to settle it")),
          0);
    }
    if (r->succeeded()) {
      const int64_t revision = r->header().revision();
      if (!WaitApplied(revision, deadline)) {
        return p.done(absl::UnavailableError(absl::StrCat(
                          "committed at revision ", revision,
                          " but not yet applied by this replica; read it "
                          "with min_revision ",
                          revision)),
                      0);
      }
      return p.done(absl::OkStatus(), revision);
    }
    // A compare failed: another write landed since the snapshot. Plan
    // again once this replica has it.
    int64_t latest = 0;
    if (r->responses_size() == 1) {
      latest = MarkerRevision(r->responses(0).response_range());
    }
    if (latest <= *at) {
      // Every partnergraph write moves the marker: a compare that fails
      // without one since the snapshot means a key of the prefix was
      // written by something else.
      return p.done(absl::InternalError(absl::StrCat(
                        "etcd refused the write's compares with no write "
                        "committed since revision ",
                        *at, ": keys under ", etcd_.prefix,
                        " were changed outside partnergraph")),
                    0);
    }
    WaitApplied(latest, deadline);
    checked_fresh = true;
  }
  p.done(absl::AbortedError(absl::StrCat(
             "the write lost ", kMaxAttempts,
             " races with concurrent writes of the same records; retry it")),
         0);
}

absl::StatusOr<std::unique_ptr<GraphStore>> OpenEtcdStore(
    const std::string& data_dir, const StoreOptions& store_options,
    const EtcdOptions& etcd) {
  // The local copy is not synced: etcd holds every acknowledged write on a
  // quorum's disks. A machine crash can lose the last revisions the replica
  // applied, never a part of one (the write-ahead log is replayed in
  // order); the watch then brings them again from the revision recovered.
  StoreOptions options = store_options;
  options.sync = false;
  ASSIGN_OR_RETURN(std::unique_ptr<EtcdClient> client,
                   EtcdClient::Connect(etcd));
  ASSIGN_OR_RETURN(auto init, InitPrefix(client.get(), etcd.prefix));
  const std::string source = absl::StrCat(init.second, " ", etcd.prefix);
  ASSIGN_OR_RETURN(OpenedRocksDb opened, OpenRocksDb(data_dir, options));
  ASSIGN_OR_RETURN(bool bootstrap,
                   NeedsBootstrap(client.get(), etcd.prefix, source, opened));
  if (bootstrap) {
    // Built from scratch: what the directory held (an older copy, or a
    // bootstrap cut short, whose revision was never written) is etcd's
    // anyway.
    opened.db.reset();
    RETURN_IF_ERROR(FromRocks(rocksdb::DestroyDB(data_dir, rocksdb::Options()),
                              "remove the replica to rebuild it"));
    ASSIGN_OR_RETURN(opened, OpenRocksDb(data_dir, options));
    RETURN_IF_ERROR(
        Bootstrap(client.get(), etcd.prefix, source, opened.db.get(), &opened));
  }
  opened.token_key = init.first;
  auto store = std::make_unique<EtcdStore>(std::move(opened), options, etcd,
                                           std::move(client));
  RETURN_IF_ERROR(store->Start());
  store->StartReplica();
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace partnergraph::storage
