using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>A method whose calls are guarded (or run in a child run): everything needed to write its interceptor.</summary>
    /// <param name="Key">Identifies the method (with its containing type's type arguments) for grouping and ordering.</param>
    /// <param name="ContainingType">The fully qualified containing type.</param>
    /// <param name="ContainingTypeMetadataName">The containing type's metadata name and assembly, for UnsafeAccessorType.</param>
    /// <param name="ContainingTypeIsStatic">Whether the containing type is a static class.</param>
    /// <param name="DisplayName">Type.Method, for messages.</param>
    /// <param name="Kind">Static, instance or extension.</param>
    /// <param name="ReceiverType">The receiver type of an instance method.</param>
    /// <param name="ReturnKind">The return type's shape.</param>
    /// <param name="ReturnType">The fully qualified return type.</param>
    /// <param name="ResultType">T of Task&lt;T&gt;/ValueTask&lt;T&gt;, or the return type for a value-returning method.</param>
    /// <param name="CostRead">How to read an actual cost from the result.</param>
    /// <param name="Parameters">The parameters (an extension method's <c>this</c> included).</param>
    /// <param name="TypeParameters">The interceptor's type parameters: those of the method's generic containing types (outermost first), then the method's.</param>
    /// <param name="Target">How to call the method itself.</param>
    /// <param name="Guard">The guard, when the method is a guarded tool.</param>
    /// <param name="Loop">The loop caps, when the method carries [AgentLoop].</param>
    /// <param name="Suppressions">Diagnostic ids the generated code must suppress to call the method ([Experimental] and [Obsolete] ids of the method and its signature's types).</param>
    /// <param name="OuterTypeParameterCount">How many of <paramref name="TypeParameters"/> belong to the containing types (not passed when calling the method).</param>
    /// <param name="ExtensionNamespace">For an extension method whose type cannot be named unambiguously (two assemblies declare it), the namespace to import so generated code calls it in extension form; otherwise null.</param>
    /// <param name="CanForward">Whether the interceptor can hand its arguments to the runtime's shared guard (GuardedCall) as one generic state value: no ref, out or in parameter, no ref struct, pointer or dynamic in the signature, no struct receiver, no type parameter that allows ref structs.</param>
    internal sealed record MethodModel(
        string Key,
        string ContainingType,
        string ContainingTypeMetadataName,
        bool ContainingTypeIsStatic,
        string DisplayName,
        CallKind Kind,
        string? ReceiverType,
        ReturnKind ReturnKind,
        string ReturnType,
        string? ResultType,
        CostRead CostRead,
        EquatableArray<ParameterModel> Parameters,
        EquatableArray<TypeParameterModel> TypeParameters,
        MemberCallModel Target,
        GuardModel? Guard,
        LoopModel? Loop,
        EquatableArray<string> Suppressions,
        int OuterTypeParameterCount,
        string? ExtensionNamespace,
        bool CanForward)
    {
        public bool IsAsync => ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;

        public bool HasResult => ReturnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;
    }
}
