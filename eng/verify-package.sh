#!/usr/bin/env bash
# Packs the AgentQuotas package (runtime + generator + analyzers + code fixes + buildTransitive props) into a local
# folder feed, then builds and runs a consumer project whose csproj has nothing AgentQuotas-specific but
# the PackageReference: interceptors must be enabled and agentquotas.json added by the package itself.
#
#   eng/verify-package.sh              # builds and packs (Release)
#   CONFIGURATION=Debug NO_BUILD=1 eng/verify-package.sh   # packs existing Debug outputs (used by the tests)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CONFIGURATION:-Release}"
work="$(mktemp -d "${TMPDIR:-/tmp}/agentquotas-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT
version="0.1.0-verify.$(date +%s)$$"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pack_args=(-c "$configuration" -o "$work/feed" -p:Version="$version" -nodeReuse:false --disable-build-servers)
if [ "${NO_BUILD:-0}" = "1" ]; then pack_args+=(--no-build); fi
dotnet pack "$root/src/Runtime/AgentQuotas.csproj" "${pack_args[@]}" >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }

mkdir -p "$work/consumer"
cat >"$work/consumer/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <fallbackPackageFolders>
    <add key="machine" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </fallbackPackageFolders>
</configuration>
XML

cat >"$work/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AgentQuotas" Version="$version" />
  </ItemGroup>
</Project>
XML

cat >"$work/consumer/agentquotas.json" <<'JSON'
{ "version": "consumer-1", "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.1 } } } }, "defaultTier": "standard" }
JSON

cat >"$work/consumer/Program.cs" <<'CS'
using AgentQuotas;
using AgentQuotas.Policy;

using var gate = new QuotaGate(QuotaPolicy.Load(Path.Combine(Directory.GetCurrentDirectory(), "agentquotas.json")));
using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "user-1"));
var tools = new Tools();
Console.WriteLine(tools.Search("a"));
try
{
    Console.WriteLine(tools.Search("b"));
}
catch (QuotaExceededException e)
{
    Console.WriteLine("denied: " + e.Reason);
}

Console.WriteLine("tool calls: " + run.ToolCalls);

[QuotaCategory("search")]
public sealed class Tools
{
    [Cost(6)]
    public string Search(string query) => "found " + query;
}
CS

cd "$work/consumer"
# NuGetAudit would fetch nuget.org's vulnerability data, and a failed fetch is a warning the consumer
# treats as an error: what is checked here is the package, so the network is kept out of it.
dotnet build -c Release -p:NuGetAudit=false -nodeReuse:false --disable-build-servers >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
items="$(dotnet msbuild Consumer.csproj -getProperty:InterceptorsNamespaces -getItem:AdditionalFiles -nodeReuse:false)"
echo "$items" | grep -q 'AgentQuotas.Generated' || { echo "FAIL: InterceptorsNamespaces not set by the package: $items"; exit 1; }
echo "$items" | grep -q 'agentquotas.json' || { echo "FAIL: agentquotas.json not among AdditionalFiles: $items"; exit 1; }
for component in AgentQuotas.Generators.dll AgentQuotas.Analyzers.dll AgentQuotas.Analyzers.CodeFixes.dll; do
  [ -f "$work/packages/agentquotas/$version/analyzers/dotnet/cs/$component" ] \
    || { echo "FAIL: the package lacks analyzers/dotnet/cs/$component"; exit 1; }
done
output="$(dotnet bin/Release/net10.0/Consumer.dll)"
echo "$output"
expected=$'found a\ndenied: BucketExhausted\ntool calls: 1'
if [ "$output" != "$expected" ]; then
  echo "FAIL: the consumer's calls were not guarded (expected the second call to be denied)"
  exit 1
fi

echo "verify-package: OK (AgentQuotas $version packed, consumed with no extra csproj lines, calls intercepted)"

