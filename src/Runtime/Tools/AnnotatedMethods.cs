using System.Reflection;
using System.Runtime.CompilerServices;

namespace AgentQuotas.Tools;

/// <summary>
/// Describes an annotated method the generated registry could not name: a local function handed to a framework
/// (<c>AIFunctionFactory.Create(GetWeather)</c>, the most common shape in Microsoft.Extensions.AI and Agent
/// Framework code), or a method of a type generated code cannot reach. Its attributes are read once, from the
/// method the framework's function wraps; the method comes from the program, never from a model.
/// </summary>
internal static class AnnotatedMethods
{
    /// <summary>
    /// A descriptor for <paramref name="method"/> built from its [Cost], [QuotaCategory] (on the method or, as for
    /// generated tools, the declaring type), [Privileged] and [AgentTool]; or <see langword="null"/> when the method
    /// is not a tool with a fixed cost and a category (then the call is looked up by name and the policy, and
    /// refused when nothing covers it).
    /// </summary>
    /// <remarks>
    /// An estimator or a [Fallback] is found by name at build time by the generator, which registers the tool;
    /// a method only reflection can describe has neither (the generator reports AQ1003 on a local function that
    /// declares one), so such a method is not described here and fails closed.
    /// </remarks>
    public static ToolDescriptor? Describe(MethodInfo method)
    {
        CostAttribute? cost = method.GetCustomAttribute<CostAttribute>();
        string? category = method.GetCustomAttribute<QuotaCategoryAttribute>()?.Category ?? TypeCategory(method.DeclaringType);
        if (cost is null || cost.Estimator is not null || !double.IsFinite(cost.Units) || cost.Units <= 0
            || string.IsNullOrWhiteSpace(category) || method.IsDefined(typeof(FallbackAttribute), inherit: false))
        {
            return null;
        }

        PrivilegedAttribute? privileged = method.GetCustomAttribute<PrivilegedAttribute>();
        AgentToolAttribute? tool = method.GetCustomAttribute<AgentToolAttribute>();
        string name = tool?.Name is { Length: > 0 } named && !string.IsNullOrWhiteSpace(named) ? named : DisplayName(method);
        return new ToolDescriptor(name, category, cost.Units, privileged is not null, privileged?.RequiresApproval ?? false)
        {
            Method = method,
            Description = tool?.Description,
        };
    }

    /// <summary>Type.Method, as the generator names a tool; a local function by the name it was declared with.</summary>
    internal static string DisplayName(MethodInfo method) =>
        (OuterType(method.DeclaringType)?.Name is string type ? type + "." : string.Empty) + SourceName(method.Name);

    /// <summary>
    /// The name written in the source: the C# compiler emits a local function <c>Name</c> declared in member
    /// <c>Outer</c> as <c>&lt;Outer&gt;g__Name|0_0</c>.
    /// </summary>
    internal static string SourceName(string metadataName)
    {
        int start = metadataName.IndexOf(">g__", StringComparison.Ordinal);
        if (metadataName.StartsWith('<') && start > 0)
        {
            int end = metadataName.IndexOf('|', start);
            return end > start + 4 ? metadataName[(start + 4)..end] : metadataName[(start + 4)..];
        }

        return metadataName;
    }

    // The class-level [QuotaCategory] of the type the method was written in (past the closure classes the compiler
    // adds for a capturing local function).
    private static string? TypeCategory(Type? type) => OuterType(type)?.GetCustomAttribute<QuotaCategoryAttribute>(inherit: false)?.Category;

    private static Type? OuterType(Type? type)
    {
        while (type is not null && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            type = type.DeclaringType;
        }

        return type;
    }
}
