#include "storage/graph_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace partnergraph::storage {
namespace {

// Runs an asynchronous mutation and waits for its result.
template <typename T, typename Start>
T Await(Start start) {
  absl::Notification finished;
  T result;
  start([&](T r) {
    result = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return result;
}

}  // namespace

std::string EtagFor(int64_t update_revision) {
  return absl::StrCat(update_revision);
}

absl::StatusOr<CompanyRecord> GraphStore::CreateCompany(
    const CompanyRecord& company, absl::string_view request_id,
    WriteMode mode) {
  return Await<absl::StatusOr<CompanyRecord>>([&](auto done) {
    CreateCompanyAsync(company, std::string(request_id), mode, std::move(done));
  });
}

absl::StatusOr<CompanyRecord> GraphStore::UpdateCompany(
    const CompanyRecord& patch, const std::vector<std::string>& paths,
    absl::string_view etag, WriteMode mode) {
  return Await<absl::StatusOr<CompanyRecord>>([&](auto done) {
    UpdateCompanyAsync(patch, paths, std::string(etag), mode, std::move(done));
  });
}

absl::Status GraphStore::DeleteCompany(absl::string_view id,
                                       absl::string_view etag, bool force,
                                       WriteMode mode) {
  return Await<absl::Status>([&](auto done) {
    DeleteCompanyAsync(std::string(id), std::string(etag), force, mode,
                       std::move(done));
  });
}

absl::StatusOr<PartnershipRecord> GraphStore::CreatePartnership(
    const PartnershipRecord& partnership, absl::string_view request_id,
    WriteMode mode) {
  return Await<absl::StatusOr<PartnershipRecord>>([&](auto done) {
    CreatePartnershipAsync(partnership, std::string(request_id), mode,
                           std::move(done));
  });
}

absl::StatusOr<PartnershipRecord> GraphStore::UpdatePartnership(
    const PartnershipRecord& patch, const std::vector<std::string>& paths,
    absl::string_view etag, WriteMode mode) {
  return Await<absl::StatusOr<PartnershipRecord>>([&](auto done) {
    UpdatePartnershipAsync(patch, paths, std::string(etag), mode,
                           std::move(done));
  });
}

absl::Status GraphStore::DeletePartnership(absl::string_view id,
                                           absl::string_view etag,
                                           WriteMode mode) {
  return Await<absl::Status>([&](auto done) {
    DeletePartnershipAsync(std::string(id), std::string(etag), mode,
                           std::move(done));
  });
}

absl::StatusOr<ImportResult> GraphStore::Import(ImportBatch batch) {
  return Await<absl::StatusOr<ImportResult>>(
      [&](auto done) { ImportAsync(std::move(batch), std::move(done)); });
}

absl::Status GraphStore::AwaitRevision(int64_t revision, absl::Time) {
  const int64_t current = Revision();
  if (revision > current) {
    return absl::OutOfRangeError(
        absl::StrCat("min_revision: want at most ", current,
                     " (the current revision), got ", revision));
  }
  return absl::OkStatus();
}

}  // namespace partnergraph::storage
