#!/bin/sh
# Gate: wait until the change reached every region and edge IP.
# PROPWATCH_COORDINATOR (and PROPWATCH_TOKEN) come from the CI secrets.
propwatchctl verify -f propwatch/www.yaml --wait \
  --release "${RELEASE:-unknown}" --commit "${COMMIT:-unknown}" \
  --output json > propwatch-result.json
code=$?
case $code in
  0) echo "propagation verified" ;;
  1) echo "propagation FAILED; see propwatch-result.json" ;;
  2) echo "propagation not proven (no quorum or still converging)" ;;
  *) echo "propwatch could not run the check (exit $code)" ;;
esac
exit $code
