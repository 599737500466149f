using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>
/// The commonest tool in Microsoft.Extensions.AI and Agent Framework code is a local function handed to
/// AIFunctionFactory.Create. No interceptor can reach it and the generated registry cannot name it, so the
/// integration reads its annotations from the method the function wraps.
/// </summary>
public sealed class LocalFunctionToolTests : IDisposable
{
    private readonly Fixture _f;
    private readonly Approvals _approvals = new(_ => ValueTask.FromResult(ApprovalDecision.Deny("not today")));

    public LocalFunctionToolTests() => _f = new Fixture(_approvals);

    public void Dispose() => _f.Dispose();

    private static Dictionary<string, object?> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    private static JsonElement LastResult(ScriptedModel model) =>
        JsonSerializer.SerializeToElement(model.ResultsSeen.Last().Result, AIJsonUtilities.DefaultOptions);

    [Fact]
    public async Task An_annotated_local_function_is_charged_its_cost_and_audited_under_its_source_name()
    {
        int ran = 0;
        [QuotaCategory("search"), Cost(2)]
        string GetWeather(string city)
        {
            ran++;
            return "sunny in " + city;
        }

        AIFunction weather = AIFunctionFactory.Create(GetWeather);
        var model = new ScriptedModel([ScriptedModel.Call(weather.Name, Args("""{ "city": "Oslo" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("weather?", new ChatOptions { Tools = [weather] });

        Assert.Equal(1, ran);
        Assert.Equal((1, 2d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(8, _f.Left("search"), 9);
        QuotaAuditRecord admitted = Assert.Single(_f.Audit.Snapshot(), r => r.Decision == AuditDecision.Admitted && r.Category == "search");
        Assert.Equal((nameof(LocalFunctionToolTests) + ".GetWeather", "search", 2d), (admitted.Tool, admitted.Category, admitted.PlannedCost));
    }

    [Fact]
    public async Task A_privileged_local_function_requiring_approval_never_runs_without_it()
    {
        int ran = 0;
        [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
        string Refund(string orderId)
        {
            ran++;
            return "refunded " + orderId;
        }

        AIFunction refund = AIFunctionFactory.Create(Refund);
        var model = new ScriptedModel([ScriptedModel.Call(refund.Name, Args("""{ "orderId": "A-1" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("refund", new ChatOptions { Tools = [refund] });

        Assert.Equal(0, ran);
        Assert.Equal(1, _approvals.Asked);
        Assert.Equal("quota", LastResult(model).GetProperty("error").GetString());
        Assert.Equal((0, 5d), (run.ToolCalls, _f.Left("payments")));
    }

    [Fact]
    public async Task A_capturing_local_function_takes_the_category_of_the_class_it_is_written_in()
    {
        var counter = new CategorisedTools();
        AIFunction lookup = counter.Lookup();
        var model = new ScriptedModel([ScriptedModel.Call(lookup.Name, Args("""{ "id": "7" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("look up", new ChatOptions { Tools = [lookup] });

        Assert.Equal(1, counter.Lookups);
        Assert.Equal((1, 3d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(7, _f.Left("search"), 9);
    }

    [Fact]
    public async Task A_local_function_with_a_cost_but_no_category_is_refused_as_a_tool_without_quota()
    {
        int ran = 0;
        [Cost(1)]
        string Orphan()
        {
            ran++;
            return "ran";
        }

        AIFunction orphan = AIFunctionFactory.Create(Orphan);
        var model = new ScriptedModel([ScriptedModel.Call(orphan.Name)]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("go", new ChatOptions { Tools = [orphan] });

        Assert.Equal(0, ran);
        Assert.Equal("unknown_tool", LastResult(model).GetProperty("error").GetString());
        Assert.Equal(0, run.ToolCalls);
    }

    [QuotaCategory("search")]
    private sealed class CategorisedTools
    {
        public int Lookups;

        public AIFunction Lookup()
        {
            string prefix = "record ";   // captured: the local function becomes a method of a closure class

            [Cost(3)]
            string LookupRecord(string id)
            {
                Lookups++;
                return prefix + id;
            }

            return AIFunctionFactory.Create(LookupRecord);
        }
    }
}
