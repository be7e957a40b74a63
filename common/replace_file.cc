#include "common/replace_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::Status ReplaceFile(const std::string& path, absl::string_view contents) {
  const std::string temporary = path + ".tmp";
  auto failed = [](absl::string_view what) {
    return absl::UnavailableError(
        absl::StrCat(what, ": ", std::strerror(errno)));
  };
  FILE* f = std::fopen(temporary.c_str(), "w");
  if (f == nullptr) return failed(absl::StrCat("cannot write ", temporary));
  const bool wrote =
      std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed)
    return failed(absl::StrCat("cannot write ", temporary));
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return failed(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace propwatch
