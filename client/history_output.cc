#include "client/history_output.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace partnergraph::client {
namespace {

std::vector<std::string> Row(int64_t revision,
                             const google::protobuf::Timestamp& commit_time,
                             v1::ChangeEvent::Type change,
                             const std::string& summary) {
  return {absl::StrCat(revision), FormatTime(commit_time),
          std::string(ChangeName(change)), summary};
}

std::string HistoryTable(absl::string_view summary_header,
                         const std::vector<std::vector<std::string>>& rows,
                         const Output& output) {
  TableOptions options;
  options.headers = output.headers;
  if (!output.wide()) {
    options.max_width = output.width;
    options.shrink_tier = {0, 0, 0, 1};
  }
  return FormatTable(
      {"REVISION", "COMMITTED", "CHANGE", std::string(summary_header)}, rows,
      options);
}

}  // namespace

absl::string_view ChangeName(v1::ChangeEvent::Type type) {
  switch (type) {
    case v1::ChangeEvent::CREATED:
      return "created";
    case v1::ChangeEvent::UPDATED:
      return "updated";
    case v1::ChangeEvent::DELETED:
      return "deleted";
    default:
      return "";
  }
}

std::string FormatCompanyHistory(
    const v1::ListCompanyRevisionsResponse& response, const Output& output) {
  if (!output.table()) {
    return Document(response, output, response.revisions().empty());
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::CompanyRevision& r : response.revisions()) {
    rows.push_back(Row(r.revision(), r.commit_time(), r.change(),
                       r.company().display_name()));
  }
  return HistoryTable("DISPLAY NAME", rows, output);
}

std::string FormatPartnershipHistory(
    const v1::ListPartnershipRevisionsResponse& response,
    const Output& output) {
  if (!output.table()) {
    return Document(response, output, response.revisions().empty());
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::PartnershipRevision& r : response.revisions()) {
    rows.push_back(Row(r.revision(), r.commit_time(), r.change(),
                       r.partnership().title()));
  }
  return HistoryTable("TITLE", rows, output);
}

}  // namespace partnergraph::client
