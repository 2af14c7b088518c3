// partnergraph_graphgen: writes a synthetic partnership graph (see
// graphgen.h) as JSON Lines for `partnerctl import` or as CSV files for
// PostgreSQL COPY.
//
//   partnergraph_graphgen --companies=100000 --partnerships=1000000 --seed=1
//       --format=jsonl --out=graph.jsonl  (one command)
//   partnergraph_graphgen --format=csv --out=DIR   (DIR is created)

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "client/bench/graphgen.h"

int main(int argc, char** argv) {
  partnergraph::graphgen::Options options;
  std::string format = "jsonl";
  std::string out;
  CLI::App app{"Writes a synthetic, seed-deterministic partnership graph."};
  app.add_option("--companies", options.companies, "Number of companies")
      ->capture_default_str();
  app.add_option("--partnerships", options.partnerships,
                 "Number of partnerships")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "PRNG seed")->capture_default_str();
  app.add_option("--format", format,
                 "jsonl (one partnergraph.v1.Record per line) or csv "
                 "(companies.csv, partnerships.csv, participants.csv)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  app.add_option("--out", out,
                 "Output file (jsonl; \"-\" is stdout) or directory (csv)")
      ->required();
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<partnergraph::graphgen::Graph> graph =
      partnergraph::graphgen::Generate(options);
  if (!graph.ok()) {
    std::cerr << "partnergraph_graphgen: " << graph.status() << "\n";
    return 2;
  }
  absl::Status status;
  if (format == "csv") {
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error) {
      std::cerr << "partnergraph_graphgen: " << out << ": " << error.message()
                << "\n";
      return 1;
    }
    status = partnergraph::graphgen::WriteCsv(*graph, out);
  } else if (out == "-") {
    status = partnergraph::graphgen::WriteJsonl(*graph, std::cout);
  } else {
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "partnergraph_graphgen: " << out << ": cannot open\n";
      return 1;
    }
    status = partnergraph::graphgen::WriteJsonl(*graph, file);
  }
  if (!status.ok()) {
    std::cerr << "partnergraph_graphgen: " << out << ": " << status << "\n";
    return 1;
  }
  std::cerr << "partnergraph_graphgen: " << graph->companies.size()
            << " companies, " << graph->partnerships.size()
            << " partnerships -> " << out << "\n";
  return 0;
}
