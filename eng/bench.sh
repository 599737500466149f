#!/usr/bin/env bash
# Runs benchmark suites of benchmarks/AgentQuotas.Benchmarks and keeps each suite's output, with the
# machine's load before and after, under BenchmarkDotNet.Artifacts/<label>/ (not committed).
#
#   eng/bench.sh [--baseline <commit>] [--quick] <suite>...
#
# Suites: hot primitives scale memory contention scheduler postgres generator generator-ratio
# generator-steps compile-time compile-time-realistic
# compile-time-no-server, or all (all but compile-time-no-server).
# --baseline <commit> runs the suites against the runtime of <commit> (its src/ with this tree's
# benchmarks/): the "before" figures of docs/benchmarks.md. --quick uses a short job, for development.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
baseline=""
quick=""
suites=()
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline="$2"; shift 2 ;;
    --quick) quick="--quick"; shift ;;
    all) suites+=(hot primitives scale memory contention scheduler postgres generator compile-time); shift ;;
    *) suites+=("$1"); shift ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || { echo "usage: eng/bench.sh [--baseline <commit>] [--quick] <suite>... (or all)" >&2; exit 2; }

tree="$repo"
label="current"
if [ -n "$baseline" ]; then
  label="baseline-$(git -C "$repo" rev-parse --short "$baseline")"
  tree="/tmp/aq-$label"
  if [ ! -d "$tree/src" ]; then
    mkdir -p "$tree"
    git -C "$repo" archive "$baseline" | tar -x -C "$tree"
  fi
  # This tree's benchmarks (they use only the public API, so they build against the older runtime too), with
  # this tree's package versions (the benchmarks' BenchmarkDotNet and peers; central versions only grow).
  mkdir -p "$tree/benchmarks"
  (cd "$repo" && tar -c --exclude=bin --exclude=obj benchmarks) | tar -x -C "$tree"
  cp "$repo/Directory.Packages.props" "$tree/Directory.Packages.props"
fi

out="$repo/BenchmarkDotNet.Artifacts/$label"
mkdir -p "$out"
dotnet build -c Release "$tree/benchmarks/AgentQuotas.Benchmarks" -nologo -v:q
app="$tree/benchmarks/AgentQuotas.Benchmarks/bin/Release/net10.0/AgentQuotas.Benchmarks.dll"

for suite in "${suites[@]}"; do
  case "$suite" in
    hot) args=(--filter '*HotPathBenchmarks*' $quick) ;;
    primitives) args=(--filter '*PrimitiveBenchmarks*' $quick) ;;
    scale) args=(--filter '*ScaleAcquireBenchmarks*' '*ScaleEvictionBenchmarks*' $quick) ;;
    memory) args=(bucket-memory) ;;
    contention) args=(--filter '*Contention.*' $quick) ;;
    scheduler) args=(--filter '*SchedulerBenchmarks*' $quick) ;;
    postgres) args=(--filter '*PostgresLeasingOffBenchmarks*' '*PostgresLeasingOnBenchmarks*' $quick) ;;
    generator) args=(--filter '*GeneratorDriverBenchmarks*' $quick) ;;
    generator-ratio) args=(generator-ratio --runs 9) ;;
    generator-steps) args=(generator-steps) ;;
    compile-time) args=(compile-time --runs 3) ;;
    compile-time-realistic) args=(compile-time --project realistic --runs 5) ;;
    compile-time-no-server) args=(compile-time --runs 3 --no-server) ;;
    *) echo "unknown suite '$suite'" >&2; exit 2 ;;
  esac
  rm -rf "${TMPDIR:-/tmp}/agentquotas-bench-figures" # figures the benchmark hosts publish (CaseColumns.Publish)
  {
    echo "# $suite ($label) on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load before: $(uptime)"
    (cd "$tree" && dotnet "$app" "${args[@]}")
    echo "load after: $(uptime)"
  } 2>&1 | tee "$out/$suite.txt"
done
