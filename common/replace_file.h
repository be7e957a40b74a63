// Replaces a small file's contents through a temporary file and a rename, so
// a reader (a health check, a test waiting for a port) sees the old contents
// or the new, never half a write. Not synced to disk: for status and port
// files, not for data that must survive a crash (the outbox journal syncs).
#ifndef PROPWATCH_COMMON_REPLACE_FILE_H_
#define PROPWATCH_COMMON_REPLACE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// Writes `contents` to "<path>.tmp" and renames it over `path`. The error
// names the file that failed and why.
absl::Status ReplaceFile(const std::string& path, absl::string_view contents);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_REPLACE_FILE_H_
