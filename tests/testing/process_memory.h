// Resident memory of this process, from /proc/self/status, for tests that
// assert memory stays bounded and for the benchmarks that report it. No
// gtest dependency, so benchmark binaries can link it without the test
// library.
#ifndef PROPWATCH_TESTS_TESTING_PROCESS_MEMORY_H_
#define PROPWATCH_TESTS_TESTING_PROCESS_MEMORY_H_

#include <cstdint>

namespace propwatch::testing {

// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS by writing
// "5" to /proc/self/clear_refs. False when the file cannot be written.
bool ResetPeakRss();
// VmHWM (peak resident set since start or the last reset) and VmRSS from
// /proc/self/status, in bytes; 0 when unreadable.
uint64_t PeakRssBytes();
uint64_t CurrentRssBytes();

// AddressSanitizer's quarantine and redzones inflate RSS growth several
// times over, so memory bounds are asserted in the normal build only (the
// behaviour around them is checked in both).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRssBoundsMeasurable = false;
#else
inline constexpr bool kRssBoundsMeasurable = true;
#endif

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_PROCESS_MEMORY_H_
