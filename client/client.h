#ifndef PARTNERGRAPH_CLIENT_CLIENT_H_
#define PARTNERGRAPH_CLIENT_CLIENT_H_

// PartnergraphClient: a small synchronous client for the partnergraph
// CompanyService and PartnershipService.
//
// Every call carries a deadline of `ClientOptions::timeout` from the moment it
// is made. Errors come back as absl::Status with the gRPC code and the
// server's message unchanged (see FromGrpcStatus), so callers branch on
// absl::IsNotFound() and friends:
//
//   ClientOptions options;
//   options.server = "localhost:50051";
//   PartnergraphClient client(options);
//   absl::StatusOr<v1::Company> micron = client.GetCompany("companies/micron");
//   if (absl::IsNotFound(micron.status())) ...
//
// The client is thread-safe; one instance may be shared by many threads.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/transport.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"

namespace partnergraph::client {

namespace v1 = ::partnergraph::v1;

inline constexpr char kDefaultServer[] = "localhost:50051";
inline constexpr char kServerEnvVar[] = "PARTNERGRAPH_SERVER";

struct ClientOptions {
  // Target as understood by grpc::CreateChannel: "host:port", "dns:///...",
  // "unix:/path".
  std::string server = kDefaultServer;
  // Deadline of every call, counted from the moment the call is made.
  absl::Duration timeout = absl::Seconds(5);
  // Credentials and bearer token (see transport.h); plaintext, no token by
  // default.
  Transport transport;
};

// The response header that carries the server's version.
inline constexpr char kVersionHeader[] = "partnergraph-version";

// What GetServerInfo learns from one cheap read.
struct ServerInfo {
  // The server's version (the kVersionHeader response header); empty when
  // the server sends none.
  std::string version;
  // The store's revision at the time of the read.
  int64_t revision = 0;
};

// Converts a gRPC status into an absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

class PartnergraphClient {
 public:
  // Opens a channel to `options.server` with `options.transport` (plaintext
  // and no token by default). The connection is made
  // lazily by the first call; an unreachable server shows up as UNAVAILABLE
  // or DEADLINE_EXCEEDED from that call.
  explicit PartnergraphClient(ClientOptions options);
  // Uses an existing channel (tests, in-process servers).
  PartnergraphClient(std::shared_ptr<grpc::Channel> channel,
                     ClientOptions options);

  PartnergraphClient(const PartnergraphClient&) = delete;
  PartnergraphClient& operator=(const PartnergraphClient&) = delete;

  const ClientOptions& options() const { return options_; }

  // CompanyService. Each returns the server's status on failure: NOT_FOUND,
  // ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION, ABORTED (stale
  // etag), UNAVAILABLE, DEADLINE_EXCEEDED, ...
  absl::StatusOr<v1::Company> CreateCompany(
      const v1::CreateCompanyRequest& request);
  absl::StatusOr<v1::Company> GetCompany(absl::string_view name);
  // The whole request: with as_of_revision or as_of_time, the company as it
  // was then (NOT_FOUND when it did not exist then; OUT_OF_RANGE for a
  // revision whose history is trimmed or that is not yet written).
  absl::StatusOr<v1::Company> GetCompany(const v1::GetCompanyRequest& request);
  absl::StatusOr<v1::BatchGetCompaniesResponse> BatchGetCompanies(
      const v1::BatchGetCompaniesRequest& request);
  absl::StatusOr<v1::Company> UpdateCompany(
      const v1::UpdateCompanyRequest& request);
  absl::Status DeleteCompany(const v1::DeleteCompanyRequest& request);
  absl::StatusOr<v1::ListCompaniesResponse> ListCompanies(
      const v1::ListCompaniesRequest& request);
  // Follows next_page_token until the last page and returns every company in
  // one response whose `revision` is the first page's (the earliest, so a
  // Watch from revision + 1 misses nothing) and whose next_page_token is
  // empty. Every page is asked with the same request but for its
  // page_token, so as_of_revision / as_of_time hold for all of them.
  absl::StatusOr<v1::ListCompaniesResponse> ListAllCompanies(
      v1::ListCompaniesRequest request);
  absl::StatusOr<v1::SearchCompaniesResponse> SearchCompanies(
      const v1::SearchCompaniesRequest& request);
  // The versions of one company held in the change log, newest first: one
  // page, and every page (as ListAllCompanies). NOT_FOUND when the company
  // neither exists nor has a version held.
  absl::StatusOr<v1::ListCompanyRevisionsResponse> ListCompanyRevisions(
      const v1::ListCompanyRevisionsRequest& request);
  absl::StatusOr<v1::ListCompanyRevisionsResponse> ListAllCompanyRevisions(
      v1::ListCompanyRevisionsRequest request);

