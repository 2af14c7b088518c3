// The diagnosis of request bytes that do not parse (server/checked_request.h):
// which field it names, and that bytes protobuf accepts are accepted.

#include "server/checked_request.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/company_service.pb.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::HasSubstr;

std::string Tag(int field, int wire_type) {
  return std::string(1, static_cast<char>(field << 3 | wire_type));
}

std::string Bytes(int field, const std::string& value) {
  return Tag(field, 2) + std::string(1, static_cast<char>(value.size())) +
         value;
}

grpc::Status Diagnose(const std::string& bytes,
                      const google::protobuf::Descriptor* type) {
  return DiagnoseRequestBytes(bytes, type);
}

TEST(CheckedRequestTest, ValidBytesAreAccepted) {
  v1::CreateCompanyRequest request;
  request.mutable_company()->set_display_name("Société Générale");
  request.set_company_id("socgen");
  EXPECT_TRUE(Diagnose(request.SerializeAsString(),
                       v1::CreateCompanyRequest::descriptor())
                  .ok());
  // Unknown fields, even with bytes that are not UTF-8, are skipped.
  EXPECT_TRUE(
      Diagnose(Bytes(15, "\xff\xfe"), v1::CreateCompanyRequest::descriptor())
          .ok());
}

TEST(CheckedRequestTest, NamesTheStringFieldWithInvalidUtf8) {
  const auto* type = v1::CreateCompanyRequest::descriptor();
  // company { aliases: "ok", aliases: <bad> }
  const std::string company =
      Bytes(4, "ok") + Bytes(4, std::string("\xe2\x82", 2));
  grpc::Status s = Diagnose(Bytes(1, company), type);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "company.aliases[1]: want valid UTF-8");

  // A map key: company { labels { key: <bad> value: "v" } }
  const std::string entry = Bytes(1, "\xc0\xaf") + Bytes(2, "v");
  s = Diagnose(Bytes(1, Bytes(10, entry)), type);
  EXPECT_EQ(s.error_message(), "company.labels.key: want valid UTF-8");

  // An overlong encoding and a surrogate are not UTF-8 either.
  s = Diagnose(Bytes(2, "\xed\xa0\x80"), type);
  EXPECT_EQ(s.error_message(), "company_id: want valid UTF-8");
}

TEST(CheckedRequestTest, NamesWhereTheEncodingBreaks) {
  const auto* type = v1::ImportRecordsRequest::descriptor();
  // records { company { display_name: length 9, 2 bytes present } }
  const std::string cut = Tag(2, 2) + "\x09" + "ab";
  const std::string company = Tag(1, 2) + std::string(1, cut.size()) + cut;
  const std::string record = Tag(1, 2) + std::string(1, company.size());
  grpc::Status s = Diagnose(record + company, type);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("records[0].company.display_name: want a valid "
                        "protobuf encoding; it breaks at byte 4"));
  // A varint that never ends, at the top level.
  s = Diagnose(Tag(3, 0) + std::string(11, '\xff'), type);
  EXPECT_THAT(s.error_message(),
              HasSubstr("request: want a valid protobuf encoding; it breaks "
                        "at byte 0"));
  // Field number 0.
  s = Diagnose(std::string("\x02\x00", 2), type);
  EXPECT_THAT(s.error_message(), HasSubstr("request: want a valid protobuf"));
}

TEST(CheckedRequestTest, NestingBeyondTheLimitIsNamed) {
  // Unknown groups nested past protobuf's recursion limit (100).
  std::string nested;
  for (int i = 0; i < 120; ++i) {
    nested = Tag(9, 3) + nested + Tag(9, 4);  // groups of field 9
  }
  const grpc::Status s =
      Diagnose(nested, v1::ImportRecordsRequest::descriptor());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request: want a valid"));
}

}  // namespace
}  // namespace partnergraph::server
