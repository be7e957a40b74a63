// A TCP/UDP port that is free on loopback at the time of the call.
#ifndef PROPWATCH_TESTS_TESTING_FREE_PORT_H_
#define PROPWATCH_TESTS_TESTING_FREE_PORT_H_

#include <cstdint>

namespace propwatch::testing {

inline constexpr int kFreePortAttempts = 50;

// Binds TCP port 0 on 127.0.0.1, then UDP to the same number, both with
// SO_REUSEADDR off (so neither a listener nor a TIME_WAIT connection is on
// the port), and releases both; retries with another port up to
// kFreePortAttempts times, and never returns the same port twice in one
// process. Throws std::runtime_error when no port qualifies.
//
// The race that remains: between the release and the server's own bind,
// another process can take the port: another test's FreePort, a server
// binding port 0, or an outgoing connection given it as its local port
// (FreePort's ports come from the same ephemeral range). Tests whose server
// can bind port 0 and report the port should do that instead: the
// coordinator takes --listen 127.0.0.1:0 --port-file (CoordinatorProcess
// does this), FakeDnsServer picks its own port. FreePort is for servers
// that cannot (nginx, dnsmasq, knotd) and for addresses that must be known
// before a server starts.
uint16_t FreePort();

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_FREE_PORT_H_
