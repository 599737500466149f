namespace AgentQuotas.Generators.Models
{
    /// <summary>How the intercepted method is called, which decides the interceptor's first parameter.</summary>
    internal enum CallKind
    {
        /// <summary>A static method: the interceptor has the same parameters.</summary>
        Static,

        /// <summary>An instance method: the interceptor takes the receiver as a <c>this</c> parameter.</summary>
        Instance,

        /// <summary>An extension method: its <c>this</c> parameter is kept.</summary>
        Extension,
    }

    /// <summary>The shape of a method's return type.</summary>
    internal enum ReturnKind
    {
        Void,
        Value,
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
    }

    /// <summary>How the generated code reads an actual cost (<c>IActualCost</c>) from a result.</summary>
    internal enum CostRead
    {
        /// <summary>The result type cannot implement IActualCost: keep the planned cost.</summary>
        None,

        /// <summary>The result type implements IActualCost (a value type or a type read directly).</summary>
        Direct,

        /// <summary>The result is a reference type implementing IActualCost: may be null.</summary>
        DirectNullable,

        /// <summary>The result's runtime type may implement IActualCost: test with <c>as</c>.</summary>
        Cast,
    }

    /// <summary>Which generator diagnostic to report.</summary>
    internal enum DiagnosticKind
    {
        CannotIntercept,
        CannotCreateAIFunction,
    }
}
