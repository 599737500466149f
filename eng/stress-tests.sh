#!/usr/bin/env bash
# Runs the whole test suite (dotnet test Analyzers.sln) several times while every CPU is kept busy by
# spinning processes, to flush out tests that assume the machine is idle (a wall-clock assumption, a
# missing bound on a wait). It builds once, then runs the tests without rebuilding. Output of each run is
# kept under artifacts/stress/<timestamp>/ (not committed); the summary is printed at the end.
#
#   eng/stress-tests.sh [--runs N] [--busy N] [-- <extra dotnet test arguments>]
#
# --runs   how many times to run the suite (default 3)
# --busy   how many spinning processes to start (default: one per CPU, from nproc)
# Exits 0 only when every run passed. The spinning processes are stopped however the script ends.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs=3
busy="$(nproc)"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --busy) busy="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: eng/stress-tests.sh [--runs N] [--busy N] [-- <dotnet test arguments>]" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="$repo/artifacts/stress/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

spinners=()
stop_spinners() {
  for pid in "${spinners[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${spinners[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  spinners=()
}
trap stop_spinners EXIT INT TERM

echo "stress: building once ($(nproc) CPUs; output in $out)"
dotnet build "$repo/Analyzers.sln" -nologo -v q >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }

for ((i = 0; i < busy; i++)); do
  # A spinning shell loop per CPU, at normal priority: the tests compete for every core.
  bash -c 'while :; do :; done' &
  spinners+=("$!")
done
echo "stress: $busy spinning processes started (pids ${spinners[*]})"

failed=0
summary=()
for ((run = 1; run <= runs; run++)); do
  log="$out/run-$run.log"
  start=$(date +%s)
  echo "stress: run $run of $runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if dotnet test "$repo/Analyzers.sln" --no-build --logger "console;verbosity=minimal" "${extra[@]}" >"$log" 2>&1; then
    status="passed"
  else
    status="FAILED"
    failed=$((failed + 1))
  fi

  # One line per test project: "Passed!  - Failed: 0, Passed: 263, ..." (or "Failed!"), and any failing test's name.
  totals="$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's#[^ ]*/([^/ ]+\.dll)#\1#' || true)"
  failures="$(grep -E '^\s+Failed [A-Za-z]' "$log" | sed -E 's/^\s+//' || true)"
  line="run $run: $status in $(( $(date +%s) - start )) s"
  summary+=("$line")
  echo "stress: $line"
  echo "$totals" | sed 's/^/  /'
  if [ -n "$failures" ]; then
    echo "$failures" | sed 's/^/  /'
  fi
done

stop_spinners
echo "stress: summary ($busy spinning processes on $(nproc) CPUs)"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "stress: $failed of $runs runs failed; logs in $out" >&2
  exit 1
fi

echo "stress: all $runs runs passed; logs in $out"
