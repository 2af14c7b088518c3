// The etcd engine's replica: the watch of the prefix, each etcd revision
// decoded into the local store's writes and change events and committed
// there at that revision.

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/etcd/etcd_engine.h"
#include "storage/key_codec.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

template <typename Record>
absl::StatusOr<std::string> Stamp(const mvccpb::KeyValue& kv,
                                  absl::string_view what) {
  Record r;
  if (!r.ParseFromString(kv.value())) {
    return absl::InternalError(absl::StrCat(
        "etcd holds a ", what, " that does not parse at ", kv.key().size(),
        "-byte key, revision ", kv.mod_revision()));
  }
  r.set_create_revision(kv.create_revision());
  r.set_update_revision(kv.mod_revision());
  return r.SerializeAsString();
}

// Reads a record value (company or partnership) into the event's field.
template <typename Record>
absl::Status ParseInto(const std::string& value, Record* out) {
  ASSIGN_OR_RETURN(*out, ParseRecord<Record>(value, "record"));
  return absl::OkStatus();
}

}  // namespace

bool EtcdKey::Local(const std::string& prefix, const std::string& etcd_key,
                    std::string* local) {
  if (!absl::StartsWith(etcd_key, prefix) || etcd_key.size() == prefix.size()) {
    return false;
  }
  *local = etcd_key.substr(prefix.size());
  return true;
}

absl::StatusOr<std::string> ReplicaValue(const std::string& local_key,
                                         const mvccpb::KeyValue& kv) {
  switch (local_key[0]) {
    case keys::kCompany:
      return Stamp<CompanyRecord>(kv, "company");
    case keys::kPartnership:
      return Stamp<PartnershipRecord>(kv, "partnership");
    case keys::kRequestId: {
      RequestIdRecord r;
      if (!r.ParseFromString(kv.value())) {
        return absl::InternalError(
            "etcd holds a request id that does not parse");
      }
      // The revision of the write that created the record.
      r.set_revision(kv.mod_revision());
      return r.SerializeAsString();
    }
    default:
      return kv.value();
  }
}

absl::StatusOr<std::optional<std::string>> EtcdStore::Current(
    const std::string& local_key) {
  auto it = unapplied_.find(local_key);
  if (it != unapplied_.end()) return it->second;
  std::string value;
  rocksdb::Status s = db()->Get(rocksdb::ReadOptions(), local_key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "read"));
  return std::optional<std::string>(std::move(value));
}

