// A fresh directory under $TMPDIR, removed with its contents on destruction.
#ifndef PROPWATCH_TESTS_TESTING_TEMP_DIR_H_
#define PROPWATCH_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace propwatch::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_TEMP_DIR_H_
