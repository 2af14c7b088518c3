#include "server/admin_service.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "server/convert.h"
#include "server/read_at.h"
#include "server/status_util.h"
#include "storage/validation.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;

// The id of `name` ("{collection}/{id}"); empty name: empty id (derived or
// assigned by the store).
absl::StatusOr<std::string> IdFromName(absl::string_view field,
                                       absl::string_view collection,
                                       absl::string_view name) {
  if (name.empty()) return std::string();
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, collection) || !absl::ConsumePrefix(&id, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": want ", collection, "/{id}, got ", storage::Quote(name)));
  }
  return std::string(id);
}

template <typename Resource>
void ClearOutputOnly(Resource* r) {
  r->clear_create_revision();
  r->clear_update_revision();
  r->clear_create_time();
  r->clear_update_time();
  r->clear_etag();
}

// Receives, converts and validates the next batch while the previous ones
// commit: a full batch is handed to the store from the read path at once
// (so its validation runs on a gRPC thread, not the store's commit thread),
// and reading pauses while kImportBatchesInFlight batches are queued in the
// store (bounded memory). Batches are committed in stream order (the store's
// queue is first in, first out), so a partnership may still name a company
// of an earlier batch.
// A batch ready to hand to the store, and whether partnerships naming
// companies not yet written are held back for a later batch.
struct ImportReady {
  storage::ImportBatch batch;
  bool hold_back = true;
};

