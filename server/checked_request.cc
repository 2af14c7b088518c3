#include "server/checked_request.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/codegen/proto_buffer_reader.h"
#include "server/log.h"
#include "storage/text.h"

namespace partnergraph::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Nesting deeper than this is refused (protobuf's own default is 100).
constexpr int kMaxDepth = 100;

bool IsValidUtf8(absl::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t len = storage::Utf8SequenceLength(s, pos);
    if (len == 0) return false;
    pos += len;
  }
  return true;
}

// Walks a request's fields against its descriptor, nested messages included,
// and stops at the first string holding invalid UTF-8 or the first break in
// the encoding. Unknown fields are skipped, as protobuf does.
class Walker {
 public:
  explicit Walker(absl::string_view bytes) : bytes_(bytes) {}

  grpc::Status Run(const Descriptor* type) {
    CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes_.data()),
                        static_cast<int>(bytes_.size()));
    in.PushLimit(static_cast<int>(bytes_.size()));
    if (!Walk(&in, type, "", 0)) return Problem();
    return grpc::Status::OK;
  }

 private:
  bool Walk(CodedInputStream* in, const Descriptor* type,
            const std::string& path, int depth) {
    if (depth > kMaxDepth) {
      return Fail(path.empty() ? "request" : path,
                  absl::StrCat("want at most ", kMaxDepth, " nested messages"));
    }
    absl::flat_hash_map<int, int> seen;  // field number -> repeated index
    while (in->BytesUntilLimit() != 0) {
      const int offset = in->CurrentPosition();
      const uint32_t tag = in->ReadTag();
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      if (tag == 0 || number == 0) return Malformed(path, offset);
      const FieldDescriptor* field = type->FindFieldByNumber(number);
      if (field == nullptr ||
          WireFormatLite::GetTagWireType(tag) !=
              WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
          (field->type() != FieldDescriptor::TYPE_STRING &&
           field->type() != FieldDescriptor::TYPE_MESSAGE)) {
        if (!WireFormatLite::SkipField(in, tag)) {
          return Malformed(path, offset);
        }
        continue;
      }
      std::string field_path = absl::StrCat(path, field->name());
      if (field->is_repeated() && !field->is_map()) {
        absl::StrAppend(&field_path, "[", seen[number]++, "]");
      }
      uint32_t length = 0;
      if (!in->ReadVarint32(&length) ||
          length > static_cast<uint32_t>(in->BytesUntilLimit())) {
        return Malformed(field_path, offset);
      }
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        std::string value;
        if (!in->ReadString(&value, static_cast<int>(length))) {
          return Malformed(field_path, offset);
        }
        if (!IsValidUtf8(value)) return Fail(field_path, "want valid UTF-8");
        continue;
      }
      const CodedInputStream::Limit limit =
          in->PushLimit(static_cast<int>(length));
      if (!Walk(in, field->message_type(), field_path + ".", depth + 1)) {
        return false;
      }
      in->PopLimit(limit);
    }
    return true;
  }

  bool Malformed(const std::string& path, int offset) {
    std::string where = path;
    if (!where.empty() && where.back() == '.') where.pop_back();
    return Fail(
        where.empty() ? "request" : where,
        absl::StrCat("want a valid protobuf encoding; it breaks at byte ",
                     offset));
  }

  bool Fail(absl::string_view path, absl::string_view rule) {
    problem_ = absl::StrCat(path, ": ", rule);
    return false;
  }

  grpc::Status Problem() const {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, problem_);
  }

  const absl::string_view bytes_;
  std::string problem_;
};

std::string Flatten(grpc::ByteBuffer* buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer->Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

// Why protobuf refused `bytes` as `type`: the walk's finding, or, when the
// walk finds nothing wrong, the message type.
grpc::Status Refusal(absl::string_view bytes, const Descriptor* type) {
  grpc::Status status = Walker(bytes).Run(type);
  if (!status.ok()) return status;
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("request: want a valid ", type->full_name(), " message"));
}

}  // namespace

void RouteProtobufLogs() {
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel level,
                                     const char* filename, int line,
                                     const std::string& message) {
    if (level == google::protobuf::LOGLEVEL_FATAL) {
      PG_LOG(kError) << "protobuf " << filename << ":" << line << ": "
                     << message;
    } else {
      PG_LOG(kDebug) << "protobuf " << filename << ":" << line << ": "
                     << message;
    }
  });
}

void LogRefusedRequest(absl::string_view method, const grpc::Status& status) {
  PG_LOG(kDebug) << method << ": INVALID_ARGUMENT: " << status.error_message();
}

grpc::Status DiagnoseRequestBytes(absl::string_view bytes,
                                  const Descriptor* type) {
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return grpc::Status::OK;
  }
  return Refusal(bytes, type);
}

grpc::Status ParseRequest(grpc::ByteBuffer* buffer,
                          google::protobuf::Message* message) {
  bool parsed = false;
  {
    grpc::ProtoBufferReader reader(buffer);
    parsed = reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
  }
  grpc::Status status;
  if (!parsed) {
    message->Clear();
    status = Refusal(Flatten(buffer), message->GetDescriptor());
  }
  buffer->Clear();
  return status;
}

}  // namespace partnergraph::server
