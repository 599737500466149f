using System.ComponentModel;
using AgentQuotas;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Server;

namespace Zoo;

/// <summary>A Semantic Kernel plugin with budgets and no [AgentTool]: [KernelFunction] names and describes the tools.</summary>
[QuotaCategory("zoo")]
public sealed class MenuPlugin
{
    [KernelFunction("get_menu"), Description("Lists the menu."), Cost(1)]
    public MenuItem[] GetMenu() => Probe.Hit(new[] { new MenuItem("tea", 2m) });

    /// <summary>Looks up the price of an item.</summary>
    [KernelFunction, Cost(1)]
    public async Task<decimal> GetPriceAsync(string item, Kernel kernel, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return Probe.Hit(kernel is null ? -1m : item.Length);
    }

    [KernelFunction, Description("Not budgeted: no AIFunction, no interception (analyzer AQ0001 reports it).")]
    public string Unbudgeted() => "free";
}

/// <summary>An MCP server's tools with budgets: [McpServerTool] names them (snake_case by default).</summary>
[QuotaCategory("zoo")]
[McpServerToolType]
public sealed class McpTools
{
    [McpServerTool, Description("Echoes the message."), Cost(1)]
    public string EchoMessage(string message) => Probe.Hit(message);

    [McpServerTool(Name = "weather"), Description("Gets the weather."), Cost(1), Privileged(RequiresApproval = true)]
    public Task<string> GetWeatherAsync(string city, CancellationToken cancellation) => Task.FromResult(Probe.Hit("sunny in " + city));

    [McpServerTool, KernelFunction("both"), Description("Named by Semantic Kernel first."), Cost(1)]
    public string BothAttributes() => Probe.Hit("both");
}

public static class FrameworkToolShapes
{
    public static IEnumerable<Shape> All() =>
    [
        new("framework tools/[KernelFunction(name)] returning an array", () => new MenuPlugin().GetMenu()),
        new("framework tools/[KernelFunction] async with Kernel", () => new MenuPlugin().GetPriceAsync("tea", new Kernel(), CancellationToken.None)),
        new("framework tools/[McpServerTool]", () => new McpTools().EchoMessage("hi")),
        new("framework tools/[McpServerTool] and [KernelFunction]", () => new McpTools().BothAttributes()),
    ];
}
