// One request of a pinned HTTP probe: the configured easy handle, the
// streaming consumers its callbacks feed, and the result it produced.
#ifndef PROPWATCH_AGENT_HTTP_HTTP_TRANSFER_H_
#define PROPWATCH_AGENT_HTTP_HTTP_TRANSFER_H_

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/http/body_sink.h"
#include "agent/http/curl_error.h"
#include "agent/http/curl_handles.h"
#include "agent/http/http_probe_plan.h"
#include "agent/http/response_headers.h"
#include "agent/http/tls_capture.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Owns the easy handle of one HTTP request to the pinned IP and everything
// libcurl points into (header lists, error buffer, callback state), so it
// must stay at one address while libcurl runs it: hold it by unique_ptr.
// A followed redirect is a new HttpTransfer.
//
// Threading: loop thread only; libcurl calls its callbacks from
// curl_multi_socket_action on that thread.
class HttpTransfer {
 public:
  // `plan` must outlive the transfer. `url` is the plan's URL or a
  // same-origin redirect target; `time_left` bounds this request.
  static absl::StatusOr<std::unique_ptr<HttpTransfer>> Create(
      const HttpProbePlan* plan, absl::string_view url,
      absl::Duration time_left, absl::string_view user_agent);
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;

  CURL* easy() const { return easy_.get(); }

  // Records that we stopped the transfer (deadline, cancel) before libcurl
  // finished it. Caps hit inside callbacks are recorded by the callbacks.
  void set_local_abort(LocalAbort abort) { local_abort_ = abort; }

  // HTTP status of the final response, 0 when none arrived.
  long status() const;
  // Absolute target of a 3xx response (CURLINFO_REDIRECT_URL), or empty.
  std::string RedirectUrl() const;

  // Fills `result` from this request's outcome `code`. Phase timings are
  // shifted by `offset` (when this request started within the probe); a
  // `total` overrides libcurl's total time (requests we stopped ourselves).
  // `deadline` names the probe deadline in timeout messages.
  void FillResult(CURLcode code, absl::Duration offset,
                  std::optional<absl::Duration> total, absl::Duration deadline,
                  v1::HttpResult* result) const;

  // First keep_body_bytes of the body, for body_regex.
  const std::string& kept_body() const { return body_.kept(); }

 private:
  HttpTransfer(const HttpProbePlan* plan, BodySink body);
  absl::Status Configure(absl::string_view url, absl::Duration time_left,
                         absl::string_view user_agent);

  static size_t BodyTrampoline(char* data, size_t size, size_t count,
                               void* userp);
  static size_t HeaderTrampoline(char* data, size_t size, size_t count,
                                 void* userp);
  size_t OnBody(absl::string_view data);
  size_t OnHeader(absl::string_view line);

  void FillTls(CURLcode code, v1::HttpResult* result) const;
  void FillTimings(absl::Duration offset, std::optional<absl::Duration> total,
                   v1::HttpResult* result) const;

  const HttpProbePlan* plan_;
  std::string url_;
  CurlEasyPtr easy_;
  CurlSlistPtr connect_to_;
  CurlSlistPtr request_headers_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  BodySink body_;
  ResponseHeaders headers_;
  TlsCapture tls_;
  LocalAbort local_abort_ = LocalAbort::kNone;
};

using HttpTransferPtr = std::unique_ptr<HttpTransfer>;

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_HTTP_TRANSFER_H_
