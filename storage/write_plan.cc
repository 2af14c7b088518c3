#include "storage/write_plan.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/key_codec.h"
#include "storage/record_mask.h"
#include "storage/text.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

using ::google::protobuf::util::MessageDifferencer;

// A forced company delete removes at most this many partnerships in its one
// write; beyond it the delete is refused with RESOURCE_EXHAUSTED.
constexpr int kMaxForceDeletePartnerships = 10000;

std::string NewPartnershipId() {
  thread_local absl::BitGen gen;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "p";
  for (int i = 0; i < 15; ++i) {
    id.push_back(kHex[absl::Uniform<int>(gen, 0, 16)]);
  }
  return id;
}

// The start of every create. A request id seen before answers with what
// its first call created (*replayed set); otherwise a taken id is
// ALREADY_EXISTS.
template <typename Record>
absl::Status BeginCreate(PlanContext& ctx, absl::string_view collection,
                         std::string (*key)(absl::string_view),
                         const std::string& rid, const std::string& id,
                         Record* result, bool* replayed) {
  *replayed = false;
  if (!rid.empty()) {
    std::string bytes;
    ASSIGN_OR_RETURN(bool found,
                     ctx.Get(keys::RequestIdKey(collection, rid), &bytes));
    if (found) {
      ASSIGN_OR_RETURN(RequestIdRecord seen,
                       ParseRecord<RequestIdRecord>(bytes, "record"));
      ASSIGN_OR_RETURN(bool exists,
                       ctx.GetRecord(key(seen.resource_id()), result));
      // A record of that id created later is someone else's.
      if (!exists || result->create_revision() != seen.revision()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request_id: ", Quote(rid), " created ", collection, "/",
            seen.resource_id(), ", which has since been deleted"));
      }
      *replayed = true;
      return absl::OkStatus();
    }
  }
  ASSIGN_OR_RETURN(bool exists, ctx.Exists(key(id)));
  if (exists) {
    return absl::AlreadyExistsError(
        absl::StrCat(collection, "/", id, " already exists"));
  }
  return absl::OkStatus();
}

void PutRequestId(PlanContext& ctx, absl::string_view collection,
                  const std::string& request_id,
                  const std::string& resource_id) {
  RequestIdRecord r;
  r.set_resource_id(resource_id);
  r.set_revision(ctx.revision());
  ctx.Put(keys::RequestIdKey(collection, request_id), r.SerializeAsString());
}

// Writes `rec` (stamped) over `old` (nullptr: a new company): the record,
// its index entries (`entries`, those of `rec`) and the change event.
absl::Status WriteCompany(PlanContext& ctx, const CompanyRecord* old,
                          CompanyRecord rec, IndexEntries entries) {
  ctx.Put(keys::CompanyKey(rec.id()), rec.SerializeAsString());
  RETURN_IF_ERROR(ctx.Fault("company.record"));
  ctx.ReplaceEntries(
      old != nullptr ? CompanyIndexEntries(*old) : IndexEntries(),
      std::move(entries));
  RETURN_IF_ERROR(ctx.Fault("company.indexes"));
  ctx.AddEvent(
      old != nullptr ? ChangeEventRecord::UPDATED : ChangeEventRecord::CREATED,
      std::move(rec), old);
  return absl::OkStatus();
}

// As WriteCompany, with both versions' index entries computed already.
absl::Status WritePartnership(PlanContext& ctx, const PartnershipRecord* old,
                              PartnershipRecord rec,
                              const IndexEntries& old_entries,
                              IndexEntries new_entries) {
  ctx.Put(keys::PartnershipKey(rec.id()), rec.SerializeAsString());
  RETURN_IF_ERROR(ctx.Fault("partnership.record"));
  ctx.ReplaceEntries(old_entries, std::move(new_entries));
  RETURN_IF_ERROR(ctx.Fault("partnership.indexes"));
  ctx.AddEvent(
      old != nullptr ? ChangeEventRecord::UPDATED : ChangeEventRecord::CREATED,
      std::move(rec), old);
  return absl::OkStatus();
}

