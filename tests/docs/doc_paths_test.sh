#!/usr/bin/env bash
# Fails when a document names a repository path that does not exist.
#   doc_paths_test.sh ROOT DOC...   (DOC relative to ROOT, or absolute)
#
# Checked: inline code spans (`...`, outside fenced code blocks) that look
# like a path: they contain a '/' or end in an extension the repository
# uses (.cc .h .md .sh ...). Each is taken relative to ROOT; `a.{h,cc}`
# stands for a.h and a.cc, and a span with '*' must match at least one file.
# Not paths, and skipped: spans with a space, flags (-x, --x/--y), URLs,
# address ranges (10.0.0.0/8), placeholders in capitals (DIR/x), absolute
# and home paths, variables ($X), and build outputs (build/..., which exist
# only after a build, wherever it was put).
set -euo pipefail
shopt -s extglob
if [ $# -lt 2 ]; then
  echo "usage: $0 ROOT DOC..." >&2
  exit 2
fi
root=$1
shift
extensions='cc|h|cmake|md|sh|proto|yaml|yml|json|js|txt|Dockerfile|tpl|conf|py'

# Prints `path` for every candidate span of a Markdown file, one a line.
spans() {
  awk '
    /^[[:space:]]*(```|~~~)/ { fenced = !fenced; next }
    fenced { next }
    {
      line = $0
      while (match(line, /`[^`]+`/)) {
        print substr(line, RSTART + 1, RLENGTH - 2)
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$1"
}

# Expands one `{a,b}` group (the only brace form the docs use).
expand() {
  local span=$1 head alternatives tail alt
  if [[ $span =~ ^([^{]*)\{([^}]*)\}(.*)$ ]]; then
    head=${BASH_REMATCH[1]} alternatives=${BASH_REMATCH[2]} tail=${BASH_REMATCH[3]}
    IFS=, read -ra alts <<<"$alternatives"
    for alt in "${alts[@]}"; do echo "$head$alt$tail"; done
  else
    echo "$span"
  fi
}

checked=0
missing=0
for doc in "$@"; do
  case $doc in /*) file=$doc ;; *) file=$root/$doc ;; esac
  if [ ! -f "$file" ]; then
    echo "$doc: no such document" >&2
    missing=$((missing + 1))
    continue
  fi
  while IFS= read -r span; do
    case $span in
      *[[:space:]]* | -* | /* | '~'* | '$'* | *://* | build/* | build) continue ;;
    esac
    # Placeholders in capitals (DIR/outbox.journal) name no repository file.
    [[ $span =~ ^[A-Z_]+/ ]] && continue
    # Address ranges (10.0.0.0/8, fe80::/10) are not paths either.
    [[ $span =~ ^[0-9a-fA-F:.]+/[0-9]+$ ]] && continue
    # `file.cc:123` names a line of the file.
    span=${span%:+([0-9])}
    if [[ $span != */* ]] && ! [[ $span =~ \.($extensions)$ ]]; then
      continue
    fi
    while IFS= read -r path; do
      checked=$((checked + 1))
      if [[ $path == *'*'* ]]; then
        # A glob: at least one match. compgen prints the matches.
        if (cd "$root" && compgen -G "$path" >/dev/null); then continue; fi
      elif [ -e "$root/$path" ]; then
        continue
      fi
      echo "$doc: \`$path\` does not exist in the repository" >&2
      missing=$((missing + 1))
    done < <(expand "$span")
  done < <(spans "$file")
done
if [ $missing -gt 0 ]; then
  echo "doc_paths_test: $missing of $checked named paths are missing" >&2
  exit 1
fi
echo "doc_paths_test: all $checked named paths exist ($# documents)"
