#!/usr/bin/env bash
# hack/gotest.sh PKG...: go test -json through hack/testsum, which prints
# failures in full, one result line per package and a closing summary of
# the skipped tests by reason. The whole log is kept in .cache. Tests run
# 8 at once (GOTEST_PARALLEL): most of their time is spent waiting on
# probe windows, not on the CPUs.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=${GOTEST_LOG:-$ROOT/.cache/gotest.json}
mkdir -p "$(dirname "$LOG")"
go build -o "$ROOT/.cache/testsum" "$ROOT/hack/testsum" || exit 2
go test -count=1 -timeout "${GOTEST_TIMEOUT:-30m}" -parallel "${GOTEST_PARALLEL:-8}" -json "$@" 2>&1 | tee "$LOG" | "$ROOT/.cache/testsum"
status=("${PIPESTATUS[@]}")
echo "(full log: $LOG)"
[[ ${status[0]} -eq 0 && ${status[2]} -eq 0 ]]