class ImportReactor final
    : public grpc::ServerReadReactor<CheckedRequest<v1::ImportRecordsRequest>> {
 public:
  ImportReactor(storage::GraphStore* store, v1::ImportRecordsResponse* response)
      : store_(store), response_(response) {
    Pump();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The stream ended: the client half-closed it, or it broke (a cancel,
      // the deadline, a message over the size limit). Which one is learnt by
      // sending the initial metadata, which a broken call refuses.
      StartSendInitialMetadata();
      return;
    }
    // Conversion runs outside mu_ (only the read path touches request_,
    // batch_ and the fields next to them): the store's callbacks, which
    // run on its commit thread, never wait for it.
    std::vector<std::pair<int64_t, absl::Status>> errors;
    absl::Status problem = Convert(&errors);
    std::optional<ImportReady> ready;
    if (problem.ok() && !all_or_nothing_ &&
        static_cast<int64_t>(batch_.companies.size() +
                             batch_.partnerships.size()) >=
            kImportBatchRecords) {
      ready.emplace();
      ready->batch = TakeBatch();
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      for (auto& [index, status] : errors) AddErrorLocked(index, status);
      if (!problem.ok() && error_.ok()) error_ = problem;
      if (ready.has_value()) ready_ = std::move(ready);
    }
    Pump();
  }

  void OnSendInitialMetadataDone(bool ok) override {
    const bool half_closed = ok && !cancelled_.load();
    std::optional<ImportReady> ready;
    if (half_closed) {
      ready.emplace();
      ready->batch = TakeBatch();
      if (all_or_nothing_) {
        ready->batch.all_or_nothing = true;
        ready->hold_back = false;
      }
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      eos_ = true;
      if (!half_closed && error_.ok()) {
        error_ = absl::CancelledError(
            "the stream broke before the client half-closed it; records "
            "after the last batch handed to the store were not written");
      }
      if (ready.has_value()) {
        // All or nothing with records refused here already: have the store
        // check the rest, so every error is reported, and write nothing.
        if (ready->batch.all_or_nothing) {
          ready->batch.dry_run = error_count_ > 0;
        }
        ready_ = std::move(ready);
      }
    }
    Pump();
  }

  void OnCancel() override { cancelled_.store(true); }

  void OnDone() override { delete this; }

 private:
  // Converts request_ into batch_; per-record errors go to `errors`, a bad
  // message is returned.
  absl::Status Convert(std::vector<std::pair<int64_t, absl::Status>>* errors) {
    if (!request_.status.ok()) {
      return absl::InvalidArgumentError(request_.status.error_message());
    }
    v1::ImportRecordsRequest& request = request_.message;
    const int n = request.records_size();
    if (n < 1 || n > kMaxImportMessageRecords) {
      return absl::InvalidArgumentError(
          absl::StrCat("records: want 1..", kMaxImportMessageRecords,
                       " records per message, got ", n));
    }
    if (first_) {
      all_or_nothing_ = request.all_or_nothing();
      first_ = false;
    }
    for (v1::Record& record : *request.mutable_records()) {
      const int64_t index = next_index_++;
      if (record.has_company()) {
        absl::StatusOr<std::string> id = IdFromName(
            "company.name", kCompaniesCollection, record.company().name());
        if (!id.ok()) {
          errors->emplace_back(index, id.status());
          continue;
        }
        storage::CompanyRecord c = CompanyFromApi(record.company());
        c.set_id(*std::move(id));
        batch_.companies.emplace_back(index, std::move(c));
      } else if (record.has_partnership()) {
        absl::StatusOr<std::string> id =
            IdFromName("partnership.name", kPartnershipsCollection,
                       record.partnership().name());
        absl::StatusOr<storage::PartnershipRecord> p =
            PartnershipFromApi(record.partnership());
        if (!id.ok() || !p.ok()) {
          errors->emplace_back(index, !id.ok() ? id.status() : p.status());
          continue;
        }
        p->set_id(*std::move(id));
        batch_.partnerships.emplace_back(index, *std::move(p));
      } else {
        errors->emplace_back(index,
                             absl::InvalidArgumentError(
                                 "record: want a company or a partnership, got "
                                 "neither"));
      }
    }
    if (all_or_nothing_ && next_index_ > kMaxAllOrNothingRecords) {
      return absl::InvalidArgumentError(
          absl::StrCat("all_or_nothing: want at most ", kMaxAllOrNothingRecords,
                       " records, got more"));
    }
    return absl::OkStatus();
  }

  storage::ImportBatch TakeBatch() {
    storage::ImportBatch batch = std::move(batch_);
    batch_ = storage::ImportBatch();
    return batch;
  }

  // Starts whatever can start now: a store write for a full batch, the
  // next read (when a slot is free), the retry of held-back partnerships, or
  // the end of the call (only once no store write is in flight: the store's
  // callbacks use this reactor). Called without mu_: ImportAsync may run its
  // callback inline.
  void Pump() {
    while (true) {
      enum { kNothing, kRead, kSubmit, kFinish } action = kNothing;
      ImportReady submit;
      grpc::Status finish;
      {
        absl::MutexLock lock(&mu_);
        if (finished_) return;
        if (!error_.ok()) {
          if (in_flight_ > 0) return;
          finished_ = true;
          action = kFinish;
          finish = ToGrpcStatus(error_);
        } else if (ready_.has_value()) {
          submit = *std::move(ready_);
          ready_.reset();
          ++in_flight_;
          action = kSubmit;
        } else if (eos_) {
          if (in_flight_ > 0) return;
          if (!held_.empty()) {
            submit.batch.partnerships = std::move(held_);
            held_.clear();
            submit.hold_back = false;
            ++in_flight_;
            action = kSubmit;
          } else {
            finished_ = true;
            action = kFinish;
            FillResponseLocked();
          }
        } else if (!reading_ && in_flight_ < kImportBatchesInFlight) {
          reading_ = true;
          action = kRead;
        } else {
          return;
        }
      }
      switch (action) {
        case kRead:
          StartRead(&request_);
          return;
        case kSubmit:
          Submit(std::move(submit));
          break;
        case kFinish:
          Finish(finish);
          return;
        case kNothing:
          return;
      }
    }
  }

  void Submit(ImportReady ready) {
    ready.batch.hold_back_missing = ready.hold_back;
    store_->ImportAsync(
        std::move(ready.batch),
        [this](absl::StatusOr<storage::ImportResult> result) {
          {
            absl::MutexLock lock(&mu_);
            --in_flight_;
            if (!result.ok()) {
              if (error_.ok()) error_ = result.status();
            } else {
              companies_ += result->companies_written;
              partnerships_ += result->partnerships_written;
              revision_ = std::max(revision_, result->revision);
              for (const storage::ImportError& e : result->errors) {
                AddErrorLocked(e.index, e.status);
              }
              for (auto& [index, p] : result->held_back) {
                if (static_cast<int>(held_.size()) >=
                    kMaxHeldBackPartnerships) {
                  AddErrorLocked(
                      index,
                      absl::ResourceExhaustedError(absl::StrCat(
                          "partnership: more than ", kMaxHeldBackPartnerships,
                          " partnerships wait for their participants; "
                          "import the companies first")));
                } else {
                  held_.emplace_back(index, std::move(p));
                }
              }
            }
          }
          Pump();
        });
  }

  void AddErrorLocked(int64_t index, const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++error_count_;
    v1::RecordError e;
    e.set_index(index);
    e.set_code(static_cast<int>(status.code()));
    e.set_message(std::string(status.message()));
    errors_.push_back(std::move(e));
    // Keep only the first kMaxReportedErrors by position (bounded memory).
    if (errors_.size() > 10 * kMaxReportedErrors) TrimErrorsLocked();
  }

  void TrimErrorsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::sort(errors_.begin(), errors_.end(),
              [](const v1::RecordError& a, const v1::RecordError& b) {
                return a.index() < b.index();
              });
    if (errors_.size() > kMaxReportedErrors) errors_.resize(kMaxReportedErrors);
  }

  void FillResponseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    TrimErrorsLocked();
    response_->set_companies_written(companies_);
    response_->set_partnerships_written(partnerships_);
    response_->set_revision(revision_ > 0 ? revision_ : store_->Revision());
    for (v1::RecordError& e : errors_) *response_->add_errors() = std::move(e);
    response_->set_more_errors(error_count_ -
                               static_cast<int64_t>(response_->errors_size()));
  }

  storage::GraphStore* const store_;
  v1::ImportRecordsResponse* const response_;
  std::atomic<bool> cancelled_{false};
  // The read path (one read at a time) alone touches these.
  CheckedRequest<v1::ImportRecordsRequest> request_;
  bool first_ = true;
  bool all_or_nothing_ = false;
  int64_t next_index_ = 0;
  storage::ImportBatch batch_;
  // Shared by the read path and the store's callbacks.
  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool eos_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<ImportReady> ready_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<int64_t, storage::PartnershipRecord>> held_
      ABSL_GUARDED_BY(mu_);
  std::vector<v1::RecordError> errors_ ABSL_GUARDED_BY(mu_);
  int64_t error_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t companies_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t partnerships_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
};