absl::Status EtcdStore::ApplyResponse(
    const etcdserverpb::WatchResponse& response) {
  const auto& events = response.events();
  {
    // Revisions are handed to the commit queue without waiting for them:
    // the queue commits those waiting together (one write, one fsync).
    // unapplied_ holds what they write until none is left in flight.
    absl::MutexLock lock(&window_->mu);
    if (window_->in_flight > 0 && (window_->in_flight >= kMaxInFlight ||
                                   unapplied_.size() >= kMaxUnapplied)) {
      window_->mu.Await(absl::Condition(
          +[](ApplyWindow* w)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return w->in_flight == 0; },
          window_.get()));
    }
    if (!window_->error.ok()) return window_->error;
    if (window_->in_flight == 0) unapplied_.clear();
  }
  struct Decoded {
    int64_t revision;
    int64_t time_micros;
    WritePlan plan;
  };
  std::vector<Decoded> revisions;
  for (int i = 0; i < events.size();) {
    const int64_t revision = events[i].kv().mod_revision();
    if (revision <= queued_) {  // seen before a reconnect
      while (i < events.size() && events[i].kv().mod_revision() == revision) {
        ++i;
      }
      continue;
    }
    WritePlan plan;
    int64_t time_micros = 0;
    for (; i < events.size() && events[i].kv().mod_revision() == revision;
         ++i) {
      const mvccpb::Event& e = events[i];
      std::string local;
      if (!EtcdKey::Local(etcd_.prefix, e.kv().key(), &local)) continue;
      if (local == keys::MetaKey(kCommitMarker)) {
        time_micros = keys::DecodeInt64(e.kv().value());
      }
      const bool record =
          local[0] == keys::kCompany || local[0] == keys::kPartnership;
      std::optional<std::string> before;
      if (record) {
        ASSIGN_OR_RETURN(before, Current(local));
      }
      std::optional<std::string> after;
      if (e.type() == mvccpb::Event::PUT) {
        ASSIGN_OR_RETURN(std::string v, ReplicaValue(local, e.kv()));
        after = std::move(v);
      }
      if (record) {
        ChangeEventRecord* ev = plan.changes.add_events();
        const bool created =
            after.has_value() && e.kv().create_revision() == revision;
        ev->set_type(!after.has_value() ? ChangeEventRecord::DELETED
                     : created          ? ChangeEventRecord::CREATED
                                        : ChangeEventRecord::UPDATED);
        const std::string& shown = after.has_value() ? *after : *before;
        if (!after.has_value() && !before.has_value()) {
          return absl::InternalError(absl::StrCat(
              "etcd deleted a record this replica does not hold at revision ",
              revision));
        }
        if (local[0] == keys::kCompany) {
          RETURN_IF_ERROR(ParseInto(shown, ev->mutable_company()));
          if (ev->type() == ChangeEventRecord::UPDATED && before.has_value()) {
            RETURN_IF_ERROR(ParseInto(*before, ev->mutable_previous_company()));
          }
        } else {
          RETURN_IF_ERROR(ParseInto(shown, ev->mutable_partnership()));
          if (ev->type() == ChangeEventRecord::UPDATED && before.has_value()) {
            RETURN_IF_ERROR(
                ParseInto(*before, ev->mutable_previous_partnership()));
          }
        }
      }
      unapplied_[local] = after;
      plan.writes.Set(local, std::move(after));
    }
    if (time_micros == 0) time_micros = absl::ToUnixMicros(absl::Now());
    queued_ = revision;
    revisions.push_back(Decoded{revision, time_micros, std::move(plan)});
  }
  if (revisions.empty()) return absl::OkStatus();
  {
    absl::MutexLock lock(&window_->mu);
    window_->in_flight += static_cast<int>(revisions.size());
  }
  for (Decoded& d : revisions) {
    ApplyCommitted(d.revision, d.time_micros, std::move(d.plan),
                   [window = window_](absl::Status s) {
                     absl::MutexLock lock(&window->mu);
                     if (!s.ok() && window->error.ok()) window->error = s;
                     --window->in_flight;
                   });
  }
  return absl::OkStatus();
}

void EtcdStore::WatchLoop() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (true) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      watch_context_ = &context;
    }
    auto stream = client_->Watch(&context);
    etcdserverpb::WatchRequest req;
    auto* create = req.mutable_create_request();
    create->set_key(etcd_.prefix);
    std::string end = keys::PrefixSuccessor(etcd_.prefix);
    create->set_range_end(end.empty() ? std::string(1, '\0') : end);
    create->set_start_revision(queued_ + 1);
    absl::Status failure;
    if (stream->Write(req)) {
      etcdserverpb::WatchResponse response;
      while (stream->Read(&response)) {
        backoff = absl::Milliseconds(100);
        if (response.canceled()) {
          if (response.compact_revision() > 0) {
            failure = absl::UnavailableError(absl::StrCat(
                "etcd compacted its history to revision ",
                response.compact_revision(), " past this replica (at ", queued_,
                "): restart it to rebuild from etcd"));
          }
          break;
        }
        absl::Status applied = ApplyResponse(response);
        if (!applied.ok()) {
          failure = absl::InternalError(absl::StrCat(
              "this replica cannot apply etcd's revisions: ", applied.message(),
              "; restart it to rebuild from etcd"));
          break;
        }
      }
    }
    {
      absl::MutexLock lock(&mu_);
      watch_context_ = nullptr;
      if (!failure.ok()) broken_ = failure;
      if (stopping_ || !broken_.ok()) {
        context.TryCancel();
        stream->Finish();
        if (!failure.ok() && etcd_.on_broken) etcd_.on_broken(failure);
        return;
      }
    }
    context.TryCancel();
    stream->Finish();
    // The member went away: the next one, after a pause.
    client_->NextEndpoint();
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

}  // namespace partnergraph::storage
