#!/usr/bin/env bash
# Checks doc_paths_test.sh itself on a small made-up repository: a document
# naming only existing paths passes; one naming missing paths fails and
# names exactly those; what is not a path is never reported.
set -euo pipefail
checker="$(cd "$(dirname "$0")" && pwd)/doc_paths_test.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo/src/engine" "$work/repo/docs"
touch "$work/repo/src/engine/quorum.h" "$work/repo/src/engine/quorum.cc" \
  "$work/repo/README.md" "$work/repo/src/run.sh"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$work/repo/docs/good.md" <<'EOF'
The engine (`src/engine/`) decides quorum in `src/engine/quorum.{h,cc}`,
started by `src/run.sh:12` and `src/*.sh`; see `README.md`.
Not paths: `--tls-cert/--tls-key`, `https://example.com/a.md`, `/etc/hosts`,
`fe80::/10`, `10.0.0.0/8`, `DIR/outbox.journal`, `build/cli/propwatchctl`,
`$STATE/x.sh`, `propwatchctl verify -f spec.yaml`, `www.example.com`.
```sh
cat src/missing-in-a-fence.sh   # fenced code is not checked
```
EOF
out=$(bash "$checker" "$work/repo" docs/good.md 2>&1) ||
  fail "a document naming only existing paths was refused: $out"

cat >"$work/repo/docs/bad.md" <<'EOF'
The rounds live in `src/rounds/` and `src/engine/quorum.{h,cpp}`; the
script is `src/run.sh`, the notes `NOTES.md`, the lab `src/lab_*.sh`.
EOF
set +e
out=$(bash "$checker" "$work/repo" docs/good.md docs/bad.md 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit code $rc for missing paths, expected 1: $out"
for missing in src/rounds/ src/engine/quorum.cpp NOTES.md 'src/lab_*.sh'; do
  grep -qF "docs/bad.md: \`$missing\` does not exist" <<<"$out" ||
    fail "\`$missing\` not reported: $out"
done
[ "$(grep -c 'does not exist' <<<"$out")" -eq 4 ] ||
  fail "reported more than the 4 missing paths: $out"
grep -qF "4 of" <<<"$out" || fail "no summary line: $out"

set +e
out=$(bash "$checker" "$work/repo" docs/absent.md 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a missing document passed: $out"
echo "doc_paths_selftest: passed"