// Every participant exists (FAILED_PRECONDITION naming the first missing);
// no other partnership has the same participant set, announced_on and an
// overlapping kind (ALREADY_EXISTS naming it).
absl::Status CheckParticipantsAndDuplicates(PlanContext& ctx,
                                            const PartnershipRecord& p) {
  for (int i = 0; i < p.participants_size(); ++i) {
    ASSIGN_OR_RETURN(
        bool exists,
        ctx.Exists(keys::CompanyKey(p.participants(i).company_id())));
    if (!exists) {
      return absl::FailedPreconditionError(
          absl::StrCat("partnership.participants[", i, "].company: companies/",
                       p.participants(i).company_id(), " does not exist"));
    }
  }
  std::vector<std::pair<std::string, std::string>> same;
  bool truncated = false;
  RETURN_IF_ERROR(
      ctx.Scan(keys::DedupePrefix(p.announced_on(), SortedParticipantIds(p)),
               kMaxScanPerPage, &same, &truncated));
  const uint32_t mask = KindMask(p);
  for (const auto& [key, value] : same) {
    std::string other;
    if (!keys::DecodeDedupeKey(key, &other)) {
      return absl::DataLossError("malformed dedupe key");
    }
    if (other == p.id()) continue;
    if ((static_cast<uint32_t>(keys::DecodeInt64(value)) & mask) != 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("partnership: duplicate of partnerships/", other,
                       " (same participants, announced_on ", p.announced_on(),
                       " and an overlapping kind)"));
    }
  }
  return absl::OkStatus();
}

// A ticker belongs to one company at a time: every ticker of `c` that
// `old` (its version before this write; nullptr for a new company) did not
// hold must have no holder but `c` (ALREADY_EXISTS naming the field and the
// holder). The ticker entries under the ticker's prefix are read, so the
// plan requires them unchanged at commit. Tickers are compared byte for byte
// as validated: validation admits upper case only ("nasdaq:mu" is refused
// as INVALID_ARGUMENT), so there is no other spelling of one ticker. A
// ticker the company keeps is not checked again: in a store that came to
// hold a ticker twice (before tickers were kept unique) both holders take
// updates still, and the consistency checker reports the pair.
absl::Status CheckTickersFree(PlanContext& ctx, const CompanyRecord* old,
                              const CompanyRecord& c) {
  for (int i = 0; i < c.tickers_size(); ++i) {
    const std::string& ticker = c.tickers(i);
    if (old != nullptr &&
        std::find(old->tickers().begin(), old->tickers().end(), ticker) !=
            old->tickers().end()) {
      continue;
    }
    // Two entries at most: this company's own (an inconsistent index) and
    // one other holder.
    std::vector<std::pair<std::string, std::string>> holders;
    bool truncated = false;
    RETURN_IF_ERROR(
        ctx.Scan(keys::TickerPrefix(ticker), 2, &holders, &truncated));
    for (const auto& [key, value] : holders) {
      std::string held, holder;
      if (!keys::DecodeTickerKey(key, &held, &holder)) {
        return absl::DataLossError("malformed ticker key");
      }
      if (holder == c.id()) continue;
      return absl::AlreadyExistsError(
          absl::StrCat("company.tickers[", i, "]: ", Quote(ticker),
                       " is held by companies/", holder));
    }
  }
  return absl::OkStatus();
}

