#include "client/client.h"

#include <chrono>
#include <utility>

#include "google/protobuf/empty.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace partnergraph::client {
namespace {

// Runs one unary call on `stub` with a fresh context.
template <typename Response, typename Call>
absl::StatusOr<Response> Invoke(const Call& call) {
  Response response;
  grpc::Status status = call(&response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

// Shared by the ListAll* methods: `list` fetches one page for a request;
// `append` moves the items of a page into the accumulator.
template <typename Request, typename Response, typename List, typename Append>
absl::StatusOr<Response> ListAll(Request request, const List& list,
                                 const Append& append) {
  Response all;
  bool first = true;
  while (true) {
    absl::StatusOr<Response> page = list(request);
    if (!page.ok()) return page.status();
    if (first) all.set_revision(page->revision());
    first = false;
    append(&*page, &all);
    if (page->next_page_token().empty()) break;
    if (page->next_page_token() == request.page_token()) {
      return absl::InternalError(
          "server returned the same page token twice; stopping");
    }
    request.set_page_token(page->next_page_token());
  }
  return all;
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

PartnergraphClient::PartnergraphClient(ClientOptions options)
    : PartnergraphClient(MakeChannel(options.server, options.transport),
                         options) {}

PartnergraphClient::PartnergraphClient(std::shared_ptr<grpc::Channel> channel,
                                       ClientOptions options)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      companies_(v1::CompanyService::NewStub(channel_)),
      partnerships_(v1::PartnershipService::NewStub(channel_)) {}

void PartnergraphClient::PrepareContext(grpc::ClientContext* context) const {
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
}

absl::StatusOr<v1::Company> PartnergraphClient::CreateCompany(
    const v1::CreateCompanyRequest& request) {
  return Invoke<v1::Company>([&](v1::Company* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return companies_->CreateCompany(&context, request, response);
  });
}

absl::StatusOr<v1::Company> PartnergraphClient::GetCompany(
    absl::string_view name) {
  v1::GetCompanyRequest request;
  request.set_name(std::string(name));
  return GetCompany(request);
}

absl::StatusOr<v1::Company> PartnergraphClient::GetCompany(
    const v1::GetCompanyRequest& request) {
  return Invoke<v1::Company>([&](v1::Company* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return companies_->GetCompany(&context, request, response);
  });
}

absl::StatusOr<v1::BatchGetCompaniesResponse>
PartnergraphClient::BatchGetCompanies(
    const v1::BatchGetCompaniesRequest& request) {
  return Invoke<v1::BatchGetCompaniesResponse>(
      [&](v1::BatchGetCompaniesResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return companies_->BatchGetCompanies(&context, request, response);
      });
}

absl::StatusOr<v1::Company> PartnergraphClient::UpdateCompany(
    const v1::UpdateCompanyRequest& request) {
  return Invoke<v1::Company>([&](v1::Company* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return companies_->UpdateCompany(&context, request, response);
  });
}

absl::Status PartnergraphClient::DeleteCompany(
    const v1::DeleteCompanyRequest& request) {
  return Invoke<google::protobuf::Empty>(
             [&](google::protobuf::Empty* response) {
               grpc::ClientContext context;
               PrepareContext(&context);
               return companies_->DeleteCompany(&context, request, response);
             })
      .status();
}

absl::StatusOr<v1::ListCompaniesResponse> PartnergraphClient::ListCompanies(
    const v1::ListCompaniesRequest& request) {
  return Invoke<v1::ListCompaniesResponse>(
      [&](v1::ListCompaniesResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return companies_->ListCompanies(&context, request, response);
      });
}

absl::StatusOr<v1::ListCompaniesResponse> PartnergraphClient::ListAllCompanies(
    v1::ListCompaniesRequest request) {
  return ListAll<v1::ListCompaniesRequest, v1::ListCompaniesResponse>(
      std::move(request),
      [this](const v1::ListCompaniesRequest& r) { return ListCompanies(r); },
      [](v1::ListCompaniesResponse* page, v1::ListCompaniesResponse* all) {
        for (v1::Company& c : *page->mutable_companies()) {
          *all->add_companies() = std::move(c);
        }
      });
}

absl::StatusOr<v1::ListCompanyRevisionsResponse>
PartnergraphClient::ListCompanyRevisions(
    const v1::ListCompanyRevisionsRequest& request) {
  return Invoke<v1::ListCompanyRevisionsResponse>(
      [&](v1::ListCompanyRevisionsResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return companies_->ListCompanyRevisions(&context, request, response);
      });
}

absl::StatusOr<v1::ListCompanyRevisionsResponse>
PartnergraphClient::ListAllCompanyRevisions(
    v1::ListCompanyRevisionsRequest request) {
  return ListAll<v1::ListCompanyRevisionsRequest,
                 v1::ListCompanyRevisionsResponse>(
      std::move(request),
      [this](const v1::ListCompanyRevisionsRequest& r) {
        return ListCompanyRevisions(r);
      },
      [](v1::ListCompanyRevisionsResponse* page,
         v1::ListCompanyRevisionsResponse* all) {
        for (v1::CompanyRevision& r : *page->mutable_revisions()) {
          *all->add_revisions() = std::move(r);
        }
      });
}

absl::StatusOr<v1::SearchCompaniesResponse> PartnergraphClient::SearchCompanies(
    const v1::SearchCompaniesRequest& request) {
  return Invoke<v1::SearchCompaniesResponse>(
      [&](v1::SearchCompaniesResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return companies_->SearchCompanies(&context, request, response);
      });
}

absl::StatusOr<v1::Partnership> PartnergraphClient::CreatePartnership(
    const v1::CreatePartnershipRequest& request) {
  return Invoke<v1::Partnership>([&](v1::Partnership* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return partnerships_->CreatePartnership(&context, request, response);
  });
}

absl::StatusOr<v1::Partnership> PartnergraphClient::GetPartnership(
    absl::string_view name) {
  v1::GetPartnershipRequest request;
  request.set_name(std::string(name));
  return GetPartnership(request);
}

absl::StatusOr<v1::Partnership> PartnergraphClient::GetPartnership(
    const v1::GetPartnershipRequest& request) {
  return Invoke<v1::Partnership>([&](v1::Partnership* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return partnerships_->GetPartnership(&context, request, response);
  });
}

absl::StatusOr<v1::Partnership> PartnergraphClient::UpdatePartnership(
    const v1::UpdatePartnershipRequest& request) {
  return Invoke<v1::Partnership>([&](v1::Partnership* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return partnerships_->UpdatePartnership(&context, request, response);
  });
}

absl::Status PartnergraphClient::DeletePartnership(
    const v1::DeletePartnershipRequest& request) {
  return Invoke<google::protobuf::Empty>(
             [&](google::protobuf::Empty* response) {
               grpc::ClientContext context;
               PrepareContext(&context);
               return partnerships_->DeletePartnership(&context, request,
                                                       response);
             })
      .status();
}

absl::StatusOr<v1::ListPartnershipsResponse>
PartnergraphClient::ListPartnerships(
    const v1::ListPartnershipsRequest& request) {
  return Invoke<v1::ListPartnershipsResponse>(
      [&](v1::ListPartnershipsResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return partnerships_->ListPartnerships(&context, request, response);
      });
}

absl::StatusOr<v1::ListPartnershipsResponse>
PartnergraphClient::ListAllPartnerships(v1::ListPartnershipsRequest request) {
  return ListAll<v1::ListPartnershipsRequest, v1::ListPartnershipsResponse>(
      std::move(request),
      [this](const v1::ListPartnershipsRequest& r) {
        return ListPartnerships(r);
      },
      [](v1::ListPartnershipsResponse* page,
         v1::ListPartnershipsResponse* all) {
        for (v1::Partnership& p : *page->mutable_partnerships()) {
          *all->add_partnerships() = std::move(p);
        }
      });
}

absl::StatusOr<v1::ListPartnershipRevisionsResponse>
PartnergraphClient::ListPartnershipRevisions(
    const v1::ListPartnershipRevisionsRequest& request) {
  return Invoke<v1::ListPartnershipRevisionsResponse>(
      [&](v1::ListPartnershipRevisionsResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return partnerships_->ListPartnershipRevisions(&context, request,
                                                       response);
      });
}

absl::StatusOr<v1::ListPartnershipRevisionsResponse>
PartnergraphClient::ListAllPartnershipRevisions(
    v1::ListPartnershipRevisionsRequest request) {
  return ListAll<v1::ListPartnershipRevisionsRequest,
                 v1::ListPartnershipRevisionsResponse>(
      std::move(request),
      [this](const v1::ListPartnershipRevisionsRequest& r) {
        return ListPartnershipRevisions(r);
      },
      [](v1::ListPartnershipRevisionsResponse* page,
         v1::ListPartnershipRevisionsResponse* all) {
        for (v1::PartnershipRevision& r : *page->mutable_revisions()) {
          *all->add_revisions() = std::move(r);
        }
      });
}

}  // namespace partnergraph::client

namespace partnergraph::client {

absl::StatusOr<v1::GetNeighborhoodResponse> PartnergraphClient::GetNeighborhood(
    const v1::GetNeighborhoodRequest& request) {
  auto stub = v1::GraphService::NewStub(channel_);
  return Invoke<v1::GetNeighborhoodResponse>(
      [&](v1::GetNeighborhoodResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return stub->GetNeighborhood(&context, request, response);
      });
}

absl::StatusOr<v1::FindPathsResponse> PartnergraphClient::FindPaths(
    const v1::FindPathsRequest& request) {
  auto stub = v1::GraphService::NewStub(channel_);
  return Invoke<v1::FindPathsResponse>([&](v1::FindPathsResponse* response) {
    grpc::ClientContext context;
    PrepareContext(&context);
    return stub->FindPaths(&context, request, response);
  });
}

absl::StatusOr<v1::AggregatePartnershipsResponse>
PartnergraphClient::AggregatePartnerships(
    const v1::AggregatePartnershipsRequest& request) {
  auto stub = v1::GraphService::NewStub(channel_);
  return Invoke<v1::AggregatePartnershipsResponse>(
      [&](v1::AggregatePartnershipsResponse* response) {
        grpc::ClientContext context;
        PrepareContext(&context);
        return stub->AggregatePartnerships(&context, request, response);
      });
}

absl::Status PartnergraphClient::Watch(
    const v1::WatchRequest& request,
    const std::function<bool(const v1::WatchResponse&)>& on_response) {
  std::unique_ptr<v1::GraphService::Stub> stub =
      v1::GraphService::NewStub(channel_);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader =
      stub->Watch(&context, request);
  v1::WatchResponse response;
  while (reader->Read(&response)) {
    if (!on_response(response)) {
      context.TryCancel();
      while (reader->Read(&response)) {
      }
      reader->Finish();
      return absl::OkStatus();
    }
  }
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<v1::ImportRecordsResponse> PartnergraphClient::ImportRecords(
    const std::function<absl::StatusOr<bool>(v1::ImportRecordsRequest*)>&
        next) {
  std::unique_ptr<v1::AdminService::Stub> stub =
      v1::AdminService::NewStub(channel_);
  grpc::ClientContext context;
  v1::ImportRecordsResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRecordsRequest>> writer =
      stub->ImportRecords(&context, &response);
  v1::ImportRecordsRequest request;
  while (true) {
    request.Clear();
    absl::StatusOr<bool> more = next(&request);
    if (!more.ok()) {
      context.TryCancel();
      writer->Finish();
      return more.status();
    }
    if (!*more) break;
    // A failed write means the server has ended the call; Finish says why.
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::Status PartnergraphClient::ExportRecords(
    const v1::ExportRecordsRequest& request,
    const std::function<bool(const v1::ExportRecordsResponse&)>& on_response) {
  std::unique_ptr<v1::AdminService::Stub> stub =
      v1::AdminService::NewStub(channel_);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::ExportRecordsResponse>> reader =
      stub->ExportRecords(&context, request);
  v1::ExportRecordsResponse response;
  while (reader->Read(&response)) {
    if (!on_response(response)) {
      context.TryCancel();
      while (reader->Read(&response)) {
      }
      reader->Finish();
      return absl::OkStatus();
    }
  }
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<v1::CreateBackupResponse> PartnergraphClient::CreateBackup(
    const v1::CreateBackupRequest& request) {
  std::unique_ptr<v1::AdminService::Stub> stub =
      v1::AdminService::NewStub(channel_);
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::CreateBackupResponse response;
  grpc::Status status = stub->CreateBackup(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<ServerInfo> PartnergraphClient::GetServerInfo() {
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::ListCompaniesRequest request;
  request.set_page_size(1);
  v1::ListCompaniesResponse response;
  grpc::Status status = companies_->ListCompanies(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  ServerInfo info;
  info.revision = response.revision();
  const auto& headers = context.GetServerInitialMetadata();
  if (auto it = headers.find(kVersionHeader); it != headers.end()) {
    info.version = std::string(it->second.data(), it->second.size());
  }
  return info;
}

absl::StatusOr<v1::GetStatsResponse> PartnergraphClient::GetStats() {
  std::unique_ptr<v1::AdminService::Stub> stub =
      v1::AdminService::NewStub(channel_);
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::GetStatsResponse response;
  grpc::Status status =
      stub->GetStats(&context, v1::GetStatsRequest(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace partnergraph::client
