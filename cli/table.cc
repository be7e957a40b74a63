#include "cli/table.h"

#include <algorithm>

namespace propwatch {

std::string Table::Render(bool ansi) const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row,
                  const std::vector<Style>& styles) {
    std::string line;
    size_t pending_blanks = 0;  // padding, written only before more text
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      if (!row[i].empty()) {
        line.append(pending_blanks, ' ');
        pending_blanks = 0;
        const Style style = i < styles.size() ? styles[i] : Style::kNone;
        line += Styled(row[i], style, ansi);
      }
      pending_blanks += widths[i] - row[i].size() + 2;
    }
    out += line + "\n";
  };
  emit(header_, {});
  for (size_t r = 0; r < rows_.size(); ++r) emit(rows_[r], styles_[r]);
  return out;
}

}  // namespace propwatch
