// Plain-text tables for terminal output: columns sized to their content.
#ifndef PROPWATCH_CLI_TABLE_H_
#define PROPWATCH_CLI_TABLE_H_

#include <string>
#include <vector>

namespace propwatch {

class Table {
 public:
  explicit Table(std::vector<std::string> header)
      : header_(std::move(header)) {}
  // REQUIRES: row.size() == header size.
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Header, then rows; columns separated by two spaces; no trailing blanks.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_TABLE_H_
