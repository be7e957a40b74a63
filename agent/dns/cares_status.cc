#include "agent/dns/cares_status.h"

#include <ares.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace propwatch::dns {

absl::Status EnsureCaresLibrary() {
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
  return status == ARES_SUCCESS ? absl::OkStatus()
                                : CaresError(status, "ares_library_init");
}

absl::Status CaresError(int ares_status, absl::string_view what) {
  const std::string message =
      absl::StrCat(what, ": ", ares_strerror(ares_status));
  switch (ares_status) {
    case ARES_SUCCESS:
      return absl::OkStatus();
    case ARES_ENOMEM:
      return absl::ResourceExhaustedError(message);
    case ARES_EBADNAME:
    case ARES_EBADQUERY:
    case ARES_EBADFAMILY:
    case ARES_EBADFLAGS:
    case ARES_EBADSTR:
      return absl::InvalidArgumentError(message);
    case ARES_ETIMEOUT:
      return absl::DeadlineExceededError(message);
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return absl::CancelledError(message);
    case ARES_ECONNREFUSED:
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
      return absl::UnavailableError(message);
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
      return absl::NotFoundError(message);
    default:
      return absl::InternalError(message);
  }
}

propwatch::v1::ErrorClass ErrorClassForCares(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS:
      return propwatch::v1::ERROR_CLASS_UNSPECIFIED;
    case ARES_ETIMEOUT:
      return propwatch::v1::ERROR_CLASS_TIMEOUT;
    case ARES_ECONNREFUSED:
    case ARES_EREFUSED:
      return propwatch::v1::ERROR_CLASS_REFUSED;
    case ARES_ENOTFOUND:
      return propwatch::v1::ERROR_CLASS_NXDOMAIN;
    case ARES_ESERVFAIL:
      return propwatch::v1::ERROR_CLASS_SERVFAIL;
    case ARES_ENODATA:
      return propwatch::v1::ERROR_CLASS_NODATA;
    case ARES_EBADRESP:
    case ARES_EFORMERR:
      return propwatch::v1::ERROR_CLASS_MALFORMED;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return propwatch::v1::ERROR_CLASS_CANCELLED;
    case ARES_ENOMEM:
    case ARES_EBADQUERY:
    case ARES_EBADNAME:
    case ARES_EBADFAMILY:
    case ARES_EBADFLAGS:
      return propwatch::v1::ERROR_CLASS_INTERNAL;
    default:
      return propwatch::v1::ERROR_CLASS_NETWORK;
  }
}

}  // namespace propwatch::dns
