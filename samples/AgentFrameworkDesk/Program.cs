using AgentFrameworkDesk;
using AgentQuotas.Agents.AI;
using Microsoft.Agents.AI;

// Four conversations with a Microsoft Agent Framework agent under AgentQuotas, offline.
using var desk = new Desk();

AgentResponse guarded = await desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "refund policy"))), "How do refunds work?");
Console.WriteLine("1. A guarded call:       " + guarded.Text);

var searches = new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "a")), ScriptedModel.Call("search_kb", ("query", "b")), ScriptedModel.Call("search_kb", ("query", "c")));
AgentResponse denied = await desk.AskAsync("acme", searches, "Search three times.");
Console.WriteLine("2. A denial, RetryAfter: " + denied.Text);

AgentResponse drafted = await desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("issue_refund", ("orderId", "A-1042"), ("amount", 25m))), "Refund A-1042.");
Console.WriteLine("3. A privileged call:    " + drafted.Text);

AgentResponse capped = await desk.AskAsync("acme", new ScriptedModel { Runaway = ScriptedModel.Call("weather", ("city", "Oslo")) }, "Keep checking the weather.");
Console.WriteLine("4. A run capped:         " + (capped.AdditionalProperties?[AgentQuotasAgent.CappedKey]?.ToString() ?? "(not capped)"));
Console.WriteLine($"Tools: {desk.Tools.Searches} searches, {desk.Tools.Refunds} refunds, {desk.Tools.Drafts} drafts; {desk.AuditTrail.Count} audit records.");