class ExportReactor final
    : public grpc::ServerWriteReactor<v1::ExportRecordsResponse> {
 public:
  ExportReactor(storage::GraphStore* store,
                const v1::ExportRecordsRequest& request) {
    const int size = request.batch_size();
    if (size < 0 || size > kMaxExportBatch) {
      Finish(ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "batch_size: want 0..", kMaxExportBatch, ", got ", size))));
      return;
    }
    batch_size_ = size == 0 ? kDefaultExportBatch : size;
    const absl::Status applied = CheckMinRevision(store, request);
    if (!applied.ok()) {
      Finish(ToGrpcStatus(applied));
      return;
    }
    absl::StatusOr<std::unique_ptr<storage::RecordCursor>> cursor =
        store->OpenExport();
    if (!cursor.ok()) {
      Finish(ToGrpcStatus(cursor.status()));
      return;
    }
    cursor_ = *std::move(cursor);
    SendNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "export stream broken"));
      return;
    }
    if (last_) {
      Finish(grpc::Status::OK);
      return;
    }
    SendNext();
  }

  void OnDone() override { delete this; }

 private:
  void SendNext() {
    std::vector<storage::CompanyRecord> companies;
    std::vector<storage::PartnershipRecord> partnerships;
    absl::StatusOr<bool> more =
        cursor_->Next(batch_size_, &companies, &partnerships);
    if (!more.ok()) {
      Finish(ToGrpcStatus(more.status()));
      return;
    }
    if (companies.empty() && partnerships.empty() && sent_any_) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    response_.set_revision(cursor_->revision());
    for (const storage::CompanyRecord& c : companies) {
      v1::Company* out = response_.add_records()->mutable_company();
      *out = CompanyToApi(c);
      ClearOutputOnly(out);
    }
    for (const storage::PartnershipRecord& p : partnerships) {
      v1::Partnership* out = response_.add_records()->mutable_partnership();
      *out = PartnershipToApi(p);
      ClearOutputOnly(out);
    }
    sent_any_ = true;
    last_ = !*more;
    StartWrite(&response_);
  }

  std::unique_ptr<storage::RecordCursor> cursor_;
  int batch_size_ = kDefaultExportBatch;
  v1::ExportRecordsResponse response_;
  bool sent_any_ = false;
  bool last_ = false;
};

}  // namespace

