#include "coordinator/engine/url_parts.h"

#include "absl/strings/ascii.h"

namespace propwatch {

UrlParts SplitUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (size_t scheme_end = rest.find("://"); scheme_end != rest.npos) {
    rest.remove_prefix(scheme_end + 3);
  }
  size_t path_start = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, path_start);
  absl::string_view path =
      path_start == rest.npos ? absl::string_view() : rest.substr(path_start);
  if (size_t fragment = path.find('#'); fragment != path.npos) {
    path = path.substr(0, fragment);
  }
  if (path.empty() || path.front() != '/') path = "/";
  // userinfo@ is never written by the runner, but skip it rather than call
  // it the host.
  if (size_t at = authority.rfind('@'); at != authority.npos) {
    authority.remove_prefix(at + 1);
  }
  absl::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = host.substr(1, close == host.npos ? host.npos : close - 1);
  } else if (size_t colon = host.rfind(':'); colon != host.npos) {
    host = host.substr(0, colon);
  }
  return UrlParts{host, path};
}

std::string NormalizeHostname(absl::string_view hostname) {
  if (!hostname.empty() && hostname.back() == '.') hostname.remove_suffix(1);
  return absl::AsciiStrToLower(hostname);
}

bool IsNormalizedHostname(absl::string_view hostname) {
  if (!hostname.empty() && hostname.back() == '.') return false;
  for (char c : hostname) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace propwatch