# Every framework integration is its own package: each adds one PackageReference to a consumer. The list is the one
# place to add a package (project path and the package id the consumer references).
integrations=(
  "src/ExtensionsAI/AgentQuotas.Extensions.AI.csproj AgentQuotas.Extensions.AI"
  "src/AgentFramework/AgentQuotas.Agents.AI.csproj AgentQuotas.Agents.AI"
  "src/SemanticKernel/AgentQuotas.SemanticKernel.csproj AgentQuotas.SemanticKernel"
  "src/ModelContextProtocol/AgentQuotas.ModelContextProtocol.csproj AgentQuotas.ModelContextProtocol"
)
references=""
for entry in "${integrations[@]}"; do
  project="${entry% *}"; id="${entry#* }"
  args=(-c "$configuration" -o "$work/feed" -p:Version="$version" -nodeReuse:false --disable-build-servers)
  # Packs existing outputs when asked to and they exist; otherwise builds the project first.
  if [ "${NO_BUILD:-0}" = "1" ] && [ -f "$root/$(dirname "$project")/bin/$configuration/net10.0/$id.dll" ]; then args+=(--no-build); fi
  dotnet pack "$root/$project" "${args[@]}" >"$work/pack-$id.log" 2>&1 || { cat "$work/pack-$id.log"; exit 1; }
  references+="    <PackageReference Include=\"$id\" Version=\"$version\" />"$'\n'
done

mkdir -p "$work/frameworks"
cp "$work/consumer/NuGet.config" "$work/frameworks/"
cat >"$work/frameworks/Frameworks.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AgentQuotas" Version="$version" />
$references  </ItemGroup>
</Project>
XML

cat >"$work/frameworks/agentquotas.json" <<'JSON'
{ "version": "frameworks-1", "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.1 } } } }, "defaultTier": "standard",
  "degradation": ["Full", "DraftOnly", "ApprovalRequired"], "tools": { "lookup": { "category": "search", "cost": 6 } } }
JSON

cat >"$work/frameworks/Program.cs" <<'CS'
using AgentQuotas;
using AgentQuotas.Agents.AI;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Policy;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

using var gate = new QuotaGate(QuotaPolicy.Load(Path.Combine(Directory.GetCurrentDirectory(), "agentquotas.json")));
using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "user-1"));
AIFunction lookup = AIFunctionFactory.Create((string q) => "found " + q, "lookup");

IChatClient chat = new Model().AsBuilder().UseAgentQuotas().Build();                        // Microsoft.Extensions.AI
ChatResponse answer = await chat.GetResponseAsync("hi", new ChatOptions { Tools = [lookup] });
Console.WriteLine("chat: " + answer.Text);

AIAgent agent = new Model().AsAIAgent(name: "desk", tools: [lookup]).AsBuilder().UseAgentQuotas().Build();   // Agent Framework
AgentResponse reply = await agent.RunAsync("hi");
Console.WriteLine("agent: " + reply.Text);
Console.WriteLine("tool calls: " + run.ToolCalls);

sealed class Model : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        FunctionResultContent? result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault();
        ChatMessage reply = result is null
            ? new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = "x" })])
            : new(ChatRole.Assistant, result.Result is System.Text.Json.JsonElement ran ? ran.ToString() : "refused");
        return Task.FromResult(new ChatResponse(reply));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (ChatResponseUpdate u in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) { yield return u; }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
CS

cd "$work/frameworks"
dotnet build -c Release -p:NuGetAudit=false -nodeReuse:false --disable-build-servers >"$work/build-frameworks.log" 2>&1 || { cat "$work/build-frameworks.log"; exit 1; }
output="$(dotnet bin/Release/net10.0/Frameworks.dll)"
echo "$output"
expected=$'chat: found x\nagent: refused\ntool calls: 1'
if [ "$output" != "$expected" ]; then
  echo "FAIL: the integration packages did not guard the framework calls (expected the second lookup to be refused)"
  exit 1
fi

echo "verify-package: OK (integration packages ${#integrations[@]}: one PackageReference each, framework tool calls guarded)"

