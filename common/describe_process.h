// Names the process holding a resource, for start-up error messages.
#ifndef PROPWATCH_COMMON_DESCRIBE_PROCESS_H_
#define PROPWATCH_COMMON_DESCRIBE_PROCESS_H_

#include <sys/types.h>

#include <string>

namespace propwatch {

// "another coordinator (pid 12)", "another process (pid 12, nginx)", or
// "another process" when `pid` is unknown (0), from /proc/PID/comm.
std::string DescribeProcess(pid_t pid);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_DESCRIBE_PROCESS_H_
