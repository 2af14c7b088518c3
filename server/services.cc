#include "server/services.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/convert.h"
#include "server/log.h"
#include "server/read_at.h"
#include "server/status_util.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;
using storage::GraphStore;

// Client mistakes are logged at debug level; anything that points at the
// server or its storage at error level.
bool IsServerError(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

grpc::Status Reply(absl::string_view method, const absl::Status& status) {
  if (status.ok()) {
    PG_LOG(kDebug) << method << ": OK";
  } else if (IsServerError(status.code())) {
    PG_LOG(kError) << method << ": " << status;
  } else {
    PG_LOG(kDebug) << method << ": " << status;
  }
  return ToGrpcStatus(status);
}

template <typename T>
grpc::Status Reply(absl::string_view method, absl::StatusOr<T> result,
                   T* response) {
  if (result.ok()) *response = *std::move(result);
  return Reply(method, result.status());
}

absl::Status Required(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrFormat("%s: required", field));
}

// validate_only: check, answer, write nothing (AIP-163).
template <typename Request>
storage::WriteMode ModeOf(const Request& request) {
  return request.validate_only() ? storage::WriteMode::kValidateOnly
                                 : storage::WriteMode::kCommit;
}

// The etag of an update: the request's, else the one in the resource
// (`resource_field`, e.g. "company.etag"); both within their bound.
absl::StatusOr<std::string> UpdateEtag(const std::string& request_etag,
                                       const std::string& resource_etag,
                                       absl::string_view resource_field) {
  RETURN_IF_ERROR(storage::ValidateEtag("etag", request_etag));
  RETURN_IF_ERROR(storage::ValidateEtag(resource_field, resource_etag));
  return request_etag.empty() ? resource_etag : request_etag;
}

// A reactor finished with a computed response (reads, which never block),
// reporting the revision it was read at.
template <typename Response>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 absl::string_view method,
                                 absl::StatusOr<Response> result,
                                 Response* response, int64_t revision) {
  if (result.ok()) ReportRevision(context, revision);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Reply(method, std::move(result), response));
  return reactor;
}

// For a response with its own `revision`.
template <typename Response>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 absl::string_view method,
                                 absl::StatusOr<Response> result,
                                 Response* response) {
  const int64_t revision = result.ok() ? result->revision() : 0;
  return Answer(context, method, std::move(result), response, revision);
}

// The revision a read without one in its response reports: the one asked
// for, or for a read of now one it reflects every write up to.
int64_t ReadRevision(GraphStore* store, int64_t as_of_revision) {
  return as_of_revision != 0 ? as_of_revision : store->Revision();
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                 absl::string_view method,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Reply(method, status));
  return reactor;
}

// The store's completion for a write that answers with a resource: convert
// and finish the call (runs on the store's commit thread; never blocks),
// reporting the revision the write was committed at (for a check-only
// write, the one it was checked against).
template <typename Record, typename Response>
storage::Done<Record> FinishWith(const char* method,
                                 grpc::CallbackServerContext* context,
                                 GraphStore* store, bool validate_only,
                                 grpc::ServerUnaryReactor* reactor,
                                 Response* response,
                                 Response (*to_api)(const Record&)) {
  return [=](absl::StatusOr<Record> result) {
    if (result.ok()) {
      *response = to_api(*result);
      ReportRevision(context, validate_only ? store->Revision()
                                            : result->update_revision());
    }
    reactor->Finish(Reply(method, result.status()));
  };
}

// As FinishWith for a write without a resource (a delete): the revision
// reported is one the store has applied and that reflects the write.
storage::StatusDone FinishEmpty(const char* method,
                                grpc::CallbackServerContext* context,
                                GraphStore* store,
                                grpc::ServerUnaryReactor* reactor) {
  return [=](absl::Status status) {
    if (status.ok()) ReportRevision(context, store->Revision());
    reactor->Finish(Reply(method, status));
  };
}

// ---------------------------------------------------------------------------
// CompanyService