// One company of an import: created, or replaced keeping its creation
// stamp; one equal to the stored version is left alone. *problem is set (and
// nothing planned) when the record is refused: ALREADY_EXISTS for a ticker
// held by another company.
absl::Status ImportCompany(PlanContext& ctx, CompanyRecord c,
                           IndexEntries entries, absl::Status* problem) {
  CompanyRecord old;
  ASSIGN_OR_RETURN(bool exists, ctx.GetRecord(keys::CompanyKey(c.id()), &old));
  if (exists) {
    CompanyRecord bare = old;
    ClearOutputOnly(&bare);
    if (MessageDifferencer::Equals(bare, c)) return absl::OkStatus();
  }
  absl::Status s = CheckTickersFree(ctx, exists ? &old : nullptr, c);
  if (absl::IsAlreadyExists(s)) {
    *problem = std::move(s);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(s);
  if (exists) {
    c.set_create_revision(old.create_revision());
    c.set_create_time_micros(old.create_time_micros());
    SetUpdated(ctx.revision(), ctx.now_micros(), &c);
  } else {
    SetCreated(ctx.revision(), ctx.now_micros(), &c);
  }
  return WriteCompany(ctx, exists ? &old : nullptr, std::move(c),
                      std::move(entries));
}

// As ImportCompany for a partnership, checked as by the single writes when
// its index entries change. *problem is set (and nothing planned) when the
// record is refused: FAILED_PRECONDITION for a missing participant,
// ALREADY_EXISTS for a duplicate. `p` (with `new_entries`, its index
// entries) is moved from only when it is written.
absl::Status ImportPartnership(PlanContext& ctx, PartnershipRecord& p,
                               IndexEntries& new_entries,
                               absl::Status* problem) {
  PartnershipRecord old;
  ASSIGN_OR_RETURN(bool exists,
                   ctx.GetRecord(keys::PartnershipKey(p.id()), &old));
  IndexEntries old_entries;
  if (exists) {
    PartnershipRecord bare = old;
    ClearOutputOnly(&bare);
    if (MessageDifferencer::Equals(bare, p)) return absl::OkStatus();
    old_entries = PartnershipIndexEntries(old);
  }
  if (!exists || old_entries != new_entries) {
    absl::Status s = CheckParticipantsAndDuplicates(ctx, p);
    if (absl::IsFailedPrecondition(s) || absl::IsAlreadyExists(s)) {
      *problem = std::move(s);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(s);
  }
  PartnershipRecord rec = std::move(p);
  if (exists) {
    rec.set_create_revision(old.create_revision());
    rec.set_create_time_micros(old.create_time_micros());
    SetUpdated(ctx.revision(), ctx.now_micros(), &rec);
  } else {
    SetCreated(ctx.revision(), ctx.now_micros(), &rec);
  }
  return WritePartnership(ctx, exists ? &old : nullptr, std::move(rec),
                          old_entries, std::move(new_entries));
}

}  // namespace

absl::Status PrepareCompanyCreate(CompanyRecord* c,
                                  const std::string& request_id) {
  RETURN_IF_ERROR(ValidateRequestId("request_id", request_id));
  ClearOutputOnly(c);
  if (c->id().empty()) {
    c->set_id(Slugify(c->display_name()));
    if (c->id().empty() && !c->display_name().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("company_id: cannot be derived from display_name \"",
                       c->display_name(), "\"; give one explicitly"));
    }
  } else {
    RETURN_IF_ERROR(ValidateId("company_id", c->id()));
  }
  return ValidateCompany(*c);
}

absl::Status PreparePartnershipCreate(PartnershipRecord* p,
                                      const std::string& request_id) {
  RETURN_IF_ERROR(ValidateRequestId("request_id", request_id));
  ClearOutputOnly(p);
  if (p->id().empty()) {
    p->set_id(NewPartnershipId());
  } else {
    RETURN_IF_ERROR(ValidateId("partnership_id", p->id()));
  }
  ApplyPartnershipDefaults(p);
  return ValidatePartnership(*p);
}

absl::Status PlanCreateCompany(PlanContext& ctx, const CompanyRecord& c,
                               const std::string& request_id,
                               CompanyRecord* result) {
  bool replayed = false;
  RETURN_IF_ERROR(BeginCreate(ctx, kCompanies, &keys::CompanyKey, request_id,
                              c.id(), result, &replayed));
  if (replayed) return absl::OkStatus();
  RETURN_IF_ERROR(CheckTickersFree(ctx, nullptr, c));
  *result = c;
  SetCreated(ctx.revision(), ctx.now_micros(), result);
  RETURN_IF_ERROR(
      WriteCompany(ctx, nullptr, *result, CompanyIndexEntries(*result)));
  if (!request_id.empty()) PutRequestId(ctx, kCompanies, request_id, c.id());
  return absl::OkStatus();
}

absl::Status PlanUpdateCompany(PlanContext& ctx, const CompanyRecord& patch,
                               const std::vector<std::string>& paths,
                               const std::string& etag, CompanyRecord* result) {
  CompanyRecord old;
  ASSIGN_OR_RETURN(bool exists,
                   ctx.GetRecord(keys::CompanyKey(patch.id()), &old));
  if (!exists) return NotFound(kCompanies, patch.id());
  RETURN_IF_ERROR(CheckEtag(etag, old.update_revision(),
                            absl::StrCat("companies/", patch.id())));
  *result = old;
  RETURN_IF_ERROR(ApplyMask(patch, paths, CompanyMutableFields(), result));
  RETURN_IF_ERROR(ValidateCompany(*result));
  if (MessageDifferencer::Equals(*result, old)) {
    return absl::OkStatus();  // Nothing changed: no write, no revision.
  }
  RETURN_IF_ERROR(CheckTickersFree(ctx, &old, *result));
  SetUpdated(ctx.revision(), ctx.now_micros(), result);
  return WriteCompany(ctx, &old, *result, CompanyIndexEntries(*result));
}

