#include "agent/dns/resolv_conf.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace propwatch::dns {

std::vector<HostPort> ParseResolvConfNameservers(absl::string_view text) {
  std::vector<HostPort> servers;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t comment = line.find_first_of("#;");
    if (comment != absl::string_view::npos) line = line.substr(0, comment);
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.size() < 2 || words[0] != "nameserver") continue;
    if (!IsIpLiteral(words[1])) continue;  // also rejects "%zone" suffixes
    servers.push_back(HostPort{std::string(words[1]), 53});
  }
  return servers;
}

absl::StatusOr<std::vector<HostPort>> ReadResolvConfNameservers(
    const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << file.rdbuf();
  std::vector<HostPort> servers = ParseResolvConfNameservers(text.str());
  if (servers.empty()) {
    return absl::NotFoundError(
        absl::StrCat(path, " lists no usable nameserver"));
  }
  return servers;
}

}  // namespace propwatch::dns
