using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>Everything generated for one tool type, in one file.</summary>
    /// <param name="HintName">The file's hint name.</param>
    /// <param name="ClassName">The generated static class holding the type's guards and interceptors.</param>
    /// <param name="Methods">Each guarded or loop method with the call sites it intercepts, in a stable order.</param>
    /// <param name="Tools">The AIFunctions to generate (empty without Microsoft.Extensions.AI).</param>
    internal sealed record GuardFileModel(string HintName, string ClassName, EquatableArray<InterceptedMethodModel> Methods, EquatableArray<AIToolModel> Tools);

    /// <summary>A method and the call sites intercepted for it.</summary>
    internal sealed record InterceptedMethodModel(MethodModel Method, EquatableArray<InterceptLocationModel> Sites);
}