AdminServiceImpl::AdminServiceImpl(storage::GraphStore* store,
                                   AdminOptions options)
    : store_(store), options_(std::move(options)) {
  CheckClientStream("ImportRecords", &AdminServiceImpl::ReceiveImport);
  CheckServerStream("ExportRecords", &AdminServiceImpl::ExportRecords);
  CheckUnary("CreateBackup", &AdminServiceImpl::CreateBackup);
  CheckUnary("GetStats", &AdminServiceImpl::GetStats);
}

grpc::ServerReadReactor<CheckedRequest<v1::ImportRecordsRequest>>*
AdminServiceImpl::ReceiveImport(grpc::CallbackServerContext* /*context*/,
                                v1::ImportRecordsResponse* response) {
  return new ImportReactor(store_, response);
}

grpc::ServerWriteReactor<v1::ExportRecordsResponse>*
AdminServiceImpl::ExportRecords(grpc::CallbackServerContext* /*context*/,
                                const v1::ExportRecordsRequest* request) {
  return new ExportReactor(store_, *request);
}

grpc::ServerUnaryReactor* AdminServiceImpl::CreateBackup(
    grpc::CallbackServerContext* context,
    const v1::CreateBackupRequest* /*request*/,
    v1::CreateBackupResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto run = [&]() -> absl::Status {
    if (options_.backup_dir.empty()) {
      return absl::FailedPreconditionError(
          "backup_dir: this server was started without --backup_dir, so it "
          "takes no backups");
    }
    namespace fs = std::filesystem;
    absl::MutexLock lock(&backup_mu_);
    std::error_code ec;
    fs::create_directories(options_.backup_dir, ec);
    if (ec) {
      return absl::InternalError(absl::StrCat(
          "create backup_dir ", options_.backup_dir, ": ", ec.message()));
    }
    int64_t last_id = 0;
    for (const auto& entry : fs::directory_iterator(options_.backup_dir, ec)) {
      absl::string_view name = entry.path().filename().native();
      int64_t id = 0;
      if (absl::ConsumePrefix(&name, "backup-") &&
          absl::SimpleAtoi(name, &id)) {
        last_id = std::max(last_id, id);
      }
    }
    const int64_t id = last_id + 1;
    const std::string dir =
        (fs::path(options_.backup_dir) / absl::StrCat("backup-", id)).string();
    absl::StatusOr<storage::CheckpointInfo> info =
        store_->CreateCheckpoint(dir);
    if (!info.ok()) return info.status();
    response->set_backup_id(id);
    response->set_revision(info->revision);
    response->set_size_bytes(info->size_bytes);
    response->set_path(dir);
    return absl::OkStatus();
  };
  reactor->Finish(ToGrpcStatus(run()));
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetStats(
    grpc::CallbackServerContext* context,
    const v1::GetStatsRequest* /*request*/, v1::GetStatsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<storage::StoreStats> stats = store_->GetStats();
  if (stats.ok()) {
    response->set_companies(stats->companies);
    response->set_partnerships(stats->partnerships);
    response->set_revision(stats->revision);
    response->set_compact_revision(stats->compact_revision);
    response->set_disk_bytes(stats->disk_bytes);
    response->set_schema_version(stats->schema_version);
  }
  reactor->Finish(ToGrpcStatus(stats.status()));
  return reactor;
}

}  // namespace partnergraph::server