absl::StatusOr<storage::CompanyRecord> CompanyToCreate(
    const v1::CreateCompanyRequest& req) {
  if (!req.has_company()) return Required("company");
  storage::CompanyRecord record = CompanyFromApi(req.company());
  record.set_id(req.company_id());
  return record;
}

absl::StatusOr<v1::Company> GetCompany(GraphStore* store,
                                       const v1::GetCompanyRequest& req,
                                       int64_t* revision) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kCompaniesCollection));
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  *revision = ReadRevision(store, as_of);
  ASSIGN_OR_RETURN(storage::CompanyRecord record, store->GetCompany(id, as_of));
  return CompanyToApi(record);
}

absl::StatusOr<v1::BatchGetCompaniesResponse> BatchGetCompanies(
    GraphStore* store, const v1::BatchGetCompaniesRequest& req) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  if (req.names_size() < 1 || req.names_size() > storage::kMaxBatchGet) {
    return absl::InvalidArgumentError(
        absl::StrFormat("names: want 1..%d entries, got %d",
                        storage::kMaxBatchGet, req.names_size()));
  }
  std::vector<std::string> ids;
  ids.reserve(req.names_size());
  for (int i = 0; i < req.names_size(); ++i) {
    ASSIGN_OR_RETURN(std::string id, storage::ParseResourceName(
                                         absl::StrFormat("names[%d]", i),
                                         req.names(i), kCompaniesCollection));
    ids.push_back(std::move(id));
  }
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  v1::BatchGetCompaniesResponse response;
  response.set_revision(ReadRevision(store, as_of));
  ASSIGN_OR_RETURN(std::vector<storage::CompanyRecord> records,
                   store->BatchGetCompanies(ids, as_of));
  for (const storage::CompanyRecord& record : records) {
    *response.add_companies() = CompanyToApi(record);
  }
  return response;
}

// The patch and the paths of an update.
template <typename Record>
struct Patch {
  Record record;
  std::vector<std::string> paths;
};

absl::StatusOr<Patch<storage::CompanyRecord>> CompanyPatch(
    const v1::UpdateCompanyRequest& req) {
  if (!req.has_company()) return Required("company");
  ASSIGN_OR_RETURN(std::string id, storage::ParseResourceName(
                                       "company.name", req.company().name(),
                                       kCompaniesCollection));
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   CompanyUpdatePaths(req.update_mask()));
  Patch<storage::CompanyRecord> patch{CompanyFromApi(req.company()),
                                      std::move(paths)};
  patch.record.set_id(std::move(id));
  return patch;
}

absl::StatusOr<v1::ListCompaniesResponse> ListCompanies(
    GraphStore* store, const v1::ListCompaniesRequest& req) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  storage::CompanyFilter filter;
  filter.sector = req.sector();
  filter.country = req.country();
  filter.label = req.label();
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  ASSIGN_OR_RETURN(
      storage::CompanyPage page,
      store->ListCompanies(filter, req.page_size(), req.page_token(), as_of));
  v1::ListCompaniesResponse response;
  for (const storage::CompanyRecord& record : page.companies) {
    *response.add_companies() = CompanyToApi(record);
  }
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_revision(page.revision);
  return response;
}

// The versions of one record; `add(response, version)` converts one.
template <typename Request, typename Response, typename Add>
absl::StatusOr<Response> ListRevisions(GraphStore* store,
                                       storage::RecordKind kind,
                                       absl::string_view collection,
                                       const Request& req, Add add) {
  ASSIGN_OR_RETURN(std::string id,
                   storage::ParseResourceName("name", req.name(), collection));
  ASSIGN_OR_RETURN(
      storage::RevisionsPage page,
      store->ListRevisions(kind, id, req.page_size(), req.page_token()));
  Response response;
  for (const storage::RecordVersion& v : page.versions) {
    auto* out = add(&response, v);
    out->set_revision(v.revision);
    MicrosToTimestamp(v.time_micros, out->mutable_commit_time());
    // Enum numbers are shared with the stored change type.
    out->set_change(static_cast<v1::ChangeEvent::Type>(v.event.type()));
  }
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_revision(page.revision);
  return response;
}

