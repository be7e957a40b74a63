#include "common/token_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace propwatch {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr absl::string_view kHint =
    "; a token is visible ASCII only (e.g. from `openssl rand -hex 32`)";

bool IsTokenByte(unsigned char c) { return c >= 0x21 && c <= 0x7e; }

// "a space", "a control character (0x01)", ...: never the byte itself, so
// a message cannot carry part of a secret or a terminal escape.
std::string DescribeByte(unsigned char c) {
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c == '\r') return "a carriage return (0x0D)";
  if (c >= 0x80) return absl::StrFormat("a non-ASCII byte (0x%02X)", c);
  return absl::StrFormat("a control character (0x%02X)", c);
}

// Index of the first byte of `text` that is not a token byte (nor, with
// `separators`, a space or tab), or npos.
size_t FirstBadByte(absl::string_view text, bool separators) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (IsTokenByte(c)) continue;
    if (separators && (c == ' ' || c == '\t')) continue;
    return i;
  }
  return absl::string_view::npos;
}

// One line of a file: its text trimmed of surrounding whitespace (CR
// included), its 1-based number and the 0-based column where `text` starts
// in the raw line.
struct Line {
  absl::string_view text;
  int number = 0;
  size_t column_offset = 0;
};

std::vector<Line> SplitLines(absl::string_view text) {
  absl::ConsumePrefix(&text, kUtf8Bom);
  std::vector<Line> lines;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(raw);
    const absl::string_view content =
        absl::StripLeadingAsciiWhitespace(trimmed);
    lines.push_back({content, number, trimmed.size() - content.size()});
  }
  // "token\n" ends with an empty piece that is not a line of its own.
  if (!lines.empty() && lines.back().text.empty() &&
      (text.empty() || text.back() == '\n')) {
    lines.pop_back();
  }
  return lines;
}

bool IsSkipped(const Line& line) {
  return line.text.empty() || line.text.front() == '#';
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path, ": cannot be read (", std::strerror(errno), ")"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": cannot be read"));
  }
  return text.str();
}

}  // namespace

absl::Status CheckTokenCharacters(absl::string_view token,
                                  absl::string_view where) {
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the token is empty"));
  }
  const size_t bad = FirstBadByte(token, false);
  if (bad == absl::string_view::npos) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": the token holds ",
                   DescribeByte(static_cast<unsigned char>(token[bad])),
                   " at column ", bad + 1, kHint));
}

absl::StatusOr<std::string> CleanToken(absl::string_view raw,
                                       absl::string_view source) {
  absl::string_view token = absl::StripAsciiWhitespace(raw);
  if (absl::Status s = CheckTokenCharacters(token, source); !s.ok()) return s;
  return std::string(token);
}

absl::StatusOr<std::string> ParseTokenFile(absl::string_view text,
                                           absl::string_view name) {
  const std::vector<Line> lines = SplitLines(text);
  const Line* found = nullptr;
  for (const Line& line : lines) {
    if (IsSkipped(line)) continue;
    if (found != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ":", line.number, ": a second token (the first is on line ",
          found->number, "); the file must hold exactly one token"));
    }
    const size_t bad = FirstBadByte(line.text, false);
    if (bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", line.number, ": the token holds ",
                       DescribeByte(static_cast<unsigned char>(line.text[bad])),
                       " at column ", line.column_offset + bad + 1, kHint));
    }
    found = &line;
  }
  if (found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        ": no token (the file is empty or holds only blank and '#' lines)"));
  }
  return std::string(found->text);
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view flag) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, flag);
  if (!text.ok()) return text.status();
  return ParseTokenFile(*text, absl::StrCat(flag, " ", path));
}

absl::StatusOr<std::string> NormalizeTokenTable(absl::string_view text,
                                                absl::string_view name) {
  std::vector<absl::string_view> out;
  for (const Line& line : SplitLines(text)) {
    if (!IsSkipped(line)) {
      const size_t bad = FirstBadByte(line.text, true);
      if (bad != absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ":", line.number, ": ",
            DescribeByte(static_cast<unsigned char>(line.text[bad])),
            " at column ", line.column_offset + bad + 1,
            "; fields are visible ASCII separated by spaces or tabs"));
      }
    }
    out.push_back(line.text);
  }
  std::string normalized = absl::StrJoin(out, "\n");
  if (!out.empty()) normalized.push_back('\n');
  return normalized;
}

absl::StatusOr<std::string> ReadTokenTableFile(const std::string& path,
                                               absl::string_view flag) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, flag);
  if (!text.ok()) return text.status();
  return NormalizeTokenTable(*text, absl::StrCat(flag, " ", path));
}

}  // namespace propwatch