  // PartnershipService, with the same error conventions.
  absl::StatusOr<v1::Partnership> CreatePartnership(
      const v1::CreatePartnershipRequest& request);
  absl::StatusOr<v1::Partnership> GetPartnership(absl::string_view name);
  // As GetCompany(request).
  absl::StatusOr<v1::Partnership> GetPartnership(
      const v1::GetPartnershipRequest& request);
  absl::StatusOr<v1::Partnership> UpdatePartnership(
      const v1::UpdatePartnershipRequest& request);
  absl::Status DeletePartnership(const v1::DeletePartnershipRequest& request);
  absl::StatusOr<v1::ListPartnershipsResponse> ListPartnerships(
      const v1::ListPartnershipsRequest& request);
  // As ListAllCompanies.
  absl::StatusOr<v1::ListPartnershipsResponse> ListAllPartnerships(
      v1::ListPartnershipsRequest request);
  // As ListCompanyRevisions and ListAllCompanyRevisions.
  absl::StatusOr<v1::ListPartnershipRevisionsResponse> ListPartnershipRevisions(
      const v1::ListPartnershipRevisionsRequest& request);
  absl::StatusOr<v1::ListPartnershipRevisionsResponse>
  ListAllPartnershipRevisions(v1::ListPartnershipRevisionsRequest request);

  // GraphService graph queries, with the same error conventions (and
  // RESOURCE_EXHAUSTED for a query past the server's caps).
  absl::StatusOr<v1::GetNeighborhoodResponse> GetNeighborhood(
      const v1::GetNeighborhoodRequest& request);
  absl::StatusOr<v1::FindPathsResponse> FindPaths(
      const v1::FindPathsRequest& request);
  absl::StatusOr<v1::AggregatePartnershipsResponse> AggregatePartnerships(
      const v1::AggregatePartnershipsRequest& request);

  // GraphService.Watch. Calls `on_response` for each response until it
  // returns false (the call is then cancelled and Watch returns OK) or the
  // stream ends (the server's status). No deadline: a watch runs until
  // stopped.
  absl::Status Watch(
      const v1::WatchRequest& request,
      const std::function<bool(const v1::WatchResponse&)>& on_response);

  // AdminService. The streaming calls carry no deadline (they last as long
  // as the data takes). ImportRecords sends the requests `next` fills in
  // until it returns false (or an error, which cancels the call and is
  // returned).
  absl::StatusOr<v1::ImportRecordsResponse> ImportRecords(
      const std::function<absl::StatusOr<bool>(v1::ImportRecordsRequest*)>&
          next);
  // Calls `on_response` for each response; false stops (returns OK).
  absl::Status ExportRecords(
      const v1::ExportRecordsRequest& request,
      const std::function<bool(const v1::ExportRecordsResponse&)>& on_response);
  absl::StatusOr<v1::CreateBackupResponse> CreateBackup(
      const v1::CreateBackupRequest& request);
  absl::StatusOr<v1::GetStatsResponse> GetStats();

  // One ListCompanies call of one item (any reader may make it): the
  // server's version header and the revision the list was read at.
  absl::StatusOr<ServerInfo> GetServerInfo();

 private:
  // Prepares `context` with the deadline of one call.
  void PrepareContext(grpc::ClientContext* context) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompanyService::Stub> companies_;
  std::unique_ptr<v1::PartnershipService::Stub> partnerships_;
};

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_CLIENT_H_
