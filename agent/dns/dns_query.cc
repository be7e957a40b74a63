#include "agent/dns/dns_query.h"

#include <ares.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "agent/dns/cares_status.h"
#include "agent/dns/dns_message.h"

namespace propwatch::dns {

absl::StatusOr<std::vector<uint8_t>> BuildDnsQuery(absl::string_view name,
                                                   uint16_t type,
                                                   bool recursion_desired) {
  const std::string c_name(name);
  unsigned char* buffer = nullptr;
  int length = 0;
  const int status =
      ares_create_query(c_name.c_str(), kClassIn, type, /*id=*/0,
                        recursion_desired ? 1 : 0, &buffer, &length,
                        /*max_udpsize=*/0);
  if (status != ARES_SUCCESS) {
    return CaresError(
        status, absl::StrCat("building the query ", name, " ", TypeName(type)));
  }
  std::vector<uint8_t> query(buffer, buffer + length);
  ares_free_string(buffer);
  return query;
}

}  // namespace propwatch::dns
