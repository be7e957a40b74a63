// Early-return helpers for absl::Status / absl::StatusOr. Abseil 20220623
// ships no public macros for this.
#ifndef PROPWATCH_COMMON_STATUS_MACROS_H_
#define PROPWATCH_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PW_CONCAT_INNER_(a, b) a##b
#define PW_CONCAT_(a, b) PW_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define PW_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status pw_status_ = (expr);      \
    if (!pw_status_.ok()) return pw_status_; \
  } while (0)

// `lhs` = value of the StatusOr `expr`, or returns its status.
#define PW_ASSIGN_OR_RETURN(lhs, expr) \
  PW_ASSIGN_OR_RETURN_IMPL_(PW_CONCAT_(pw_statusor_, __LINE__), lhs, expr)

#define PW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // PROPWATCH_COMMON_STATUS_MACROS_H_
