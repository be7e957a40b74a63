#include "agent/http/curl_global.h"

#include <curl/curl.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::Status EnsureCurlGlobalInit() {
  static std::once_flag once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(once, [] { init_result = curl_global_init(CURL_GLOBAL_ALL); });
  if (init_result != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl_global_init failed: ",
                                            curl_easy_strerror(init_result)));
  }
  return absl::OkStatus();
}

}  // namespace propwatch
