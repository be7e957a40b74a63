#include "common/unique_fd.h"

#include <unistd.h>

namespace propwatch {

void UniqueFd::Reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released even
  // then, and a retry could close a descriptor another thread just opened.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace propwatch
