#ifndef PARTNERGRAPH_CLIENT_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_COMMANDS_H_

// The work behind each partnerctl command that does more than one call or
// builds a request from several sources (flags, a file, the current record).
// partnerctl_main.cc parses flags into these structs and prints the results.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/client.h"
#include "client/requests.h"

namespace partnergraph::client {

// Reads one YAML or JSON message from `path` ("-" is standard input).
// INVALID_ARGUMENT when the file cannot be opened, or naming the path and
// field when it does not parse.
absl::Status ReadMessageFile(const std::string& path,
                             google::protobuf::Message* message);

// The title a partnership gets when none is given, by `partnership create`
// and `apply` alike: the participants' ids joined by " & ", e.g.
// "micron & anthropic". Empty when there are no participants.
std::string DefaultTitle(const v1::Partnership& partnership);

// The company a partnership filter names (--company) must exist, so that a
// typo reads as one: NOT_FOUND (`company "micorn" not found` through
// DescribeError) instead of an empty answer. OK when the filter names none.
// With `as_of` set, the company must have existed at that point in time.
absl::Status CheckFilterCompany(PartnergraphClient& client,
                                const PartnershipFilterFields& filter,
                                const AsOf& as_of = {});

struct CreateCompanyArgs {
  // Bare id or resource name; empty: the file's name, else derived by the
  // server from the display name.
  std::string id;
  // Optional YAML/JSON Company to start from; flags override its fields.
  std::string from_file;
  CompanyFields fields;
  std::string request_id;
};
absl::StatusOr<v1::Company> CreateCompany(PartnergraphClient& client,
                                          const CreateCompanyArgs& args);

struct UpdateCompanyArgs {
  std::string name;  // bare id or resource name
  // Optional YAML/JSON Company: every field set in it is written.
  std::string from_file;
  CompanyFields fields;
  std::string etag;
};
// INVALID_ARGUMENT when neither a file nor a field flag is given.
absl::StatusOr<v1::Company> UpdateCompany(PartnergraphClient& client,
                                          const UpdateCompanyArgs& args);

struct CreatePartnershipArgs {
  std::string id;  // optional
  std::string from_file;
  PartnershipFields fields;
  std::string request_id;
};
// Without a title (neither flag nor file), the title is DefaultTitle.
absl::StatusOr<v1::Partnership> CreatePartnership(
    PartnergraphClient& client, const CreatePartnershipArgs& args);

struct UpdatePartnershipArgs {
  std::string name;
  std::string from_file;
  PartnershipFields fields;
  std::string etag;
};
// When only some of the terms flags are given, reads the partnership first
// so the other parts of its terms are kept, and makes the update conditional
// on the etag read (unless `etag` is given).
absl::StatusOr<v1::Partnership> UpdatePartnership(
    PartnergraphClient& client, const UpdatePartnershipArgs& args);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_COMMANDS_H_
