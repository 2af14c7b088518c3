#ifndef PARTNERGRAPH_CLIENT_DESCRIBE_H_
#define PARTNERGRAPH_CLIENT_DESCRIBE_H_

// `partnerctl describe company|partnership ID`: one resource as labelled
// sections for a person to read (kubectl describe's layout), with every
// field, empty ones as "-":
//
//   Name:          partnerships/micron-anthropic-2025
//   Title:         Micron and Anthropic strategic partnership
//   Status:        ANNOUNCED
//   ...
//   Participants:
//     COMPANY     ROLE       DISPLAY NAME
//     micron      SUPPLIER   Micron Technology
//   Terms:
//     Disclosure:   UNDISCLOSED
//   Sources:
//     1. https://example.com/micron-anthropic
//        Title:      Micron (MU) Stock Jumps ...
//   Market Reactions:
//     TICKER      CHANGE   ON           WINDOW   NOTE
//     NASDAQ:MU   +5.58%   2025-11-20   1d       -
//   Revisions:     created 4, updated 4, etag "4"
//   Created:       2025-11-20T08:00:00Z
//
// Pure formatting: the callers fetch what is shown.

#include <map>
#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

namespace v1 = ::partnergraph::v1;

// `partnerships` are those the company takes part in, newest first.
std::string DescribeCompany(
    const v1::Company& company,
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships);

// `display_names` maps participant resource names to display names (those
// missing show as "-").
std::string DescribePartnership(
    const v1::Partnership& partnership,
    const std::map<std::string, std::string>& display_names);

// "+5.58%", "-3%".
std::string FormatPercent(double percent);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_DESCRIBE_H_
