#ifndef PARTNERGRAPH_SERVER_SERVICES_H_
#define PARTNERGRAPH_SERVER_SERVICES_H_

// gRPC handlers of CompanyService and PartnershipService (callback API). Each
// handler checks what only the API has (resource names, required messages,
// update masks, enum and timestamp ranges), converts the API message to a
// store record, calls the store and converts the result back. The store
// applies every other rule of storage/validation.h before it writes or reads.
// Errors pass through with their code and message (see ToGrpcStatus). Reads
// answer inline; writes are queued on the store and answered from its
// completion callback once durable, so no thread waits for a disk flush.
//
// Requests whose bytes do not parse are refused with INVALID_ARGUMENT before
// any handler runs (see checked_request.h).
//
// Both classes borrow the store, which must outlive them; they are safe to
// call from many threads at once, as the store is.

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"
#include "server/checked_request.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

class CompanyServiceImpl final
    : public CheckedService<partnergraph::v1::CompanyService> {
 public:
  explicit CompanyServiceImpl(storage::GraphStore* store);

  grpc::ServerUnaryReactor* CreateCompany(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::CreateCompanyRequest* request,
      partnergraph::v1::Company* response) override;
  grpc::ServerUnaryReactor* GetCompany(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::GetCompanyRequest* request,
      partnergraph::v1::Company* response) override;
  grpc::ServerUnaryReactor* BatchGetCompanies(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::BatchGetCompaniesRequest* request,
      partnergraph::v1::BatchGetCompaniesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCompany(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::UpdateCompanyRequest* request,
      partnergraph::v1::Company* response) override;
  grpc::ServerUnaryReactor* DeleteCompany(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::DeleteCompanyRequest* request,
      google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* ListCompanies(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::ListCompaniesRequest* request,
      partnergraph::v1::ListCompaniesResponse* response) override;
  grpc::ServerUnaryReactor* SearchCompanies(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::SearchCompaniesRequest* request,
      partnergraph::v1::SearchCompaniesResponse* response) override;
  grpc::ServerUnaryReactor* ListCompanyRevisions(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::ListCompanyRevisionsRequest* request,
      partnergraph::v1::ListCompanyRevisionsResponse* response) override;

 private:
  storage::GraphStore* const store_;
};

class PartnershipServiceImpl final
    : public CheckedService<partnergraph::v1::PartnershipService> {
 public:
  explicit PartnershipServiceImpl(storage::GraphStore* store);

  grpc::ServerUnaryReactor* CreatePartnership(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::CreatePartnershipRequest* request,
      partnergraph::v1::Partnership* response) override;
  grpc::ServerUnaryReactor* GetPartnership(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::GetPartnershipRequest* request,
      partnergraph::v1::Partnership* response) override;
  grpc::ServerUnaryReactor* UpdatePartnership(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::UpdatePartnershipRequest* request,
      partnergraph::v1::Partnership* response) override;
  grpc::ServerUnaryReactor* DeletePartnership(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::DeletePartnershipRequest* request,
      google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* ListPartnerships(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::ListPartnershipsRequest* request,
      partnergraph::v1::ListPartnershipsResponse* response) override;
  grpc::ServerUnaryReactor* ListPartnershipRevisions(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::ListPartnershipRevisionsRequest* request,
      partnergraph::v1::ListPartnershipRevisionsResponse* response) override;

 private:
  storage::GraphStore* const store_;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_SERVICES_H_
