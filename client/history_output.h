#ifndef PARTNERGRAPH_CLIENT_HISTORY_OUTPUT_H_
#define PARTNERGRAPH_CLIENT_HISTORY_OUTPUT_H_

// Renderings of `partnerctl history company|partnership ID`: the versions of
// one record, newest first, one row each:
//
//   REVISION   COMMITTED              CHANGE    DISPLAY NAME
//   7          2026-01-31T12:00:00Z   updated   Micron Technology
//   3          2026-01-30T09:12:45Z   created   Micron
//
// COMMITTED is the commit time in UTC (seconds); the last column is the
// company's display name, or TITLE, the partnership's title. -o table cuts
// that column to fit 80 columns, -o wide cuts nothing; -o json and -o yaml
// print the response (revisions, nextPageToken, revision), the list even
// when empty. Pure formatting, no I/O.

#include <string>

#include "absl/strings/string_view.h"
#include "client/output.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/graph_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"

namespace partnergraph::client {

// "created", "updated", "deleted"; "" for TYPE_UNSPECIFIED.
absl::string_view ChangeName(v1::ChangeEvent::Type type);

std::string FormatCompanyHistory(
    const v1::ListCompanyRevisionsResponse& response, const Output& output);
std::string FormatPartnershipHistory(
    const v1::ListPartnershipRevisionsResponse& response, const Output& output);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_HISTORY_OUTPUT_H_
