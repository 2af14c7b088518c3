#ifndef PARTNERGRAPH_SERVER_CHECKED_REQUEST_H_
#define PARTNERGRAPH_SERVER_CHECKED_REQUEST_H_

// Requests that do not parse. gRPC's callback API answers a request whose
// bytes do not parse as its message with UNIMPLEMENTED and an empty message,
// and ends a client stream at such a message as if the client had
// half-closed. The services here receive every request message as a
// CheckedRequest instead: its bytes are parsed by ParseRequest, which never
// fails the call but records why the bytes were refused, so the handler
// answers INVALID_ARGUMENT naming the field (invalid UTF-8 in a string) or
// the byte where the encoding breaks.
//
// A service opts in by deriving from CheckedService<GeneratedService> (e.g.
// CheckedService<v1::CompanyService>) and calling CheckUnary /
// CheckServerStream / CheckClientStream in its constructor for each method (the
// handlers replace the generated ones).

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"

namespace partnergraph::server {

// A request message and whether its bytes parsed.
template <typename Message>
struct CheckedRequest {
  Message message;
  // INVALID_ARGUMENT when the bytes were refused; `message` is then empty.
  grpc::Status status;
};

// Parses `buffer` into `message` and releases the buffer's bytes. On bytes
// that do not parse: INVALID_ARGUMENT, naming the first string field that
// holds invalid UTF-8 (e.g. "company.aliases[1]: want valid UTF-8"), or the
// byte offset where the wire encoding breaks; `message` is left empty.
grpc::Status ParseRequest(grpc::ByteBuffer* buffer,
                          google::protobuf::Message* message);

// The same diagnosis over bytes already in memory (for tests and fuzzers):
// OK when `bytes` parse as `type`.
grpc::Status DiagnoseRequestBytes(absl::string_view bytes,
                                  const google::protobuf::Descriptor* type);

// Sends protobuf's own log lines to the server log at debug level (fatal
// ones at error level). Protobuf logs an error for every string with invalid
// UTF-8 it parses; those requests are answered INVALID_ARGUMENT, and a
// client must not be able to fill the log with them.
void RouteProtobufLogs();

// Logs a refused request at debug level, as other client mistakes are.
void LogRefusedRequest(absl::string_view method, const grpc::Status& status);

// A write reactor that only finishes with `status` (a refused request of a
// server-streaming method).
template <typename Response>
class RefusedWriter final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedWriter(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

template <typename Generated>
class CheckedService : public Generated::CallbackService {
 protected:
  // Serves unary method `name` of the service through `method`, after the
  // request bytes parsed.
  template <typename Impl, typename Request, typename Response>
  void CheckUnary(const char* name, grpc::ServerUnaryReactor* (Impl::*method)(
                                        grpc::CallbackServerContext*,
                                        const Request*, Response*)) {
    Impl* impl = static_cast<Impl*>(this);
    this->MarkMethodCallback(
        IndexOf(name),
        new grpc::internal::CallbackUnaryHandler<CheckedRequest<Request>,
                                                 Response>(
            [impl, method, name](grpc::CallbackServerContext* context,
                                 const CheckedRequest<Request>* request,
                                 Response* response) {
              if (!request->status.ok()) {
                LogRefusedRequest(name, request->status);
                grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
                reactor->Finish(request->status);
                return reactor;
              }
              return (impl->*method)(context, &request->message, response);
            }));
  }

  // Serves server-streaming method `name` through `method`.
  template <typename Impl, typename Request, typename Response>
  void CheckServerStream(const char* name,
                         grpc::ServerWriteReactor<Response>* (Impl::*method)(
                             grpc::CallbackServerContext*, const Request*)) {
    Impl* impl = static_cast<Impl*>(this);
    this->MarkMethodCallback(
        IndexOf(name),
        new grpc::internal::CallbackServerStreamingHandler<
            CheckedRequest<Request>, Response>(
            [impl, method, name](grpc::CallbackServerContext* context,
                                 const CheckedRequest<Request>* request)
                -> grpc::ServerWriteReactor<Response>* {
              if (!request->status.ok()) {
                LogRefusedRequest(name, request->status);
                return new RefusedWriter<Response>(request->status);
              }
              return (impl->*method)(context, &request->message);
            }));
  }

  // Serves client-streaming method `name` through `method`, whose reactor
  // reads CheckedRequests and must refuse the call on one that did not parse.
  template <typename Impl, typename Request, typename Response>
  void CheckClientStream(const char* name,
                         grpc::ServerReadReactor<CheckedRequest<Request>>* (
                             Impl::*method)(grpc::CallbackServerContext*,
                                            Response*)) {
    Impl* impl = static_cast<Impl*>(this);
    this->MarkMethodCallback(
        IndexOf(name), new grpc::internal::CallbackClientStreamingHandler<
                           CheckedRequest<Request>, Response>(
                           [impl, method](grpc::CallbackServerContext* context,
                                          Response* response) {
                             return (impl->*method)(context, response);
                           }));
  }

 private:
  // The generated service registers its methods in the order of the proto.
  static int IndexOf(const char* name) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            Generated::service_full_name());
    const google::protobuf::MethodDescriptor* m =
        service == nullptr ? nullptr : service->FindMethodByName(name);
    GPR_CODEGEN_ASSERT(m != nullptr);
    return m->index();
  }
};

}  // namespace partnergraph::server

namespace grpc {

// Parsing never fails the call; the outcome is kept in the request.
template <typename Message>
class SerializationTraits<partnergraph::server::CheckedRequest<Message>, void> {
 public:
  static Status Deserialize(
      ByteBuffer* buffer,
      partnergraph::server::CheckedRequest<Message>* request) {
    request->status =
        partnergraph::server::ParseRequest(buffer, &request->message);
    return Status::OK;
  }
  static Status Serialize(
      const partnergraph::server::CheckedRequest<Message>& request,
      ByteBuffer* buffer, bool* own_buffer) {
    return GenericSerialize<ProtoBufferWriter, Message>(request.message, buffer,
                                                        own_buffer);
  }
};

}  // namespace grpc

#endif  // PARTNERGRAPH_SERVER_CHECKED_REQUEST_H_
