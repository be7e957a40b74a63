// Bearer tokens read from files and the environment, cleaned and checked
// before they reach gRPC.
//
// gRPC aborts the whole process when a metadata value holds a byte outside
// printable ASCII, and prints the value ("Bearer <token>") while doing so. A
// token file saved with CRLF line ends, or `PROPWATCH_TOKEN=$(cat file)` on
// such a file, used to do exactly that. Every token therefore goes through
// this module: surrounding whitespace (spaces, tabs, CR, LF, a UTF-8 byte
// order mark) is trimmed, and what is left must be visible ASCII (0x21-0x7E:
// RFC 9110 5.5 field-value characters without spaces, which RFC 6750 2.1
// bearer tokens never contain). Errors name the file and the line, the byte
// and its column, never the token itself.
//
// Pure except ReadTokenFile and ReadTokenTableFile, which read one file.
#ifndef PROPWATCH_COMMON_TOKEN_FILE_H_
#define PROPWATCH_COMMON_TOKEN_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// OK when `token` is non-empty visible ASCII; otherwise InvalidArgument
// "<where>: the token ..." naming the offending byte and its 1-based column.
absl::Status CheckTokenCharacters(absl::string_view token,
                                  absl::string_view where);

// A token from a flag or an environment variable (`source` names it in
// errors, e.g. "PROPWATCH_TOKEN"): surrounding whitespace removed, then
// checked. An empty or all-whitespace value is InvalidArgument: callers
// that treat "unset" as "no token" test for empty before calling.
absl::StatusOr<std::string> CleanToken(absl::string_view raw,
                                       absl::string_view source);

// The one token in the text of a token file (`name` names the file in
// errors, e.g. "--token-file /run/secrets/token"). Lines end in LF or CRLF;
// every line is trimmed; blank lines and lines starting with '#' are
// skipped. InvalidArgument "<name>:<line>: ..." when the file holds no
// token, more than one token line, or a byte a token may not hold.
absl::StatusOr<std::string> ParseTokenFile(absl::string_view text,
                                           absl::string_view name);

// ParseTokenFile on the contents of `path`; `flag` ("--token-file") prefixes
// every error together with the path. InvalidArgument also when the file
// cannot be read (with the reason).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view flag);

// For the coordinator's token tables (--agent-tokens "agent_id token",
// --control-tokens "name token [read|write]"): the text with every line
// trimmed (so CRLF line ends and trailing spaces are gone) and the same
// number of lines, so a table parser's line numbers still hold. Blank and
// '#' lines pass unchanged (trimmed); on every other line each byte must be
// visible ASCII or a space or tab between fields, else InvalidArgument
// "<name>:<line>: ..." naming the byte and its column.
absl::StatusOr<std::string> NormalizeTokenTable(absl::string_view text,
                                                absl::string_view name);

// NormalizeTokenTable on the contents of `path`, errors prefixed with
// "<flag> <path>". The drop-in for the coordinator's table readers.
absl::StatusOr<std::string> ReadTokenTableFile(const std::string& path,
                                               absl::string_view flag);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_TOKEN_FILE_H_
