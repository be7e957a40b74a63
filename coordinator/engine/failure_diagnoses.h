// Diagnoses for the commonest failures, so that every failing cell of a
// round is explained: an IP nobody can reach, one region's broken path to an
// IP, TLS failures, the same wrong status everywhere, and DNS names that do
// not resolve. Each carries a one-line hint of what to check next.
#ifndef PROPWATCH_COORDINATOR_ENGINE_FAILURE_DIAGNOSES_H_
#define PROPWATCH_COORDINATOR_ENGINE_FAILURE_DIAGNOSES_H_

#include <vector>

#include "coordinator/engine/http_probes.h"
#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Whether `diagnosis` explains a failure of `cell`: a failing kind (not
// AGENT_NETWORK, not NO_QUORUM) whose ip, regions and paths, where set,
// include the cell's.
bool CitesCell(const v1::Diagnosis& diagnosis, const v1::MatrixCell& cell);

// Reads the HTTP phase's FAIL cells and `diagnoses` (the BAD_IP /
// INTERMITTENT / AGENT_NETWORK ones already made) and returns the
// diagnoses to add, in this order of preference, per hostname and IP:
//
// IP_UNREACHABLE: the IP has no PASS or MIXED cell, and every failing probe
//   of it refused, reset, timed out or was unfinished at the phase deadline:
//   nobody reaches it. Replaces a BAD_IP of the same IP (removed from
//   `diagnoses`).
// TLS_FAILURE: failing probes of the IP failed TLS (class TLS): one per
//   hostname and IP, naming the regions, the agent's error text and the
//   leaf certificate's subject, issuer and expiry when the agent captured
//   them. Replaces a BAD_IP of the same IP whose failures were all TLS.
// WRONG_STATUS: every probe of a hostname, from every region to every IP,
//   answered the same status, and it fails the expectation: the origin or
//   the expectation is wrong, not an edge. Names the redirect Location when
//   there is one.
// REGION_PATH: a FAIL cell not explained by any diagnosis so far, of an IP
//   that passes from another region: that region's path to the IP (routing,
//   an anycast node, a middlebox) is broken. With one agent in the region the
//   summary says the agent and the region cannot be told apart and that a
//   second agent would separate them. Never a BAD_IP: one region's view
//   does not blame the IP.
std::vector<v1::Diagnosis> DiagnoseFailures(
    const HttpRound& http, const RoundInput& input,
    const v1::VerificationSpec& spec, std::vector<v1::Diagnosis>& diagnoses);

// DNS_FAILURE, per hostname asked for A or AAAA: the regions none of whose
// resolvers (system and address kinds) returned an address while at least
// one answered NXDOMAIN, NODATA, SERVFAIL or REFUSED; one diagnosis for
// the regions failing alike. When the authoritative servers themselves
// answer NXDOMAIN (and none returned an address), one more diagnosis with
// resolver "authoritative": the name does not exist, a definitive answer
// (AdvanceVerification ends the verification on it).
std::vector<v1::Diagnosis> DiagnoseDnsFailures(const RoundInput& input);

// A hint for a diagnosis kind whose diagnoses carry none of their own.
std::string DefaultHint(v1::DiagnosisKind kind);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_FAILURE_DIAGNOSES_H_
