#ifndef PARTNERGRAPH_CLIENT_BENCH_AS_OF_BENCH_H_
#define PARTNERGRAPH_CLIENT_BENCH_AS_OF_BENCH_H_

// The cost of reading the past: `writes` partnership updates through the
// API, then the same 2-hop neighbourhoods now and as of the revision before
// the writes, alternating, and their p50/p99 and ratio (goal: the past at
// most 2x the present).

#include <cstdint>
#include <memory>
#include <vector>

#include "client/bench/graphgen.h"
#include "grpcpp/channel.h"

namespace partnergraph::bench {

struct AsOfBenchOptions {
  int writes = 10000;
  // Concurrent writers.
  int writers = 16;
  int max_nodes = 1000;
  int timeout_ms = 10000;
  uint64_t seed = 1;
};

// Prints one line of figures; exits the process on a failed call.
void RunAsOfBench(const std::shared_ptr<grpc::Channel>& channel,
                  const graphgen::Graph& graph,
                  const std::vector<int32_t>& starts,
                  const AsOfBenchOptions& options);

}  // namespace partnergraph::bench

#endif  // PARTNERGRAPH_CLIENT_BENCH_AS_OF_BENCH_H_