absl::Status PlanDeleteCompany(PlanContext& ctx, const std::string& id,
                               const std::string& etag, bool force) {
  CompanyRecord old;
  ASSIGN_OR_RETURN(bool exists, ctx.GetRecord(keys::CompanyKey(id), &old));
  if (!exists) return NotFound(kCompanies, id);
  RETURN_IF_ERROR(CheckEtag(etag, old.update_revision(), "companies/" + id));
  std::vector<std::pair<std::string, std::string>> adjacent;
  bool truncated = false;
  RETURN_IF_ERROR(ctx.Scan(keys::AdjacencyPrefix(id),
                           kMaxForceDeletePartnerships, &adjacent, &truncated));
  if (!adjacent.empty() && !force) {
    std::string a, d, first;
    keys::DecodeAdjacencyKey(adjacent[0].first, &a, &d, &first);
    return absl::FailedPreconditionError(absl::StrCat(
        "companies/", id, " is referenced by ", truncated ? "more than " : "",
        adjacent.size(), " partnership(s), e.g. partnerships/", first,
        "; delete those first or pass force"));
  }
  if (truncated) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "force: companies/", id, " has more than ", kMaxForceDeletePartnerships,
        " partnerships, more than one delete may remove"));
  }
  for (const auto& [key, value] : adjacent) {
    std::string a, d, pid;
    if (!keys::DecodeAdjacencyKey(key, &a, &d, &pid)) {
      return absl::DataLossError("malformed adjacency key");
    }
    RETURN_IF_ERROR(PlanDeletePartnership(ctx, pid, ""));
  }
  ctx.Delete(keys::CompanyKey(id));
  RETURN_IF_ERROR(ctx.Fault("company.record"));
  ctx.ReplaceEntries(CompanyIndexEntries(old), {});
  RETURN_IF_ERROR(ctx.Fault("company.indexes"));
  ctx.AddEvent(ChangeEventRecord::DELETED, std::move(old));
  return absl::OkStatus();
}

absl::Status PlanCreatePartnership(PlanContext& ctx, const PartnershipRecord& p,
                                   const std::string& request_id,
                                   PartnershipRecord* result) {
  bool replayed = false;
  RETURN_IF_ERROR(BeginCreate(ctx, kPartnerships, &keys::PartnershipKey,
                              request_id, p.id(), result, &replayed));
  if (replayed) return absl::OkStatus();
  RETURN_IF_ERROR(CheckParticipantsAndDuplicates(ctx, p));
  *result = p;
  SetCreated(ctx.revision(), ctx.now_micros(), result);
  RETURN_IF_ERROR(WritePartnership(ctx, nullptr, *result, {},
                                   PartnershipIndexEntries(*result)));
  if (!request_id.empty()) {
    PutRequestId(ctx, kPartnerships, request_id, result->id());
  }
  return absl::OkStatus();
}

absl::Status PlanUpdatePartnership(PlanContext& ctx,
                                   const PartnershipRecord& patch,
                                   const std::vector<std::string>& paths,
                                   const std::string& etag,
                                   PartnershipRecord* result) {
  PartnershipRecord old;
  ASSIGN_OR_RETURN(bool exists,
                   ctx.GetRecord(keys::PartnershipKey(patch.id()), &old));
  if (!exists) return NotFound(kPartnerships, patch.id());
  RETURN_IF_ERROR(CheckEtag(etag, old.update_revision(),
                            absl::StrCat("partnerships/", patch.id())));
  *result = old;
  RETURN_IF_ERROR(ApplyMask(patch, paths, PartnershipMutableFields(), result));
  ApplyPartnershipDefaults(result);
  RETURN_IF_ERROR(ValidatePartnership(*result));
  if (MessageDifferencer::Equals(*result, old)) return absl::OkStatus();
  IndexEntries old_entries = PartnershipIndexEntries(old);
  IndexEntries new_entries = PartnershipIndexEntries(*result);
  if (old_entries != new_entries) {
    RETURN_IF_ERROR(CheckParticipantsAndDuplicates(ctx, *result));
  }
  SetUpdated(ctx.revision(), ctx.now_micros(), result);
  return WritePartnership(ctx, &old, *result, old_entries, new_entries);
}

