#ifndef PARTNERGRAPH_SERVER_ADMIN_SERVICE_H_
#define PARTNERGRAPH_SERVER_ADMIN_SERVICE_H_

// gRPC handlers of AdminService (callback API): bulk import, snapshot
// export, backups and statistics. The contract of each method is in
// proto/partnergraph/v1/admin_service.proto; the limits are below.
//
// Borrows the store, which must outlive it; safe to call from many threads.

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "server/checked_request.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

// Records per ImportRecordsRequest message.
inline constexpr int kMaxImportMessageRecords = 1000;
// Records the import applies in one store write (one revision).
inline constexpr int kImportBatchRecords = 50000;
// Import batches one ImportRecords call has queued in the store at once:
// reading the stream pauses while this many wait for their commit.
inline constexpr int kImportBatchesInFlight = 2;
// Partnerships held back waiting for their participants, and records of an
// all_or_nothing import: both are held in memory until the stream ends.
inline constexpr int kMaxHeldBackPartnerships = storage::kMaxImportRecords;
inline constexpr int kMaxAllOrNothingRecords = storage::kMaxImportRecords;
// RecordErrors listed in one ImportRecordsResponse.
inline constexpr int kMaxReportedErrors = 100;
// Export: records per response when the request says 0, and the most.
inline constexpr int kDefaultExportBatch = 500;
inline constexpr int kMaxExportBatch = 1000;

struct AdminOptions {
  // Directory CreateBackup writes `backup-{id}` directories into; empty
  // means backups are refused with FAILED_PRECONDITION.
  std::string backup_dir;
};

class AdminServiceImpl final
    : public CheckedService<partnergraph::v1::AdminService> {
 public:
  AdminServiceImpl(storage::GraphStore* store, AdminOptions options);

  // ImportRecords (the generated method of that name is not used: this one
  // reads messages that may have failed to parse, see checked_request.h).
  grpc::ServerReadReactor<
      CheckedRequest<partnergraph::v1::ImportRecordsRequest>>*
  ReceiveImport(grpc::CallbackServerContext* context,
                partnergraph::v1::ImportRecordsResponse* response);
  grpc::ServerWriteReactor<partnergraph::v1::ExportRecordsResponse>*
  ExportRecords(grpc::CallbackServerContext* context,
                const partnergraph::v1::ExportRecordsRequest* request) override;
  // Runs the checkpoint on the calling gRPC thread; backups are serialized.
  grpc::ServerUnaryReactor* CreateBackup(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::CreateBackupRequest* request,
      partnergraph::v1::CreateBackupResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::GetStatsRequest* request,
      partnergraph::v1::GetStatsResponse* response) override;

 private:
  storage::GraphStore* const store_;
  const AdminOptions options_;
  absl::Mutex backup_mu_;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_ADMIN_SERVICE_H_
