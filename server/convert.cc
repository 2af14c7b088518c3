#include "server/convert.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "storage/graph_store.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;

// Range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z ..
// 9999-12-31T23:59:59.999999999Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Checks that `value` is a number of the record enum (whose numbers equal the
// API enum's) and converts it.
template <typename RecordEnum>
absl::StatusOr<RecordEnum> ConvertEnum(absl::string_view field, int value,
                                       bool (*is_valid)(int)) {
  if (!is_valid(value)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: unknown enum value %d", field, value));
  }
  return static_cast<RecordEnum>(value);
}

absl::StatusOr<std::vector<std::string>> UpdatePaths(
    const google::protobuf::FieldMask& mask,
    const std::vector<std::string>& allowed) {
  if (mask.paths_size() > kMaxUpdateMaskPaths) {
    return absl::InvalidArgumentError(
        absl::StrFormat("update_mask.paths: at most %d paths, got %d",
                        kMaxUpdateMaskPaths, mask.paths_size()));
  }
  if (mask.paths_size() > 1 &&
      std::find(mask.paths().begin(), mask.paths().end(), "*") !=
          mask.paths().end()) {
    return absl::InvalidArgumentError(
        "update_mask.paths: \"*\" replaces every field and must be the only "
        "path");
  }
  std::vector<std::string> paths;
  paths.reserve(mask.paths_size());
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    bool ok = path == "*";
    for (const std::string& name : allowed) ok = ok || path == name;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "update_mask.paths[%d]: want \"*\" or one of %s, got %s", i,
          absl::StrJoin(allowed, ", "), storage::Quote(path)));
    }
    paths.push_back(path);
  }
  return paths;
}

}  // namespace

std::string CompanyName(absl::string_view id) {
  return absl::StrCat(kCompaniesCollection, "/", id);
}

std::string PartnershipName(absl::string_view id) {
  return absl::StrCat(kPartnershipsCollection, "/", id);
}

void MicrosToTimestamp(int64_t micros, google::protobuf::Timestamp* out) {
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::StatusOr<int64_t> TimestampToMicros(
    absl::string_view field, const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kMinTimestampSeconds ||
      timestamp.seconds() > kMaxTimestampSeconds || timestamp.nanos() < 0 ||
      timestamp.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: want a time in 0001-01-01..9999-12-31 with nanos in "
        "0..999999999, got seconds=%d nanos=%d",
        field, timestamp.seconds(), timestamp.nanos()));
  }
  return timestamp.seconds() * 1000000 + timestamp.nanos() / 1000;
}

v1::Company CompanyToApi(const storage::CompanyRecord& record) {
  v1::Company company;
  company.set_name(CompanyName(record.id()));
  company.set_display_name(record.display_name());
  company.set_legal_name(record.legal_name());
  company.mutable_aliases()->CopyFrom(record.aliases());
  company.mutable_tickers()->CopyFrom(record.tickers());
  company.mutable_sectors()->CopyFrom(record.sectors());
  company.set_country(record.country());
  company.set_website(record.website());
  company.set_description(record.description());
  company.mutable_labels()->insert(record.labels().begin(),
                                   record.labels().end());
  company.set_create_revision(record.create_revision());
  company.set_update_revision(record.update_revision());
  MicrosToTimestamp(record.create_time_micros(), company.mutable_create_time());
  MicrosToTimestamp(record.update_time_micros(), company.mutable_update_time());
  company.set_etag(storage::EtagFor(record.update_revision()));
  return company;
}

storage::CompanyRecord CompanyFromApi(const v1::Company& company) {
  storage::CompanyRecord record;
  record.set_display_name(company.display_name());
  record.set_legal_name(company.legal_name());
  record.mutable_aliases()->CopyFrom(company.aliases());
  record.mutable_tickers()->CopyFrom(company.tickers());
  record.mutable_sectors()->CopyFrom(company.sectors());
  record.set_country(company.country());
  record.set_website(company.website());
  record.set_description(company.description());
  record.mutable_labels()->insert(company.labels().begin(),
                                  company.labels().end());
  return record;
}

v1::Partnership PartnershipToApi(const storage::PartnershipRecord& record) {
  v1::Partnership p;
  p.set_name(PartnershipName(record.id()));
  p.set_title(record.title());
  p.set_summary(record.summary());
  for (const storage::ParticipantRecord& participant : record.participants()) {
    v1::Participant* out = p.add_participants();
    out->set_company(CompanyName(participant.company_id()));
    out->set_role(static_cast<v1::ParticipantRole>(participant.role()));
  }
  for (int kind : record.kinds()) {
    p.add_kinds(static_cast<v1::PartnershipKind>(kind));
  }
  p.set_status(static_cast<v1::PartnershipStatus>(record.status()));
  p.set_announced_on(record.announced_on());
  p.set_ended_on(record.ended_on());
  if (record.has_terms()) {
    v1::Terms* terms = p.mutable_terms();
    terms->set_disclosure(
        static_cast<v1::TermsDisclosure>(record.terms().disclosure()));
    if (record.terms().has_value_usd()) {
      terms->set_value_usd(record.terms().value_usd());
    }
    terms->set_description(record.terms().description());
  }
  for (const storage::SourceRecord& source : record.sources()) {
    v1::Source* out = p.add_sources();
    out->set_url(source.url());
    out->set_title(source.title());
    out->set_publisher(source.publisher());
    out->set_published_on(source.published_on());
    if (source.has_retrieved_time_micros()) {
      MicrosToTimestamp(source.retrieved_time_micros(),
                        out->mutable_retrieved_time());
    }
    out->set_excerpt(source.excerpt());
  }
  for (const storage::MarketReactionRecord& reaction :
       record.market_reactions()) {
    v1::MarketReaction* out = p.add_market_reactions();
    out->set_ticker(reaction.ticker());
    out->set_change_percent(reaction.change_percent());
    out->set_on(reaction.on());
    out->set_window(reaction.window());
    out->set_note(reaction.note());
  }
  p.mutable_labels()->insert(record.labels().begin(), record.labels().end());
  p.set_create_revision(record.create_revision());
  p.set_update_revision(record.update_revision());
  MicrosToTimestamp(record.create_time_micros(), p.mutable_create_time());
  MicrosToTimestamp(record.update_time_micros(), p.mutable_update_time());
  p.set_etag(storage::EtagFor(record.update_revision()));
  return p;
}

