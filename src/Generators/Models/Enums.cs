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
        /// <summary>The result type cannot implement IActualCost (or no conversion to it is legal): keep the planned cost.</summary>
        None,

        /// <summary>The result type implements IActualCost (a value type or a type read directly).</summary>
        Direct,

        /// <summary>The result is a reference type implementing IActualCost: may be null.</summary>
        DirectNullable,

        /// <summary>The result's runtime type may implement IActualCost (an unsealed class, an interface, a type parameter): test with <c>as</c>.</summary>
        Cast,
    }

    /// <summary>How a generated AIFunction obtains one parameter.</summary>
    internal enum ArgumentBinding
    {
        /// <summary>Read from the model's JSON arguments; part of the schema.</summary>
        Json,

        /// <summary>The invocation's CancellationToken.</summary>
        CancellationToken,

        /// <summary><c>AIFunctionArguments.Services</c>.</summary>
        ServiceProvider,

        /// <summary>The <c>AIFunctionArguments</c> instance itself.</summary>
        Arguments,

        /// <summary>Semantic Kernel's <c>Kernel</c>: the arguments' kernel entry, else the services' Kernel, else one over the services.</summary>
        Kernel,
    }

    /// <summary>Where a model call's token usage is read from.</summary>
    internal enum UsageKind
    {
        /// <summary>The response reports no usage the generated code can read.</summary>
        None,

        /// <summary>A Microsoft.Extensions.AI <c>ChatResponse</c> (or <c>ChatResponse&lt;T&gt;</c>): <c>Usage</c>.</summary>
        ChatResponse,

        /// <summary>A <c>ChatResponseUpdate</c> or Agent Framework <c>AgentResponseUpdate</c>: <c>UsageContent</c> among its contents.</summary>
        UpdateContents,

        /// <summary>An Agent Framework <c>AgentResponse</c> (or <c>AgentResponse&lt;T&gt;</c>): <c>Usage</c>.</summary>
        AgentResponse,

        /// <summary>A Semantic Kernel content or function result: <c>Metadata["Usage"]</c>.</summary>
        KernelMetadata,

        /// <summary>A list of Semantic Kernel chat message contents: each one's <c>Metadata["Usage"]</c>.</summary>
        KernelMetadataList,
    }

    /// <summary>Which generator diagnostic to report.</summary>
    internal enum DiagnosticKind
    {
        CannotIntercept,
        CannotCreateAIFunction,
        CannotGuardDeclaration,
        ConflictingAnnotations,
        CannotCountModelCall,
    }
}
