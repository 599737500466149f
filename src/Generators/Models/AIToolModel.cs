using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>An agent tool made into a guarded AIFunction: its name, description, schema and argument readers.</summary>
    /// <param name="ClassKey">Identifies the tool class (its file hint).</param>
    /// <param name="ClassType">The fully qualified tool class.</param>
    /// <param name="ClassNamespace">The tool class's namespace ("" for the global namespace).</param>
    /// <param name="ClassName">The tool class's simple name, for the extension class's name.</param>
    /// <param name="ClassIsStatic">Whether the tool class is static (then a static factory, not an extension method).</param>
    /// <param name="ClassIsPublic">Whether the tool class is public (the factory is public too).</param>
    /// <param name="FunctionName">The name the model sees.</param>
    /// <param name="Description">What the model is told the tool does.</param>
    /// <param name="SchemaJson">The parameters' JSON schema, built at compile time.</param>
    /// <param name="Arguments">How to obtain each parameter in an invocation.</param>
    /// <param name="Method">The guarded method, or null with <paramref name="Diagnostic"/> when no AIFunction can be made.</param>
    /// <param name="Diagnostic">Why no AIFunction is generated.</param>
    internal sealed record AIToolModel(
        string ClassKey,
        string ClassType,
        string ClassNamespace,
        string ClassName,
        bool ClassIsStatic,
        bool ClassIsPublic,
        string FunctionName,
        string Description,
        string SchemaJson,
        EquatableArray<AIArgumentModel> Arguments,
        MethodModel? Method,
        DiagnosticInfo? Diagnostic);

    /// <summary>How to obtain one parameter's value in an AIFunction invocation.</summary>
    /// <param name="Local">The parameter name as a C# identifier.</param>
    /// <param name="JsonName">The argument name in the schema (the parameter name).</param>
    /// <param name="Type">The parameter type.</param>
    /// <param name="RuntimeType">The parameter type as typeof accepts it (no nullable reference annotations, tuple names or dynamic).</param>
    /// <param name="Binding">Where the value comes from.</param>
    /// <param name="IsRequired">Whether the argument must be present (for a framework binding: whether it must be available).</param>
    /// <param name="AllowNull">Whether null is a valid value.</param>
    /// <param name="DefaultValue">The C# expression of the parameter's default, for optional parameters.</param>
    internal sealed record AIArgumentModel(string Local, string JsonName, string Type, string RuntimeType, ArgumentBinding Binding, bool IsRequired, bool AllowNull, string? DefaultValue);
}
