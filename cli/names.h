// Short lowercase words for proto enums, as people read them in tables and
// live views (the JSON output keeps the proto's full names).
#ifndef PROPWATCH_CLI_NAMES_H_
#define PROPWATCH_CLI_NAMES_H_

#include <string>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

std::string StateWord(v1::VerificationState state);  // "converged"
std::string VerdictWord(v1::Verdict verdict);        // "pass"
std::string CellWord(v1::CellStatus status);         // "mixed"
std::string DiagnosisWord(v1::DiagnosisKind kind);   // "BAD_IP"
bool IsFinal(v1::VerificationState state);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_NAMES_H_
