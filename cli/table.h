// Plain-text tables for terminal output: columns sized to their content.
#ifndef PROPWATCH_CLI_TABLE_H_
#define PROPWATCH_CLI_TABLE_H_

#include <string>
#include <vector>

#include "cli/terminal.h"

namespace propwatch {

class Table {
 public:
  explicit Table(std::vector<std::string> header)
      : header_(std::move(header)) {}
  // REQUIRES: row.size() == header size; styles empty or the same size.
  void AddRow(std::vector<std::string> row, std::vector<Style> styles = {}) {
    rows_.push_back(std::move(row));
    styles_.push_back(std::move(styles));
  }
  // Header, then rows; columns separated by two spaces; no trailing blanks.
  // With `ansi`, styled cells are colored; widths count the text only, so
  // colored and plain tables line up the same.
  std::string Render(bool ansi = false) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::vector<Style>> styles_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_TABLE_H_