absl::StatusOr<v1::SearchCompaniesResponse> SearchCompanies(
    GraphStore* store, const v1::SearchCompaniesRequest& req) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  ASSIGN_OR_RETURN(storage::SearchResult result,
                   store->SearchCompanies(req.query(), req.page_size()));
  v1::SearchCompaniesResponse response;
  for (const storage::SearchHit& hit : result.hits) {
    v1::SearchResult* out = response.add_results();
    *out->mutable_company() = CompanyToApi(hit.company);
    out->set_match(static_cast<v1::MatchKind>(static_cast<int>(hit.match)));
    out->set_matched_text(hit.matched_text);
  }
  response.set_revision(result.revision);
  return response;
}

// ---------------------------------------------------------------------------
// PartnershipService

absl::StatusOr<storage::PartnershipRecord> PartnershipToCreate(
    const v1::CreatePartnershipRequest& req) {
  if (!req.has_partnership()) return Required("partnership");
  ASSIGN_OR_RETURN(storage::PartnershipRecord record,
                   PartnershipFromApi(req.partnership()));
  record.set_id(req.partnership_id());
  return record;
}

absl::StatusOr<v1::Partnership> GetPartnership(
    GraphStore* store, const v1::GetPartnershipRequest& req,
    int64_t* revision) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kPartnershipsCollection));
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  *revision = ReadRevision(store, as_of);
  ASSIGN_OR_RETURN(storage::PartnershipRecord record,
                   store->GetPartnership(id, as_of));
  return PartnershipToApi(record);
}

absl::StatusOr<Patch<storage::PartnershipRecord>> PartnershipPatch(
    const v1::UpdatePartnershipRequest& req) {
  if (!req.has_partnership()) return Required("partnership");
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("partnership.name", req.partnership().name(),
                                 kPartnershipsCollection));
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   PartnershipUpdatePaths(req.update_mask()));
  ASSIGN_OR_RETURN(storage::PartnershipRecord record,
                   PartnershipFromApi(req.partnership()));
  record.set_id(std::move(id));
  return Patch<storage::PartnershipRecord>{std::move(record), std::move(paths)};
}

absl::StatusOr<v1::ListPartnershipsResponse> ListPartnerships(
    GraphStore* store, const v1::ListPartnershipsRequest& req) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  ASSIGN_OR_RETURN(storage::PartnershipQuery query,
                   PartnershipQueryFromApi("filter", req.filter()));
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  ASSIGN_OR_RETURN(
      storage::PartnershipPage page,
      store->ListPartnerships(query, req.page_size(), req.page_token(), as_of));
  v1::ListPartnershipsResponse response;
  for (const storage::PartnershipRecord& record : page.partnerships) {
    *response.add_partnerships() = PartnershipToApi(record);
  }
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_revision(page.revision);
  return response;
}

}  // namespace

CompanyServiceImpl::CompanyServiceImpl(GraphStore* store) : store_(store) {
  CheckUnary("ListCompanyRevisions", &CompanyServiceImpl::ListCompanyRevisions);
  CheckUnary("CreateCompany", &CompanyServiceImpl::CreateCompany);
  CheckUnary("GetCompany", &CompanyServiceImpl::GetCompany);
  CheckUnary("BatchGetCompanies", &CompanyServiceImpl::BatchGetCompanies);
  CheckUnary("UpdateCompany", &CompanyServiceImpl::UpdateCompany);
  CheckUnary("DeleteCompany", &CompanyServiceImpl::DeleteCompany);
  CheckUnary("ListCompanies", &CompanyServiceImpl::ListCompanies);
  CheckUnary("SearchCompanies", &CompanyServiceImpl::SearchCompanies);
}

