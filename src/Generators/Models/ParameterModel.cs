namespace AgentQuotas.Generators.Models
{
    /// <summary>One parameter of a guarded method, as the generated code declares and passes it.</summary>
    /// <param name="Name">The parameter name, escaped for C# (e.g. <c>@class</c>).</param>
    /// <param name="Type">The fully qualified type with nullable annotations.</param>
    /// <param name="Modifier">"", "ref ", "out ", "in ", "ref readonly " or "params ".</param>
    /// <param name="ArgumentModifier">What the call site writes before the argument: "", "ref ", "out ", "in ".</param>
    /// <param name="IsCancellationToken">Whether the parameter is a <c>CancellationToken</c>.</param>
    /// <param name="IsThis">Whether it is an extension method's <c>this</c> parameter.</param>
    /// <param name="IsDynamic">Whether its type is <c>dynamic</c>: generated code passes it as <c>(object)</c> so its calls stay statically bound.</param>
    internal sealed record ParameterModel(string Name, string Type, string Modifier, string ArgumentModifier, bool IsCancellationToken, bool IsThis, bool IsDynamic);
}
