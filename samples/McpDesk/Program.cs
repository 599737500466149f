using McpDesk;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

// A multi-tenant MCP server under AgentQuotas, called by the SDK's MCP client over loopback HTTP, offline.
await using DeskServer server = await DeskServer.StartAsync();
await using McpClient acme = await server.ConnectAsync("acme-key");
await using McpClient globex = await server.ConnectAsync("globex-key");
await using McpClient anonymous = await server.ConnectAsync(apiKey: null);

Console.WriteLine("1. A guarded call:        " + Text(await Call(acme, "search_kb", ("query", "refund policy"))));
await Call(acme, "search_kb", ("query", "a"));
Console.WriteLine("2. A denial, RetryAfter:  " + Text(await Call(acme, "search_kb", ("query", "b"))));
Console.WriteLine("   Another tenant:        " + Text(await Call(globex, "search_kb", ("query", "b"))));
Console.WriteLine("3. A privileged call:     " + Text(await Call(acme, "issue_refund", ("orderId", "A-1042"), ("amount", 25m))));
Console.WriteLine("4. A run capped:          " + Text(await Call(acme, "bulk_export", ("rows", 2000))));
Console.WriteLine("   No authenticated caller: " + Text(await Call(anonymous, "search_kb", ("query", "x"), ("tenant", "acme"))));
Console.WriteLine($"Tools: {server.Ledger.Searches} searches, {server.Ledger.Refunds} refunds, {server.Ledger.Drafts} drafts, {server.Ledger.Exports} exports; {server.AuditTrail.Count} audit records.");

static async Task<CallToolResult> Call(McpClient client, string tool, params (string Name, object? Value)[] arguments) =>
    await client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value));

static string Text(CallToolResult result) =>
    (result.IsError == true ? "[error] " : string.Empty) + string.Join(" ", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
