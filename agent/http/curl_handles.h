// Owning wrappers for libcurl's C handles.
#ifndef PROPWATCH_AGENT_HTTP_CURL_HANDLES_H_
#define PROPWATCH_AGENT_HTTP_CURL_HANDLES_H_

#include <curl/curl.h>

#include <memory>

namespace propwatch {

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
// One easy handle. REQUIRES: it is not attached to a multi handle when the
// pointer is destroyed (CurlMulti::Remove first).
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
// A string list given to CURLOPT_HTTPHEADER / CURLOPT_CONNECT_TO. libcurl
// keeps only the pointer, so the list must outlive every transfer using it.
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_CURL_HANDLES_H_
