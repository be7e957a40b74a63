// The region x IP x path matrix of a round report.
#ifndef PROPWATCH_COORDINATOR_ENGINE_MATRIX_H_
#define PROPWATCH_COORDINATOR_ENGINE_MATRIX_H_

#include "coordinator/engine/http_probes.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Appends one MatrixCell per (region, ip, hostname, path), in the order of
// round.cells (sorted by region, ip, hostname, path).
// - probes: every probe of the cell, unsupported and agent-blamed included;
// - passes: probes that passed;
// - status_histogram: HTTP status -> probes (0 counts probes with no status);
// - fingerprints: distinct fingerprints, most frequent first, ties by text;
// - status: from the probes that decide it (http_probes.h): PASS when all
//   pass, FAIL when none does, MIXED otherwise, UNSUPPORTED when every
//   probe was unsupported.
void AppendMatrixCells(const HttpRound& round, v1::RoundReport* report);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_MATRIX_H_
