#!/bin/sh
# Container health: the agent's own link status file (--status-file, kept by
# the entrypoint at PROPWATCH_STATUS_FILE) says "connected" and was
# refreshed within the last minute. The agent has no listener, and asking
# the coordinator's control API from every agent would need a control token
# and cost one ListAgents per agent per check.
set -eu
file=${PROPWATCH_STATUS_FILE:-/tmp/propwatch-agent.status}
[ -r "$file" ] || { echo "no link status in $file yet"; exit 1; }
read -r state coordinator since rest <"$file" || true
now=$(date +%s)
if [ "$state" != connected ]; then
  echo "agent not connected to $coordinator: ${rest:-since $since}"
  exit 1
fi
if [ $((now - since)) -gt "${PROPWATCH_STATUS_MAX_AGE:-60}" ]; then
  echo "link status in $file is $((now - since)) s old: the agent is stuck"
  exit 1
fi
