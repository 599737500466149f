using System.Reflection;
using AgentQuotas.Tools;

namespace AgentQuotas.Tests.Tools;

public class ToolRegistryTests
{
    private static readonly MethodInfo Search = typeof(KbTools).GetMethod(nameof(KbTools.SearchKbAsync))!;

    [Fact]
    public void A_tool_is_found_by_method_even_when_reflected_through_a_derived_type()
    {
        var registry = new ToolRegistry();
        var tool = new ToolDescriptor("search_kb", "search", 20) { Method = Search, Source = ToolSource.Annotated };
        registry.Register(tool);

        Assert.True(registry.TryGet(Search, out ToolDescriptor? byMethod));
        Assert.Same(tool, byMethod);
        MethodInfo viaDerived = typeof(DerivedKbTools).GetMethod(nameof(KbTools.SearchKbAsync))!;
        Assert.NotEqual(Search, viaDerived);                  // another ReflectedType: not Equal...
        Assert.True(registry.TryGet(viaDerived, out ToolDescriptor? viaDerivedTool));
        Assert.Same(tool, viaDerivedTool);                    // ...but the same method
        Assert.False(registry.TryGet(typeof(KbTools).GetMethod(nameof(KbTools.Unannotated))!, out _));
    }

    [Fact]
    public void A_tool_is_found_by_name_and_by_its_semantic_kernel_names()
    {
        var registry = new ToolRegistry();
        var tool = new ToolDescriptor("search_kb", "search", 20) { Method = Search };
        registry.Register(tool);

        Assert.True(registry.TryGet("search_kb", out ToolDescriptor? byName));
        Assert.Same(tool, byName);
        foreach (string function in new[] { "search_kb", "SearchKbAsync", "SearchKb" })
        {
            Assert.True(registry.TryGet(nameof(KbTools), function, out ToolDescriptor? byKernel), function);
            Assert.Same(tool, byKernel);
        }

        Assert.False(registry.TryGet("OtherPlugin", "SearchKb", out _));
    }

    [Fact]
    public void Two_tools_of_one_name_make_the_name_ambiguous_but_keep_their_methods()
    {
        var registry = new ToolRegistry();
        var first = new ToolDescriptor("search", "search", 1) { Method = Search };
        var second = new ToolDescriptor("search", "search", 2) { Method = typeof(KbTools).GetMethod(nameof(KbTools.Unannotated)) };
        registry.Register(first);
        registry.Register(second);

        Assert.True(registry.IsAmbiguous("search"));
        Assert.False(registry.TryGet("search", out _));
        Assert.True(registry.TryGet(Search, out ToolDescriptor? byMethod));
        Assert.Same(first, byMethod);
        Assert.Equal(2, registry.Tools.Count);
    }

    [Fact]
    public void Registering_is_idempotent_but_a_method_has_one_descriptor()
    {
        var registry = new ToolRegistry();
        var tool = new ToolDescriptor("search_kb", "search", 20) { Method = Search };
        registry.Register(tool);
        registry.Register(tool);
        Assert.Single(registry.Tools);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() =>
            registry.Register(new ToolDescriptor("search_kb_2", "search", 1) { Method = Search }));
        Assert.Contains("already registered as tool 'search_kb'", e.Message);
        Assert.False(registry.TryGet("search_kb_2", out _));   // nothing half-applied
    }

    [Fact]
    public void Descriptors_validate_their_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToolDescriptor("t", "c", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToolDescriptor("t", "c", 0));
        Assert.Throws<ArgumentException>(() => new ToolDescriptor(" ", "c", 1));
        Assert.Throws<ArgumentNullException>(() => new ToolDescriptor("t", "c", (ToolCostEstimator)null!));
        var approval = new ToolDescriptor("t", "c", 1, requiresApproval: true);
        Assert.True(approval.IsPrivileged);
        Assert.True(approval.QuotaTool.RequiresApproval);
        Assert.Same(approval.QuotaTool, approval.QuotaTool);
    }

    [Fact]
    public async Task Concurrent_registration_and_lookup_lose_nothing()
    {
        var registry = new ToolRegistry();
        ToolDescriptor[] tools = [.. Enumerable.Range(0, 200).Select(i => new ToolDescriptor("tool_" + i, "search", 1))];
        await Task.WhenAll(tools.Select(t => Task.Run(() =>
        {
            registry.Register(t);
            Assert.True(registry.TryGet(t.Name, out ToolDescriptor? found));
            Assert.Same(t, found);
        })));
        Assert.Equal(200, registry.Tools.Count);
    }

    public class KbTools
    {
        public Task<string> SearchKbAsync(string query) => Task.FromResult(query);

        public string Unannotated() => string.Empty;
    }

    public sealed class DerivedKbTools : KbTools
    {
    }
}
