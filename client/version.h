#ifndef PARTNERGRAPH_CLIENT_VERSION_H_
#define PARTNERGRAPH_CLIENT_VERSION_H_

// The version of partnerctl and the client library, printed by
// `partnerctl version` beside the server's (its partnergraph-version
// response header). Both come from the project's one version, `project(...
// VERSION ...)` in the top CMakeLists.txt, which the proto library passes
// down as PARTNERGRAPH_VERSION.

namespace partnergraph::client {

#ifndef PARTNERGRAPH_VERSION
#error "PARTNERGRAPH_VERSION comes with partnergraph_proto; link it"
#endif
inline constexpr char kClientVersion[] = PARTNERGRAPH_VERSION;

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_VERSION_H_
