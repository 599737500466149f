#!/usr/bin/env bash
# The reference point of docs/benchmarks.md section 6: ASP.NET Core's Request Delegate Generator (RDG), which
# also emits interceptors, on a generated web project with 2,000 MapGet endpoints (in 20 files, four handler
# shapes). Times a full `dotnet build -c Release` (obj and bin removed, compiler server on) with RDG on and off,
# alternating, N runs each after one warm-up of each, and prints medians, the added time per intercepted call site,
# and the size of what RDG generated (files, lines, [InterceptsLocation] attributes). Nothing is committed: the
# project lives in a temp directory, removed at the end.
#
#   eng/rdg-bench.sh [runs]     (default 5)
set -euo pipefail
runs="${1:-5}"
endpoints=2000
files=20
dir="$(mktemp -d /tmp/aq-rdg-XXXXXX)"
trap 'dotnet build-server shutdown >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

cat > "$dir/Rdg.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <OutputType>Library</OutputType>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
    <EnableRequestDelegateGenerator Condition="'$(EnableRequestDelegateGenerator)' == ''">true</EnableRequestDelegateGenerator>
  </PropertyGroup>
</Project>
EOF
per=$((endpoints / files))
for f in $(seq 0 $((files - 1))); do
  {
    echo "namespace Rdg;"
    echo "public sealed record Item$f(int Id, string Name);"
    echo "public static class Endpoints$f"
    echo "{"
    echo "    public static void Map(WebApplication app)"
    echo "    {"
    for i in $(seq 0 $((per - 1))); do
      n=$((f * per + i))
      case $((i % 4)) in
        0) echo "        app.MapGet(\"/e$n/{id:int}\", (int id) => id + $n);" ;;
        1) echo "        app.MapGet(\"/e$n\", (string? q) => Results.Ok(q ?? \"$n\"));" ;;
        2) echo "        app.MapGet(\"/e$n/{id}\", async (int id, CancellationToken ct) => { await Task.Yield(); return new Item$f(id, \"$n\"); });" ;;
        *) echo "        app.MapGet(\"/e$n\", (HttpContext context) => context.Request.Path.Value + \"$n\");" ;;
      esac
    done
    echo "    }"
    echo "}"
  } > "$dir/Endpoints$f.cs"
done
{
  echo "namespace Rdg;"
  echo "public static class App"
  echo "{"
  echo "    public static WebApplication Build(string[] args)"
  echo "    {"
  echo "        WebApplication app = WebApplication.CreateBuilder(args).Build();"
  for f in $(seq 0 $((files - 1))); do echo "        Endpoints$f.Map(app);"; done
  echo "        return app;"
  echo "    }"
  echo "}"
} > "$dir/App.cs"

cd "$dir"
echo "# RDG reference on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ); $endpoints MapGet endpoints in $files files, $(cat ./*.cs | wc -l) lines"
echo "load before: $(uptime)"
dotnet restore -nologo -v:q >/dev/null
build() { # $1: true|false; prints seconds
  rm -rf bin obj/Release
  local start end
  start=$(date +%s.%N)
  dotnet build -c Release --no-restore -nologo -v:q -p:UseSharedCompilation=true -p:EnableRequestDelegateGenerator="$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
build false >/dev/null; build true >/dev/null   # warm-up: compiler server, MSBuild nodes
off=(); on=()
for r in $(seq 1 "$runs"); do
  if [ $((r % 2)) -eq 1 ]; then off+=("$(build false)"); on+=("$(build true)"); else on+=("$(build true)"); off+=("$(build false)"); fi
  echo "run $r: RDG off ${off[-1]} s, RDG on ${on[-1]} s ($(uptime | sed 's/.*load/load/'))"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
moff=$(median "${off[@]}"); mon=$(median "${on[@]}")
build true >/dev/null   # leaves RDG's output in obj/ for the counts below
gen=$(find obj/Release -path '*Microsoft.AspNetCore.Http.RequestDelegateGenerator*' -name '*.cs' | head -50)
genlines=$(cat $gen | wc -l)
attrs=$(cat $gen | grep -cE '^\s*\[.*InterceptsLocation' || true)
interceptors=$(cat $gen | grep -cE 'static .*RouteHandlerBuilder MapGet[0-9]*\(' || true)
echo
echo "| variant | full build, median of $runs |"
echo "|---|---:|"
echo "| RDG off | $moff s |"
echo "| RDG on | $mon s |"
echo "| added | $(echo "$mon - $moff" | bc) s = $(echo "scale=3; ($mon - $moff) * 1000 / $endpoints" | bc) ms per intercepted call site |"
echo
echo "RDG output: $(echo $gen | wc -w) file(s), $genlines lines, $attrs [InterceptsLocation] attributes, $interceptors MapGet interceptors"
echo "load after: $(uptime)"
