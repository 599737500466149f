#!/usr/bin/env bash
# Builds this tree's generator and runtime (Release) and runs benchmarks/CompileSplit on them: the stress project's
# added compile time split into compiling the generated code, interception and the generator (docs/benchmarks.md 6.2).
#
#   eng/compile-split.sh [rounds]     (default 3)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
dotnet build -c Release "$repo/src/Generators/AgentQuotas.Generators.csproj" -nologo -v:q >/dev/null
dotnet build -c Release "$repo/src/Runtime/AgentQuotas.csproj" -nologo -v:q >/dev/null
dotnet build -c Release "$repo/benchmarks/CompileSplit" -nologo -v:q >/dev/null
echo "# compile-split on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$repo" rev-parse --short HEAD)"
echo "load before: $(uptime)"
dotnet "$repo/benchmarks/CompileSplit/bin/Release/net10.0/CompileSplit.dll" \
  "$repo/src/Generators/bin/Release/netstandard2.0/AgentQuotas.Generators.dll" "$repo/src/Runtime/bin/Release/net10.0/AgentQuotas.dll" "$rounds"
echo "load after: $(uptime)"
