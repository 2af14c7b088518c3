#include "client/admin_commands.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "client/commands.h"
#include "client/field_diff.h"
#include "client/output.h"
#include "client/requests.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace partnergraph::client {
namespace {

namespace pb = ::google::protobuf;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";
// Records per ImportRecordsRequest (the server takes 1..1000).
constexpr int kImportMessageRecords = 1000;

pb::util::TypeResolver* Resolver() {
  static pb::util::TypeResolver* resolver =
      pb::util::NewTypeResolverForDescriptorPool(
          kTypeUrlPrefix, pb::DescriptorPool::generated_pool());
  return resolver;
}

// A one-line progress bar on stderr (ProgressLine: bar, records, rate,
// time left), drawn only when stderr is a terminal, at most ten times a
// second.
class Progress {
 public:
  Progress(std::string what, int64_t total)
      : enabled_(isatty(STDERR_FILENO) == 1),
        what_(std::move(what)),
        total_(total) {}

  void Update(int64_t done, int64_t records) {
    if (!enabled_) return;
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Milliseconds(100)) return;
    last_ = now;
    Draw(done, records);
  }

  void Done(int64_t records) {
    if (!enabled_) return;
    Draw(total_ > 0 ? total_ : 0, records);
    std::fputc('\n', stderr);
  }

 private:
  void Draw(int64_t done, int64_t records) {
    std::fprintf(
        stderr, "\r%s\033[K",
        ProgressLine(what_, done, total_, records, absl::Now() - start_)
            .c_str());
    std::fflush(stderr);
  }

  const bool enabled_;
  const std::string what_;
  const int64_t total_;
  const absl::Time start_ = absl::Now();
  absl::Time last_ = absl::InfinitePast();
};

std::string ShortTypeName(v1::ChangeEvent::Type type) {
  return v1::ChangeEvent::Type_Name(type);
}

// Stops a watch at `until` (the revision current when it started).
struct WatchEnd {
  bool enabled = false;
  int64_t until = 0;
};

void PrintEvent(const v1::ChangeEvent& event, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson:
      std::cout << ToJsonLine(event) << "\n";
      break;
    case OutputFormat::kYaml:
      std::cout << "---\n" << ToYaml(event);
      break;
    default:
      std::cout << WatchEventLine(event) << "\n";
  }
}

void AddWatchCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Stream changes as they are committed, one line per event: time, "
      "revision, type, name and the fields changed (-o json: JSON Lines, "
      "-o yaml: a document per event)");
  auto from = std::make_shared<int64_t>(0);
  auto exit_at_head = std::make_shared<bool>(false);
  auto max_events = std::make_shared<int64_t>(0);
  auto partnerships_only = std::make_shared<bool>(false);
  auto filter = std::make_shared<PartnershipFilterFields>();
  cmd->add_option("--since,--from-revision", *from,
                  "First revision to show (default: only new changes)");
  cmd->add_flag("--exit", *exit_at_head,
                "Stop at the revision current when the command started: "
                "with --since N, print what changed since N and exit");
  cmd->add_option("--kind", filter->kinds, "Partnership kind (repeatable)");
  cmd->add_option("--status", filter->statuses,
                  "Partnership status (repeatable)");
  cmd->add_option("--after", filter->announced_after,
                  "Announced on or after YYYY-MM-DD");
  cmd->add_option("--before", filter->announced_before,
                  "Announced on or before YYYY-MM-DD");
  cmd->add_option("--company", filter->company, "A participant company");
  cmd->add_option("--participant-sector", filter->participant_sectors,
                  "Sector prefix matched by a different participant each "
                  "(repeatable)");
  cmd->add_option("--min-sources", filter->min_sources,
                  "At least this many sources");
  cmd->add_flag("--partnerships-only", *partnerships_only,
                "Leave out company events");
  cmd->add_option("--max-events", *max_events,
                  "Exit after this many events (default: run until stopped)");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, from, exit_at_head, max_events, partnerships_only,
                 filter] {
    PartnergraphClient* client =
        cli.Connect("watch", {OutputFormat::kTable, OutputFormat::kWide,
                              OutputFormat::kJson, OutputFormat::kYaml});
    if (client == nullptr) return;
    absl::StatusOr<v1::PartnershipFilter> f = BuildPartnershipFilter(*filter);
    if (!f.ok()) return (void)cli.Fail(f.status());
    absl::Status company = CheckFilterCompany(*client, *filter);
    if (!company.ok()) {
      return (void)cli.Fail(company, "company", ShortName(filter->company),
                            "watch");
    }
    WatchEnd end;
    if (*exit_at_head) {
      absl::StatusOr<ServerInfo> info = client->GetServerInfo();
      if (!info.ok()) return (void)cli.Fail(info.status());
      end.enabled = true;
      end.until = info->revision;
      // Nothing committed from the start revision on: nothing to print.
      if (*from > end.until || end.until == 0) return;
      if (*from == 0) return;  // only new changes, and none are waited for
    }
    v1::WatchRequest request;
    request.set_start_revision(*from);
    *request.mutable_filter() = *f;
    request.set_partnerships_only(*partnerships_only);
    const OutputFormat format = cli.format();
    int64_t seen = 0;
    absl::Status compacted;
    absl::Status status =
        client->Watch(request, [&](const v1::WatchResponse& response) {
          if (response.compacted()) {
            compacted = absl::OutOfRangeError(absl::StrCat(
                "revision ", *from, " is no longer held (the oldest is ",
                response.compact_revision() + 1,
                "); list again and watch from the list's revision + 1"));
            return false;
          }
          for (const v1::ChangeEvent& e : response.events()) {
            if (end.enabled && e.revision() > end.until) {
              std::cout.flush();
              return false;
            }
            PrintEvent(e, format);
            ++seen;
            if (*max_events > 0 && seen >= *max_events) {
              std::cout.flush();
              return false;
            }
          }
          std::cout.flush();
          return !(end.enabled && response.revision() >= end.until);
        });
    if (!compacted.ok()) return (void)cli.Fail(compacted);
    if (!status.ok()) cli.Fail(status);
  });
}

void AddImportCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Load records from a JSON Lines file of partnergraph.v1.Record; each "
      "is created or replaced");
  auto file = std::make_shared<std::string>();
  auto all_or_nothing = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "JSON Lines file, or - for stdin")->required();
  cmd->add_flag("--all-or-nothing", *all_or_nothing,
                "Write nothing unless every record is good");
  cmd->callback([&cli, file, all_or_nothing] {
    PartnergraphClient* client = cli.Connect("import", ReportFormats());
    if (client == nullptr) return;
    std::ifstream in_file;
    std::istream* in = &std::cin;
    int64_t total_bytes = 0;
    if (*file != "-") {
      in_file.open(*file, std::ios::binary | std::ios::ate);
      if (!in_file) {
        return (void)cli.Fail(absl::NotFoundError(
            absl::StrCat("FILE: cannot open \"", *file, "\"")));
      }
      total_bytes = static_cast<int64_t>(in_file.tellg());
      in_file.seekg(0);
      in = &in_file;
    }
    Progress progress("import", total_bytes);
    // Line number of each record sent, by its position in the stream.
    std::vector<int64_t> line_of;
    int64_t line_number = 0, bytes = 0, local_errors = 0;
    std::string line;
    bool first = true;
    absl::StatusOr<v1::ImportRecordsResponse> response = client->ImportRecords(
        [&](v1::ImportRecordsRequest* request) -> absl::StatusOr<bool> {
          if (first) request->set_all_or_nothing(*all_or_nothing);
          first = false;
          while (request->records_size() < kImportMessageRecords &&
                 std::getline(*in, line)) {
            ++line_number;
            bytes += static_cast<int64_t>(line.size()) + 1;
            if (absl::StripAsciiWhitespace(line).empty()) continue;
            absl::StatusOr<v1::Record> record = ParseRecordLine(line);
            if (!record.ok()) {
              std::cerr << *file << ":" << line_number << ": "
                        << record.status().message() << "\n";
              ++local_errors;
              if (*all_or_nothing) {
                return absl::InvalidArgumentError(absl::StrCat(
                    *file, ":", line_number,
                    ": bad line; nothing imported (--all-or-nothing)"));
              }
              continue;
            }
            *request->add_records() = *std::move(record);
            line_of.push_back(line_number);
          }
          progress.Update(bytes, static_cast<int64_t>(line_of.size()));
          return request->records_size() > 0;
        });
    progress.Done(static_cast<int64_t>(line_of.size()));
    if (!response.ok()) return (void)cli.Fail(response.status());
    if (!cli.output().table()) {
      std::cout << Document(*response, cli.output());
    } else {
      std::cout << absl::StrFormat(
          "imported %d companies and %d partnerships at revision %d; %d "
          "records refused\n",
          response->companies_written(), response->partnerships_written(),
          response->revision(),
          response->errors_size() + response->more_errors() + local_errors);
    }
    for (const v1::RecordError& e : response->errors()) {
      const int64_t at =
          e.index() >= 0 && e.index() < static_cast<int64_t>(line_of.size())
              ? line_of[e.index()]
              : -1;
      std::cerr << *file << ":" << at << ": "
                << absl::StatusCodeToString(
                       static_cast<absl::StatusCode>(e.code()))
                << ": " << e.message() << "\n";
    }
    if (response->more_errors() > 0) {
      std::cerr << "... and " << response->more_errors()
                << " more refused records\n";
    }
    if (response->errors_size() > 0 || local_errors > 0) {
      cli.Fail(absl::InvalidArgumentError(
          *all_or_nothing ? "nothing imported: some records were refused"
                          : "some records were refused"));
    }
  });
}

void AddExportCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Write every record at one snapshot as JSON Lines (import takes it "
      "back)");
  auto file = std::make_shared<std::string>();
  cmd->add_option("-f,--file", *file, "Output file (default: stdout)");
  cmd->callback([&cli, file] {
    PartnergraphClient* client =
        cli.Connect("export", {OutputFormat::kTable, OutputFormat::kJson});
    if (client == nullptr) return;
    std::ofstream out_file;
    std::ostream* out = &std::cout;
    if (!file->empty() && *file != "-") {
      out_file.open(*file, std::ios::binary | std::ios::trunc);
      if (!out_file) {
        return (void)cli.Fail(absl::InvalidArgumentError(
            absl::StrCat("--file: cannot write \"", *file, "\"")));
      }
      out = &out_file;
    }
    int64_t total = 0;
    if (isatty(STDERR_FILENO) == 1) {
      absl::StatusOr<v1::GetStatsResponse> stats = client->GetStats();
      if (stats.ok()) total = stats->companies() + stats->partnerships();
    }
    Progress progress("export", total);
    int64_t written = 0, revision = 0;
    absl::Status status =
        client->ExportRecords(v1::ExportRecordsRequest(),
                              [&](const v1::ExportRecordsResponse& response) {
                                revision = response.revision();
                                for (const v1::Record& r : response.records()) {
                                  *out << ToJsonLine(r) << "\n";
                                  ++written;
                                }
                                progress.Update(written, written);
                                return out->good();
                              });
    progress.Done(written);
    out->flush();
    if (!status.ok()) return (void)cli.Fail(status);
    if (!out->good()) {
      return (void)cli.Fail(
          absl::DataLossError("export: writing the output failed"));
    }
    std::cerr << "exported " << written << " records at revision " << revision
              << "\n";
  });
}

void AddBackupCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "backup", "Write a backup on the server (partnergraphd --backup_dir)");
  cmd->callback([&cli] {
    PartnergraphClient* client = cli.Connect("backup", ReportFormats());
    if (client == nullptr) return;
    absl::StatusOr<v1::CreateBackupResponse> r =
        client->CreateBackup(v1::CreateBackupRequest());
    if (!r.ok()) return (void)cli.Fail(r.status());
    if (!cli.output().table()) {
      std::cout << Document(*r, cli.output());
      return;
    }
    std::cout << absl::StrFormat(
        "backup %d at revision %d, %d bytes, in %s\n"
        "restore with: partnergraphd --restore_from=%s --data_dir=EMPTY_DIR\n",
        r->backup_id(), r->revision(), r->size_bytes(), r->path(), r->path());
  });
}

void AddStatsCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand("stats", "Show store statistics");
  cmd->callback([&cli] {
    PartnergraphClient* client = cli.Connect("stats", ReportFormats());
    if (client == nullptr) return;
    absl::StatusOr<v1::GetStatsResponse> r = client->GetStats();
    if (!r.ok()) return (void)cli.Fail(r.status());
    if (!cli.output().table()) {
      std::cout << Document(*r, cli.output(),
                            /*always_print_primitive_fields=*/true);
      return;
    }
    std::cout << absl::StrFormat(
        "companies        %d\n"
        "partnerships     %d\n"
        "revision         %d\n"
        "history          %d..%d\n"
        "disk bytes       %d\n"
        "schema version   %s\n",
        r->companies(), r->partnerships(), r->revision(),
        r->compact_revision() + 1, r->revision(), r->disk_bytes(),
        r->schema_version());
  });
}

}  // namespace

std::string ToJsonLine(const google::protobuf::Message& message) {
  std::string binary;
  {
    pb::io::StringOutputStream stream(&binary);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  std::string json;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = false;
  (void)pb::util::BinaryToJsonString(
      Resolver(),
      absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
      binary, &json, options);
  return json;
}

absl::StatusOr<v1::Record> ParseRecordLine(absl::string_view line) {
  v1::Record record;
  pb::util::JsonParseOptions options;
  pb::util::Status s = pb::util::JsonStringToMessage(
      pb::StringPiece(line.data(), line.size()), &record, options);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a partnergraph.v1.Record in JSON: ", s.message().as_string()));
  }
  if (record.record_case() == v1::Record::RECORD_NOT_SET) {
    return absl::InvalidArgumentError(
        "want {\"company\":{...}} or {\"partnership\":{...}}");
  }
  return record;
}

std::string WatchEventLine(const v1::ChangeEvent& event) {
  const bool company = event.has_company();
  const std::string& name =
      company ? event.company().name() : event.partnership().name();
  const google::protobuf::Timestamp& time =
      company ? event.company().update_time()
              : event.partnership().update_time();
  std::string line = absl::StrCat(
      event.type() == v1::ChangeEvent::DELETED ? "-" : FormatTime(time), "  ",
      event.revision(), "  ", ShortTypeName(event.type()), "  ", name);
  std::vector<FieldChange> changes;
  if (event.has_previous_company() && company) {
    changes = ChangedFields(event.previous_company(), event.company());
  } else if (event.has_previous_partnership() && !company) {
    changes = ChangedFields(event.previous_partnership(), event.partnership());
  }
  for (size_t i = 0; i < changes.size(); ++i) {
    absl::StrAppend(&line, i == 0 ? "  " : "; ", FormatFieldChange(changes[i]));
  }
  return line;
}

void AddAdminCommands(CLI::App& app, CliContext& cli) {
  AddWatchCommand(app, cli);
  AddImportCommand(app, cli);
  AddExportCommand(app, cli);
  AddBackupCommand(app, cli);
  AddStatsCommand(app, cli);
}

}  // namespace partnergraph::client
