// Splitting the URLs of HTTP probe results back into hostname and path, and
// the one hostname spelling the engine compares.
#ifndef PROPWATCH_COORDINATOR_ENGINE_URL_PARTS_H_
#define PROPWATCH_COORDINATOR_ENGINE_URL_PARTS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace propwatch {

struct UrlParts {
  // As written in the URL (case kept); without port or brackets.
  absl::string_view host;
  // From the first '/' up to the end, query included ("/a?b=1"); "/" when
  // the URL has no path. The runner builds URLs as scheme://host[:port]path
  // from spec.paths, so this is the spec path back.
  absl::string_view path;
};

// Never fails: a URL without "://" is read as "host[:port][/path]".
// The views point into `url`.
UrlParts SplitUrl(absl::string_view url);

// DNS names compare case-insensitively and "example.com." names the same
// node as "example.com" (RFC 4343, RFC 1034 3.1): lowercase, no trailing dot.
std::string NormalizeHostname(absl::string_view hostname);

// True when NormalizeHostname(hostname) == hostname (the common case, which
// lets hot loops keep a view instead of allocating).
bool IsNormalizedHostname(absl::string_view hostname);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_URL_PARTS_H_
