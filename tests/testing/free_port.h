// A TCP/UDP port that is free on loopback at the time of the call.
#ifndef PROPWATCH_TESTS_TESTING_FREE_PORT_H_
#define PROPWATCH_TESTS_TESTING_FREE_PORT_H_

#include <cstdint>

namespace propwatch::testing {

// Binds port 0 on 127.0.0.1 for both TCP and UDP, reads the port the kernel
// chose and releases it. Another process could take it in between; tests
// that can pass port 0 to the server itself should do that instead.
uint16_t FreePort();

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_FREE_PORT_H_