grpc::ServerUnaryReactor* CompanyServiceImpl::CreateCompany(
    grpc::CallbackServerContext* context,
    const v1::CreateCompanyRequest* request, v1::Company* response) {
  absl::StatusOr<storage::CompanyRecord> record = CompanyToCreate(*request);
  if (!record.ok()) return Refuse(context, "CreateCompany", record.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->CreateCompanyAsync(
      *std::move(record), request->request_id(), ModeOf(*request),
      FinishWith("CreateCompany", context, store_, request->validate_only(),
                 reactor, response, &CompanyToApi));
  return reactor;
}

grpc::ServerUnaryReactor* CompanyServiceImpl::GetCompany(
    grpc::CallbackServerContext* context, const v1::GetCompanyRequest* request,
    v1::Company* response) {
  int64_t revision = 0;
  auto result = server::GetCompany(store_, *request, &revision);
  return Answer(context, "GetCompany", std::move(result), response, revision);
}

grpc::ServerUnaryReactor* CompanyServiceImpl::BatchGetCompanies(
    grpc::CallbackServerContext* context,
    const v1::BatchGetCompaniesRequest* request,
    v1::BatchGetCompaniesResponse* response) {
  return Answer(context, "BatchGetCompanies",
                server::BatchGetCompanies(store_, *request), response);
}

grpc::ServerUnaryReactor* CompanyServiceImpl::UpdateCompany(
    grpc::CallbackServerContext* context,
    const v1::UpdateCompanyRequest* request, v1::Company* response) {
  auto patch = CompanyPatch(*request);
  if (!patch.ok()) return Refuse(context, "UpdateCompany", patch.status());
  auto etag =
      UpdateEtag(request->etag(), request->company().etag(), "company.etag");
  if (!etag.ok()) return Refuse(context, "UpdateCompany", etag.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->UpdateCompanyAsync(
      std::move(patch->record), std::move(patch->paths), *std::move(etag),
      ModeOf(*request),
      FinishWith("UpdateCompany", context, store_, request->validate_only(),
                 reactor, response, &CompanyToApi));
  return reactor;
}

grpc::ServerUnaryReactor* CompanyServiceImpl::DeleteCompany(
    grpc::CallbackServerContext* context,
    const v1::DeleteCompanyRequest* request, google::protobuf::Empty*) {
  auto id =
      storage::ParseResourceName("name", request->name(), kCompaniesCollection);
  if (!id.ok()) return Refuse(context, "DeleteCompany", id.status());
  const absl::Status etag = storage::ValidateEtag("etag", request->etag());
  if (!etag.ok()) return Refuse(context, "DeleteCompany", etag);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->DeleteCompanyAsync(
      *std::move(id), request->etag(), request->force(), ModeOf(*request),
      FinishEmpty("DeleteCompany", context, store_, reactor));
  return reactor;
}

grpc::ServerUnaryReactor* CompanyServiceImpl::ListCompanies(
    grpc::CallbackServerContext* context,
    const v1::ListCompaniesRequest* request,
    v1::ListCompaniesResponse* response) {
  return Answer(context, "ListCompanies",
                server::ListCompanies(store_, *request), response);
}

grpc::ServerUnaryReactor* CompanyServiceImpl::SearchCompanies(
    grpc::CallbackServerContext* context,
    const v1::SearchCompaniesRequest* request,
    v1::SearchCompaniesResponse* response) {
  return Answer(context, "SearchCompanies",
                server::SearchCompanies(store_, *request), response);
}

PartnershipServiceImpl::PartnershipServiceImpl(GraphStore* store)
    : store_(store) {
  CheckUnary("CreatePartnership", &PartnershipServiceImpl::CreatePartnership);
  CheckUnary("GetPartnership", &PartnershipServiceImpl::GetPartnership);
  CheckUnary("UpdatePartnership", &PartnershipServiceImpl::UpdatePartnership);
  CheckUnary("DeletePartnership", &PartnershipServiceImpl::DeletePartnership);
  CheckUnary("ListPartnerships", &PartnershipServiceImpl::ListPartnerships);
  CheckUnary("ListPartnershipRevisions",
             &PartnershipServiceImpl::ListPartnershipRevisions);
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::CreatePartnership(
    grpc::CallbackServerContext* context,
    const v1::CreatePartnershipRequest* request, v1::Partnership* response) {
  absl::StatusOr<storage::PartnershipRecord> record =
      PartnershipToCreate(*request);
  if (!record.ok()) {
    return Refuse(context, "CreatePartnership", record.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->CreatePartnershipAsync(
      *std::move(record), request->request_id(), ModeOf(*request),
      FinishWith("CreatePartnership", context, store_, request->validate_only(),
                 reactor, response, &PartnershipToApi));
  return reactor;
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::GetPartnership(
    grpc::CallbackServerContext* context,
    const v1::GetPartnershipRequest* request, v1::Partnership* response) {
  int64_t revision = 0;
  auto result = server::GetPartnership(store_, *request, &revision);
  return Answer(context, "GetPartnership", std::move(result), response,
                revision);
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::UpdatePartnership(
    grpc::CallbackServerContext* context,
    const v1::UpdatePartnershipRequest* request, v1::Partnership* response) {
  auto patch = PartnershipPatch(*request);
  if (!patch.ok()) return Refuse(context, "UpdatePartnership", patch.status());
  auto etag = UpdateEtag(request->etag(), request->partnership().etag(),
                         "partnership.etag");
  if (!etag.ok()) return Refuse(context, "UpdatePartnership", etag.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->UpdatePartnershipAsync(
      std::move(patch->record), std::move(patch->paths), *std::move(etag),
      ModeOf(*request),
      FinishWith("UpdatePartnership", context, store_, request->validate_only(),
                 reactor, response, &PartnershipToApi));
  return reactor;
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::DeletePartnership(
    grpc::CallbackServerContext* context,
    const v1::DeletePartnershipRequest* request, google::protobuf::Empty*) {
  auto id = storage::ParseResourceName("name", request->name(),
                                       kPartnershipsCollection);
  if (!id.ok()) return Refuse(context, "DeletePartnership", id.status());
  const absl::Status etag = storage::ValidateEtag("etag", request->etag());
  if (!etag.ok()) return Refuse(context, "DeletePartnership", etag);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_->DeletePartnershipAsync(
      *std::move(id), request->etag(), ModeOf(*request),
      FinishEmpty("DeletePartnership", context, store_, reactor));
  return reactor;
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::ListPartnerships(
    grpc::CallbackServerContext* context,
    const v1::ListPartnershipsRequest* request,
    v1::ListPartnershipsResponse* response) {
  return Answer(context, "ListPartnerships",
                server::ListPartnerships(store_, *request), response);
}

grpc::ServerUnaryReactor* CompanyServiceImpl::ListCompanyRevisions(
    grpc::CallbackServerContext* context,
    const v1::ListCompanyRevisionsRequest* request,
    v1::ListCompanyRevisionsResponse* response) {
  auto result = ListRevisions<v1::ListCompanyRevisionsRequest,
                              v1::ListCompanyRevisionsResponse>(
      store_, storage::RecordKind::kCompany, kCompaniesCollection, *request,
      [](v1::ListCompanyRevisionsResponse* r, const storage::RecordVersion& v) {
        v1::CompanyRevision* out = r->add_revisions();
        *out->mutable_company() = CompanyToApi(v.event.company());
        return out;
      });
  return Answer(context, "ListCompanyRevisions", std::move(result), response);
}

grpc::ServerUnaryReactor* PartnershipServiceImpl::ListPartnershipRevisions(
    grpc::CallbackServerContext* context,
    const v1::ListPartnershipRevisionsRequest* request,
    v1::ListPartnershipRevisionsResponse* response) {
  auto result = ListRevisions<v1::ListPartnershipRevisionsRequest,
                              v1::ListPartnershipRevisionsResponse>(
      store_, storage::RecordKind::kPartnership, kPartnershipsCollection,
      *request,
      [](v1::ListPartnershipRevisionsResponse* r,
         const storage::RecordVersion& v) {
        v1::PartnershipRevision* out = r->add_revisions();
        *out->mutable_partnership() = PartnershipToApi(v.event.partnership());
        return out;
      });
  return Answer(context, "ListPartnershipRevisions", std::move(result),
                response);
}

}  // namespace partnergraph::server
