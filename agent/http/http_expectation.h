// HTTP expectations: what the spec says a right answer looks like, checked
// against what a probe saw. Pure: no I/O, no clock of its own.
#ifndef PROPWATCH_AGENT_HTTP_HTTP_EXPECTATION_H_
#define PROPWATCH_AGENT_HTTP_HTTP_EXPECTATION_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Returns one failure per expectation that does not hold, each with a
// sentence a person understands ("status 404, expected 200"); empty when all
// set expectations hold. Unset expectations are not checked.
//
// `body` is the start of the body the probe kept (only kept when body_regex
// is set; the regex sees no more than that). Header regexes must match the
// whole value (any one value when the header repeats); the body regex may
// match anywhere. tls_min_days_left also requires a verified chain. `now`
// is the time the certificate's remaining days are counted from.
std::vector<v1::ExpectationFailure> CheckHttpExpectation(
    const v1::HttpExpectation& expect, const v1::HttpResult& result,
    absl::string_view body, absl::Time now);

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_HTTP_EXPECTATION_H_
