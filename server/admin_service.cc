#include "server/admin_service.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/convert.h"
#include "server/status_util.h"

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
        field, ": want ", collection, "/{id}, got \"", name, "\""));
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

class ImportReactor final
    : public grpc::ServerReadReactor<v1::ImportRecordsRequest> {
 public:
  ImportReactor(storage::GraphStore* store, v1::ImportRecordsResponse* response)
      : store_(store), response_(response) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      if (cancelled_.load()) return Fail(absl::CancelledError("cancelled"));
      return EndOfStream();
    }
    const int n = request_.records_size();
    if (n < 1 || n > kMaxImportMessageRecords) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("records: want 1..", kMaxImportMessageRecords,
                       " records per message, got ", n)));
    }
    if (first_) {
      all_or_nothing_ = request_.all_or_nothing();
      first_ = false;
    }
    for (v1::Record& record : *request_.mutable_records()) {
      const int64_t index = next_index_++;
      if (record.has_company()) {
        absl::StatusOr<std::string> id = IdFromName(
            "company.name", kCompaniesCollection, record.company().name());
        if (!id.ok()) {
          AddError(index, id.status());
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
          AddError(index, !id.ok() ? id.status() : p.status());
          continue;
        }
        p->set_id(*std::move(id));
        batch_.partnerships.emplace_back(index, *std::move(p));
      } else {
        AddError(index, absl::InvalidArgumentError(
                            "record: want a company or a partnership, got "
                            "neither"));
      }
    }
    const int64_t held = static_cast<int64_t>(batch_.companies.size() +
                                              batch_.partnerships.size());
    if (all_or_nothing_) {
      if (next_index_ > kMaxAllOrNothingRecords) {
        return Fail(absl::InvalidArgumentError(
            absl::StrCat("all_or_nothing: want at most ",
                         kMaxAllOrNothingRecords, " records, got more")));
      }
    } else if (held >= kImportBatchRecords) {
      return Submit(TakeBatch(), /*hold_back=*/true,
                    [this] { StartRead(&request_); });
    }
    StartRead(&request_);
  }

  void OnCancel() override { cancelled_.store(true); }

  void OnDone() override { delete this; }

 private:
  storage::ImportBatch TakeBatch() {
    storage::ImportBatch batch = std::move(batch_);
    batch_ = storage::ImportBatch();
    return batch;
  }

  void EndOfStream() {
    if (all_or_nothing_) {
      storage::ImportBatch batch = TakeBatch();
      batch.all_or_nothing = true;
      // Records refused here already: have the store check the rest, so
      // every error is reported, and write nothing.
      batch.dry_run = error_count_ > 0;
      return Submit(std::move(batch), false, [this] { FinishOk(); });
    }
    Submit(TakeBatch(), /*hold_back=*/true, [this] {
      if (held_.empty()) return FinishOk();
      storage::ImportBatch retry;
      retry.partnerships = std::move(held_);
      Submit(std::move(retry), false, [this] { FinishOk(); });
    });
  }

  // Writes `batch` and runs `next` on success (on the store's commit thread
  // or inline).
  void Submit(storage::ImportBatch batch, bool hold_back,
              std::function<void()> next) {
    batch.hold_back_missing = hold_back;
    store_->ImportAsync(
        std::move(batch), [this, next = std::move(next)](
                              absl::StatusOr<storage::ImportResult> result) {
          if (!result.ok()) return Fail(result.status());
          companies_ += result->companies_written;
          partnerships_ += result->partnerships_written;
          revision_ = std::max(revision_, result->revision);
          for (const storage::ImportError& e : result->errors) {
            AddError(e.index, e.status);
          }
          for (auto& [index, p] : result->held_back) {
            if (static_cast<int>(held_.size()) >= kMaxHeldBackPartnerships) {
              AddError(index,
                       absl::ResourceExhaustedError(absl::StrCat(
                           "partnership: more than ", kMaxHeldBackPartnerships,
                           " partnerships wait for their participants; "
                           "import the companies first")));
            } else {
              held_.emplace_back(index, std::move(p));
            }
          }
          next();
        });
  }

  void AddError(int64_t index, const absl::Status& status) {
    ++error_count_;
    v1::RecordError e;
    e.set_index(index);
    e.set_code(static_cast<int>(status.code()));
    e.set_message(std::string(status.message()));
    errors_.push_back(std::move(e));
    // Keep only the first kMaxReportedErrors by position (bounded memory).
    if (errors_.size() > 10 * kMaxReportedErrors) TrimErrors();
  }

  void TrimErrors() {
    std::sort(errors_.begin(), errors_.end(),
              [](const v1::RecordError& a, const v1::RecordError& b) {
                return a.index() < b.index();
              });
    if (errors_.size() > kMaxReportedErrors) errors_.resize(kMaxReportedErrors);
  }

  void FinishOk() {
    TrimErrors();
    response_->set_companies_written(companies_);
    response_->set_partnerships_written(partnerships_);
    response_->set_revision(revision_ > 0 ? revision_ : store_->Revision());
    for (v1::RecordError& e : errors_) *response_->add_errors() = std::move(e);
    response_->set_more_errors(error_count_ -
                               static_cast<int64_t>(response_->errors_size()));
    Finish(grpc::Status::OK);
  }

  void Fail(const absl::Status& status) { Finish(ToGrpcStatus(status)); }

  storage::GraphStore* const store_;
  v1::ImportRecordsResponse* const response_;
  std::atomic<bool> cancelled_{false};
  // The rest is touched by one step at a time: a read and a store write are
  // never in flight together.
  v1::ImportRecordsRequest request_;
  bool first_ = true;
  bool all_or_nothing_ = false;
  int64_t next_index_ = 0;
  storage::ImportBatch batch_;
  std::vector<std::pair<int64_t, storage::PartnershipRecord>> held_;
  std::vector<v1::RecordError> errors_;
  int64_t error_count_ = 0;
  int64_t companies_ = 0;
  int64_t partnerships_ = 0;
  int64_t revision_ = 0;
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

grpc::ServerReadReactor<v1::ImportRecordsRequest>*
AdminServiceImpl::ImportRecords(grpc::CallbackServerContext* /*context*/,
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
