#ifndef PARTNERGRAPH_TESTS_SERVER_RAW_CALL_H_
#define PARTNERGRAPH_TESTS_SERVER_RAW_CALL_H_

// Calls any method with request bytes of the caller's choosing (which need
// not parse as the method's message), as a client written from the wire
// format would: one generic call, the messages written in order, the stream
// half-closed, then up to `max_reads` responses read before the status.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "grpcpp/support/status.h"

namespace partnergraph::server_testing {

// Every method of the API, by its full name.
inline const char* const kApiMethods[] = {
    "/partnergraph.v1.CompanyService/CreateCompany",
    "/partnergraph.v1.CompanyService/GetCompany",
    "/partnergraph.v1.CompanyService/BatchGetCompanies",
    "/partnergraph.v1.CompanyService/UpdateCompany",
    "/partnergraph.v1.CompanyService/DeleteCompany",
    "/partnergraph.v1.CompanyService/ListCompanies",
    "/partnergraph.v1.CompanyService/SearchCompanies",
    "/partnergraph.v1.PartnershipService/CreatePartnership",
    "/partnergraph.v1.PartnershipService/GetPartnership",
    "/partnergraph.v1.PartnershipService/UpdatePartnership",
    "/partnergraph.v1.PartnershipService/DeletePartnership",
    "/partnergraph.v1.PartnershipService/ListPartnerships",
    "/partnergraph.v1.GraphService/GetNeighborhood",
    "/partnergraph.v1.GraphService/FindPaths",
    "/partnergraph.v1.GraphService/AggregatePartnerships",
    "/partnergraph.v1.GraphService/Watch",
    "/partnergraph.v1.AdminService/ImportRecords",
    "/partnergraph.v1.AdminService/ExportRecords",
    "/partnergraph.v1.AdminService/CreateBackup",
    "/partnergraph.v1.AdminService/GetStats",
};

struct RawResult {
  grpc::Status status;
  std::vector<std::string> responses;
};

inline RawResult RawCall(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method,
                         const std::vector<std::string>& messages,
                         std::chrono::milliseconds timeout,
                         int max_reads = 1000) {
  RawResult result;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &cq);
  // One operation at a time: each waits for its own completion.
  auto step = [&cq](void* tag) {
    void* got = nullptr;
    bool ok = false;
    while (cq.Next(&got, &ok)) {
      if (got == tag) return ok;
    }
    return false;
  };
  int tag = 0;
  call->StartCall(&tag);
  bool open = step(&tag);
  for (const std::string& bytes : messages) {
    if (!open) break;
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, &tag);
    open = step(&tag);
  }
  if (open) {
    call->WritesDone(&tag);
    step(&tag);
  }
  for (int i = 0; open && i < max_reads; ++i) {
    grpc::ByteBuffer buffer;
    call->Read(&buffer, &tag);
    if (!step(&tag)) break;
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (buffer.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    result.responses.push_back(std::move(bytes));
  }
  if (static_cast<int>(result.responses.size()) >= max_reads) {
    context.TryCancel();
  }
  call->Finish(&result.status, &tag);
  step(&tag);
  cq.Shutdown();
  void* ignored_tag = nullptr;
  bool ignored_ok = false;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  return result;
}

}  // namespace partnergraph::server_testing

#endif  // PARTNERGRAPH_TESTS_SERVER_RAW_CALL_H_
