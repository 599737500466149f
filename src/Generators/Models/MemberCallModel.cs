using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>
    /// How generated code calls a member of the tool type (the tool itself, its fallback, its estimator):
    /// directly when accessible, otherwise through an <c>UnsafeAccessor</c> declared in the generated class.
    /// </summary>
    /// <param name="Name">The member name (unescaped).</param>
    /// <param name="ContainingType">The fully qualified type that declares the member.</param>
    /// <param name="IsStatic">Whether the member is static.</param>
    /// <param name="Accessible">Whether generated code in the same assembly may call it directly.</param>
    /// <param name="ReturnType">The fully qualified return type.</param>
    /// <param name="Parameters">Its parameters (types and ref kinds), for the accessor's signature.</param>
    internal sealed record MemberCallModel(string Name, string ContainingType, bool IsStatic, bool Accessible, string ReturnType, EquatableArray<ParameterModel> Parameters);
}
