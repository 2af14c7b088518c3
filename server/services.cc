#include "server/services.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/convert.h"
#include "server/log.h"
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

// Ids are optional on create; when given they must be well formed, and the
// error names the request field rather than a record field.
absl::Status ValidateOptionalId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  return storage::ValidateId(field, id);
}

// The etag of an update: the request's, else the one in the resource.
absl::string_view UpdateEtag(const std::string& request_etag,
                             const std::string& resource_etag) {
  return request_etag.empty() ? resource_etag : request_etag;
}

// ---------------------------------------------------------------------------
// CompanyService

absl::StatusOr<v1::Company> CreateCompany(GraphStore* store,
                                          const v1::CreateCompanyRequest& req) {
  if (!req.has_company()) return Required("company");
  RETURN_IF_ERROR(ValidateOptionalId("company_id", req.company_id()));
  RETURN_IF_ERROR(storage::ValidateRequestId("request_id", req.request_id()));
  storage::CompanyRecord record = CompanyFromApi(req.company());
  record.set_id(req.company_id());
  ASSIGN_OR_RETURN(storage::CompanyRecord created,
                   store->CreateCompany(record, req.request_id()));
  return CompanyToApi(created);
}

absl::StatusOr<v1::Company> GetCompany(GraphStore* store,
                                       const v1::GetCompanyRequest& req) {
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kCompaniesCollection));
  ASSIGN_OR_RETURN(storage::CompanyRecord record, store->GetCompany(id));
  return CompanyToApi(record);
}

absl::StatusOr<v1::BatchGetCompaniesResponse> BatchGetCompanies(
    GraphStore* store, const v1::BatchGetCompaniesRequest& req) {
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
  ASSIGN_OR_RETURN(std::vector<storage::CompanyRecord> records,
                   store->BatchGetCompanies(ids));
  v1::BatchGetCompaniesResponse response;
  for (const storage::CompanyRecord& record : records) {
    *response.add_companies() = CompanyToApi(record);
  }
  return response;
}

absl::StatusOr<v1::Company> UpdateCompany(GraphStore* store,
                                          const v1::UpdateCompanyRequest& req) {
  if (!req.has_company()) return Required("company");
  ASSIGN_OR_RETURN(std::string id, storage::ParseResourceName(
                                       "company.name", req.company().name(),
                                       kCompaniesCollection));
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   CompanyUpdatePaths(req.update_mask()));
  storage::CompanyRecord patch = CompanyFromApi(req.company());
  patch.set_id(std::move(id));
  ASSIGN_OR_RETURN(
      storage::CompanyRecord updated,
      store->UpdateCompany(patch, paths,
                           UpdateEtag(req.etag(), req.company().etag())));
  return CompanyToApi(updated);
}

absl::Status DeleteCompany(GraphStore* store,
                           const v1::DeleteCompanyRequest& req) {
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kCompaniesCollection));
  return store->DeleteCompany(id, req.etag(), req.force());
}

absl::StatusOr<v1::ListCompaniesResponse> ListCompanies(
    GraphStore* store, const v1::ListCompaniesRequest& req) {
  RETURN_IF_ERROR(storage::ValidatePageSize("page_size", req.page_size()));
  RETURN_IF_ERROR(
      storage::ValidateCompanyFilter(req.sector(), req.country(), req.label()));
  storage::CompanyFilter filter;
  filter.sector = req.sector();
  filter.country = req.country();
  filter.label = req.label();
  ASSIGN_OR_RETURN(storage::CompanyPage page,
                   store->ListCompanies(
                       filter, std::min(req.page_size(), storage::kMaxPageSize),
                       req.page_token()));
  v1::ListCompaniesResponse response;
  for (const storage::CompanyRecord& record : page.companies) {
    *response.add_companies() = CompanyToApi(record);
  }
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_revision(page.revision);
  return response;
}

absl::StatusOr<v1::SearchCompaniesResponse> SearchCompanies(
    GraphStore* store, const v1::SearchCompaniesRequest& req) {
  RETURN_IF_ERROR(storage::ValidateSearchQuery("query", req.query()));
  RETURN_IF_ERROR(storage::ValidatePageSize("page_size", req.page_size()));
  ASSIGN_OR_RETURN(
      storage::SearchResult result,
      store->SearchCompanies(
          req.query(), std::min(req.page_size(), storage::kMaxSearchLimit)));
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

absl::StatusOr<v1::Partnership> CreatePartnership(
    GraphStore* store, const v1::CreatePartnershipRequest& req) {
  if (!req.has_partnership()) return Required("partnership");
  RETURN_IF_ERROR(ValidateOptionalId("partnership_id", req.partnership_id()));
  RETURN_IF_ERROR(storage::ValidateRequestId("request_id", req.request_id()));
  ASSIGN_OR_RETURN(storage::PartnershipRecord record,
                   PartnershipFromApi(req.partnership()));
  record.set_id(req.partnership_id());
  ASSIGN_OR_RETURN(storage::PartnershipRecord created,
                   store->CreatePartnership(record, req.request_id()));
  return PartnershipToApi(created);
}

absl::StatusOr<v1::Partnership> GetPartnership(
    GraphStore* store, const v1::GetPartnershipRequest& req) {
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kPartnershipsCollection));
  ASSIGN_OR_RETURN(storage::PartnershipRecord record,
                   store->GetPartnership(id));
  return PartnershipToApi(record);
}