absl::Status PlanDeletePartnership(PlanContext& ctx, const std::string& id,
                                   const std::string& etag) {
  PartnershipRecord old;
  ASSIGN_OR_RETURN(bool exists, ctx.GetRecord(keys::PartnershipKey(id), &old));
  if (!exists) return NotFound(kPartnerships, id);
  RETURN_IF_ERROR(CheckEtag(etag, old.update_revision(), "partnerships/" + id));
  ctx.Delete(keys::PartnershipKey(id));
  RETURN_IF_ERROR(ctx.Fault("partnership.record"));
  ctx.ReplaceEntries(PartnershipIndexEntries(old), {});
  RETURN_IF_ERROR(ctx.Fault("partnership.indexes"));
  ctx.AddEvent(ChangeEventRecord::DELETED, std::move(old));
  return absl::OkStatus();
}

PreparedImport PrepareImport(ImportBatch batch, ImportResult* result) {
  PreparedImport prepared;
  ImportBatch& work = prepared.batch;
  work.all_or_nothing = batch.all_or_nothing;
  work.hold_back_missing = batch.hold_back_missing;
  work.dry_run = batch.dry_run;
  work.companies.reserve(batch.companies.size());
  work.partnerships.reserve(batch.partnerships.size());
  for (auto& [index, c] : batch.companies) {
    absl::Status s = PrepareCompanyCreate(&c, "");
    if (s.ok()) {
      prepared.company_entries.push_back(CompanyIndexEntries(c));
      work.companies.emplace_back(index, std::move(c));
    } else {
      result->errors.push_back({index, s});
    }
  }
  for (auto& [index, p] : batch.partnerships) {
    absl::Status s = PreparePartnershipCreate(&p, "");
    if (s.ok()) {
      prepared.partnership_entries.push_back(PartnershipIndexEntries(p));
      work.partnerships.emplace_back(index, std::move(p));
    } else {
      result->errors.push_back({index, s});
    }
  }
  // All or nothing with a bad record already: still check the rest, so
  // every error is reported, but write nothing.
  if (work.all_or_nothing && !result->errors.empty()) work.dry_run = true;
  return prepared;
}

absl::StatusOr<bool> PlanImport(PlanContext& ctx, PreparedImport& work,
                                ImportResult* result) {
  ImportBatch& batch = work.batch;
  const size_t errors_before = result->errors.size();
  int64_t companies = 0, partnerships = 0;
  // Companies first, so a partnership may name a company of the batch.
  for (size_t i = 0; i < batch.companies.size(); ++i) {
    auto& [index, c] = batch.companies[i];
    absl::Status problem;
    RETURN_IF_ERROR(ImportCompany(
        ctx, std::move(c), std::move(work.company_entries[i]), &problem));
    if (problem.ok()) {
      ++companies;
    } else {
      result->errors.push_back({index, std::move(problem)});
    }
  }
  for (size_t i = 0; i < batch.partnerships.size(); ++i) {
    auto& [index, p] = batch.partnerships[i];
    absl::Status problem;
    RETURN_IF_ERROR(
        ImportPartnership(ctx, p, work.partnership_entries[i], &problem));
    if (problem.ok()) {
      ++partnerships;
    } else if (absl::IsFailedPrecondition(problem) && batch.hold_back_missing) {
      result->held_back.emplace_back(index, std::move(p));
    } else {
      result->errors.push_back({index, std::move(problem)});
    }
  }
  if (batch.dry_run ||
      (batch.all_or_nothing && result->errors.size() > errors_before)) {
    return false;
  }
  result->companies_written = companies;
  result->partnerships_written = partnerships;
  result->revision = ctx.plan().changes.events_size() > 0 ? ctx.revision()
                                                          : ctx.revision() - 1;
  return true;
}

}  // namespace partnergraph::storage
