// Owning wrapper for a POSIX file descriptor.
#ifndef PROPWATCH_COMMON_UNIQUE_FD_H_
#define PROPWATCH_COMMON_UNIQUE_FD_H_

namespace propwatch {

// Closes the descriptor on destruction. Move-only; moving leaves -1 behind.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current descriptor (if any) and owns `fd` instead.
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_UNIQUE_FD_H_
