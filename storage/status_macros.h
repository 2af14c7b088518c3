#ifndef PARTNERGRAPH_STORAGE_STATUS_MACROS_H_
#define PARTNERGRAPH_STORAGE_STATUS_MACROS_H_

// RETURN_IF_ERROR and ASSIGN_OR_RETURN, which the Abseil shipped with Debian 12
// does not provide.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PG_CONCAT_INNER_(a, b) a##b
#define PG_CONCAT_(a, b) PG_CONCAT_INNER_(a, b)

// Returns from the enclosing function with the status of `expr` unless OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status pg_status_ = (expr);      \
    if (!pg_status_.ok()) return pg_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` assigns the value of an OK StatusOr to the
// left-hand side, or returns its status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  PG_ASSIGN_OR_RETURN_IMPL_(PG_CONCAT_(pg_statusor_, __LINE__), lhs, expr)

#define PG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // PARTNERGRAPH_STORAGE_STATUS_MACROS_H_