absl::StatusOr<v1::Partnership> UpdatePartnership(
    GraphStore* store, const v1::UpdatePartnershipRequest& req) {
  if (!req.has_partnership()) return Required("partnership");
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("partnership.name", req.partnership().name(),
                                 kPartnershipsCollection));
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   PartnershipUpdatePaths(req.update_mask()));
  ASSIGN_OR_RETURN(storage::PartnershipRecord patch,
                   PartnershipFromApi(req.partnership()));
  patch.set_id(std::move(id));
  ASSIGN_OR_RETURN(
      storage::PartnershipRecord updated,
      store->UpdatePartnership(
          patch, paths, UpdateEtag(req.etag(), req.partnership().etag())));
  return PartnershipToApi(updated);
}

absl::Status DeletePartnership(GraphStore* store,
                               const v1::DeletePartnershipRequest& req) {
  ASSIGN_OR_RETURN(
      std::string id,
      storage::ParseResourceName("name", req.name(), kPartnershipsCollection));
  return store->DeletePartnership(id, req.etag());
}

absl::StatusOr<v1::ListPartnershipsResponse> ListPartnerships(
    GraphStore* store, const v1::ListPartnershipsRequest& req) {
  RETURN_IF_ERROR(storage::ValidatePageSize("page_size", req.page_size()));
  ASSIGN_OR_RETURN(storage::PartnershipQuery query,
                   PartnershipQueryFromApi("filter", req.filter()));
  RETURN_IF_ERROR(storage::ValidatePartnershipQuery("filter", query));
  ASSIGN_OR_RETURN(storage::PartnershipPage page,
                   store->ListPartnerships(
                       query, std::min(req.page_size(), storage::kMaxPageSize),
                       req.page_token()));
  v1::ListPartnershipsResponse response;
  for (const storage::PartnershipRecord& record : page.partnerships) {
    *response.add_partnerships() = PartnershipToApi(record);
  }
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_revision(page.revision);
  return response;
}

}  // namespace

grpc::Status CompanyServiceImpl::CreateCompany(
    grpc::ServerContext*, const v1::CreateCompanyRequest* request,
    v1::Company* response) {
  return Reply("CreateCompany", server::CreateCompany(store_, *request),
               response);
}

grpc::Status CompanyServiceImpl::GetCompany(
    grpc::ServerContext*, const v1::GetCompanyRequest* request,
    v1::Company* response) {
  return Reply("GetCompany", server::GetCompany(store_, *request), response);
}

grpc::Status CompanyServiceImpl::BatchGetCompanies(
    grpc::ServerContext*, const v1::BatchGetCompaniesRequest* request,
    v1::BatchGetCompaniesResponse* response) {
  return Reply("BatchGetCompanies", server::BatchGetCompanies(store_, *request),
               response);
}

grpc::Status CompanyServiceImpl::UpdateCompany(
    grpc::ServerContext*, const v1::UpdateCompanyRequest* request,
    v1::Company* response) {
  return Reply("UpdateCompany", server::UpdateCompany(store_, *request),
               response);
}

grpc::Status CompanyServiceImpl::DeleteCompany(
    grpc::ServerContext*, const v1::DeleteCompanyRequest* request,
    google::protobuf::Empty*) {
  return Reply("DeleteCompany", server::DeleteCompany(store_, *request));
}

grpc::Status CompanyServiceImpl::ListCompanies(
    grpc::ServerContext*, const v1::ListCompaniesRequest* request,
    v1::ListCompaniesResponse* response) {
  return Reply("ListCompanies", server::ListCompanies(store_, *request),
               response);
}

grpc::Status CompanyServiceImpl::SearchCompanies(
    grpc::ServerContext*, const v1::SearchCompaniesRequest* request,
    v1::SearchCompaniesResponse* response) {
  return Reply("SearchCompanies", server::SearchCompanies(store_, *request),
               response);
}

grpc::Status PartnershipServiceImpl::CreatePartnership(
    grpc::ServerContext*, const v1::CreatePartnershipRequest* request,
    v1::Partnership* response) {
  return Reply("CreatePartnership", server::CreatePartnership(store_, *request),
               response);
}

grpc::Status PartnershipServiceImpl::GetPartnership(
    grpc::ServerContext*, const v1::GetPartnershipRequest* request,
    v1::Partnership* response) {
  return Reply("GetPartnership", server::GetPartnership(store_, *request),
               response);
}

grpc::Status PartnershipServiceImpl::UpdatePartnership(
    grpc::ServerContext*, const v1::UpdatePartnershipRequest* request,
    v1::Partnership* response) {
  return Reply("UpdatePartnership", server::UpdatePartnership(store_, *request),
               response);
}

grpc::Status PartnershipServiceImpl::DeletePartnership(
    grpc::ServerContext*, const v1::DeletePartnershipRequest* request,
    google::protobuf::Empty*) {
  return Reply("DeletePartnership",
               server::DeletePartnership(store_, *request));
}

grpc::Status PartnershipServiceImpl::ListPartnerships(
    grpc::ServerContext*, const v1::ListPartnershipsRequest* request,
    v1::ListPartnershipsResponse* response) {
  return Reply("ListPartnerships", server::ListPartnerships(store_, *request),
               response);
}

}  // namespace partnergraph::server