absl::StatusOr<storage::PartnershipRecord> PartnershipFromApi(
    const v1::Partnership& p) {
  storage::PartnershipRecord record;
  record.set_title(p.title());
  record.set_summary(p.summary());
  for (int i = 0; i < p.participants_size(); ++i) {
    const v1::Participant& participant = p.participants(i);
    storage::ParticipantRecord* out = record.add_participants();
    const std::string field =
        absl::StrFormat("partnership.participants[%d]", i);
    ASSIGN_OR_RETURN(std::string id,
                     storage::ParseResourceName(absl::StrCat(field, ".company"),
                                                participant.company(),
                                                kCompaniesCollection));
    out->set_company_id(std::move(id));
    ASSIGN_OR_RETURN(
        storage::Role role,
        ConvertEnum<storage::Role>(absl::StrCat(field, ".role"),
                                   participant.role(), storage::Role_IsValid));
    out->set_role(role);
  }
  for (int i = 0; i < p.kinds_size(); ++i) {
    ASSIGN_OR_RETURN(
        storage::Kind kind,
        ConvertEnum<storage::Kind>(absl::StrFormat("partnership.kinds[%d]", i),
                                   p.kinds(i), storage::Kind_IsValid));
    record.add_kinds(kind);
  }
  ASSIGN_OR_RETURN(storage::Status status, ConvertEnum<storage::Status>(
                                               "partnership.status", p.status(),
                                               storage::Status_IsValid));
  record.set_status(status);
  record.set_announced_on(p.announced_on());
  record.set_ended_on(p.ended_on());
  if (p.has_terms()) {
    storage::TermsRecord* terms = record.mutable_terms();
    ASSIGN_OR_RETURN(storage::Disclosure disclosure,
                     ConvertEnum<storage::Disclosure>(
                         "partnership.terms.disclosure", p.terms().disclosure(),
                         storage::Disclosure_IsValid));
    terms->set_disclosure(disclosure);
    if (p.terms().has_value_usd()) {
      terms->set_value_usd(p.terms().value_usd());
    }
    terms->set_description(p.terms().description());
  }
  for (int i = 0; i < p.sources_size(); ++i) {
    const v1::Source& source = p.sources(i);
    storage::SourceRecord* out = record.add_sources();
    out->set_url(source.url());
    out->set_title(source.title());
    out->set_publisher(source.publisher());
    out->set_published_on(source.published_on());
    if (source.has_retrieved_time()) {
      ASSIGN_OR_RETURN(
          int64_t micros,
          TimestampToMicros(
              absl::StrFormat("partnership.sources[%d].retrieved_time", i),
              source.retrieved_time()));
      out->set_retrieved_time_micros(micros);
    }
    out->set_excerpt(source.excerpt());
  }
  for (const v1::MarketReaction& reaction : p.market_reactions()) {
    storage::MarketReactionRecord* out = record.add_market_reactions();
    out->set_ticker(reaction.ticker());
    out->set_change_percent(reaction.change_percent());
    out->set_on(reaction.on());
    out->set_window(reaction.window());
    out->set_note(reaction.note());
  }
  record.mutable_labels()->insert(p.labels().begin(), p.labels().end());
  return record;
}

absl::StatusOr<storage::PartnershipQuery> PartnershipQueryFromApi(
    absl::string_view field, const v1::PartnershipFilter& filter) {
  storage::PartnershipQuery query;
  for (int i = 0; i < filter.kinds_size(); ++i) {
    ASSIGN_OR_RETURN(
        storage::Kind kind,
        ConvertEnum<storage::Kind>(absl::StrFormat("%s.kinds[%d]", field, i),
                                   filter.kinds(i), storage::Kind_IsValid));
    query.add_kinds(kind);
  }
  for (int i = 0; i < filter.statuses_size(); ++i) {
    ASSIGN_OR_RETURN(storage::Status status,
                     ConvertEnum<storage::Status>(
                         absl::StrFormat("%s.statuses[%d]", field, i),
                         filter.statuses(i), storage::Status_IsValid));
    query.add_statuses(status);
  }
  query.set_announced_after(filter.announced_after());
  query.set_announced_before(filter.announced_before());
  query.mutable_participant_sectors()->CopyFrom(filter.participant_sectors());
  if (!filter.company().empty()) {
    ASSIGN_OR_RETURN(
        std::string id,
        storage::ParseResourceName(absl::StrCat(field, ".company"),
                                   filter.company(), kCompaniesCollection));
    query.set_company_id(std::move(id));
  }
  query.set_min_sources(filter.min_sources());
  return query;
}

absl::StatusOr<std::vector<std::string>> CompanyUpdatePaths(
    const google::protobuf::FieldMask& mask) {
  return UpdatePaths(mask, storage::CompanyMutableFields());
}

absl::StatusOr<std::vector<std::string>> PartnershipUpdatePaths(
    const google::protobuf::FieldMask& mask) {
  return UpdatePaths(mask, storage::PartnershipMutableFields());
}

}  // namespace partnergraph::server