# Semantic Kernel and MCP: a consumer with the AgentQuotas package and one PackageReference per integration (and the
# frameworks themselves) whose framework calls must be guarded: a kernel function and an MCP tools/call over pipes.
mkdir -p "$work/skmcp"
cp "$work/consumer/NuGet.config" "$work/skmcp/"
cat >"$work/skmcp/SkMcp.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <WarningsNotAsErrors>NU1603</WarningsNotAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AgentQuotas" Version="$version" />
    <PackageReference Include="AgentQuotas.SemanticKernel" Version="$version" />
    <PackageReference Include="AgentQuotas.ModelContextProtocol" Version="$version" />
    <PackageReference Include="Microsoft.SemanticKernel" Version="1.82.0" />
  </ItemGroup>
</Project>
XML

cat >"$work/skmcp/agentquotas.json" <<'JSON'
{ "version": "skmcp-1", "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.1 } } } }, "defaultTier": "standard",
  "degradation": ["Full", "DraftOnly", "ApprovalRequired"],
  "tools": { "lookup": { "category": "search", "cost": 6 } } }
JSON

cat >"$work/skmcp/Program.cs" <<'CS'
using System.IO.Pipelines;
using System.Security.Claims;
using AgentQuotas;
using AgentQuotas.ModelContextProtocol;
using AgentQuotas.Policy;
using AgentQuotas.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using var gate = new QuotaGate(QuotaPolicy.Load(Path.Combine(Directory.GetCurrentDirectory(), "agentquotas.json")));

Kernel kernel = new Kernel().UseAgentQuotas();                                                   // Semantic Kernel
KernelFunction lookup = KernelFunctionFactory.CreateFromMethod((string q) => "found " + q, "lookup");
using (AgentRun run = gate.BeginRun(new AgentIdentity("acme", "user-1")))
{
    Console.WriteLine("kernel: " + await kernel.InvokeAsync(lookup, new() { ["q"] = "x" }));
    try { await kernel.InvokeAsync(lookup, new() { ["q"] = "y" }); }
    catch (QuotaExceededException e) { Console.WriteLine("kernel: denied " + e.Reason); }
}

var toServer = new Pipe();                                                                         // MCP server
var toClient = new Pipe();
var services = new ServiceCollection();
services.AddMcpServer()
    .WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream())
    .WithTools([McpServerTool.Create((string q) => "found " + q, new() { Name = "lookup" })])
    .WithMessageFilters(f => f.AddIncomingFilter(next => (context, ct) =>
    {
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("tenant", "globex"), new Claim("sub", "bob")], "test"));
        return next(context, ct);
    }))
    .AddAgentQuotas(o => o.Gate = gate);
await using ServiceProvider provider = services.BuildServiceProvider();
using var stop = new CancellationTokenSource();
Task serving = provider.GetRequiredService<McpServer>().RunAsync(stop.Token);
await using (McpClient client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream())))
{
    foreach (string q in new[] { "x", "y" })
    {
        CallToolResult result = await client.CallToolAsync("lookup", new Dictionary<string, object?> { ["q"] = q });
        Console.WriteLine("mcp: " + (result.IsError == true ? "refused" : ((TextContentBlock)result.Content[0]).Text));
    }
}

stop.Cancel();
CS

cd "$work/skmcp"
dotnet build -c Release -p:NuGetAudit=false -nodeReuse:false --disable-build-servers >"$work/build-skmcp.log" 2>&1 || { cat "$work/build-skmcp.log"; exit 1; }
output="$(dotnet bin/Release/net10.0/SkMcp.dll)"
echo "$output"
expected=$'kernel: found x\nkernel: denied BucketExhausted\nmcp: found x\nmcp: refused'
if [ "$output" != "$expected" ]; then
  echo "FAIL: the Semantic Kernel or MCP package did not guard the framework calls (expected each second lookup to be refused)"
  exit 1
fi

echo "verify-package: OK (AgentQuotas.SemanticKernel and AgentQuotas.ModelContextProtocol: kernel functions and MCP tools/call guarded)"
