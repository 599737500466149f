using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentLoops;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.AgentCalls
{
    /// <summary>
    /// Says what a call does for the agent-loop rule: a model turn or a tool call (an agent call), or a wait
    /// for the next input (what makes a loop interactive). One per operation block: it combines the
    /// compilation's framework APIs with the <c>agentquotas.model_methods</c> configured for the block's file.
    /// </summary>
    internal sealed class AgentCallClassifier
    {
        private static readonly string[] PromptFactories = { "CreateFunctionFromPrompt", "CreateFromPrompt", "CreateFunctionFromPromptYaml", "FromPromptYaml" };

        private readonly AgentSymbols _symbols;
        private readonly ModelApis _frameworks;
        private readonly ModelApis? _configured;
        private readonly InputApis _input;

        // Per normalized target; a target's description does not depend on the call (the prompt check aside).
        private readonly ConcurrentDictionary<IMethodSymbol, Description> _described = new ConcurrentDictionary<IMethodSymbol, Description>(SymbolEqualityComparer.Default);
        private readonly Func<IMethodSymbol, Description> _describe;

        public AgentCallClassifier(AgentSymbols symbols, ModelApis frameworks, ModelApis? configured, InputApis input)
        {
            _symbols = symbols;
            _frameworks = frameworks;
            _configured = configured;
            _input = input;
            _describe = Describe;
        }

        public AgentSymbols Symbols => _symbols;

        /// <summary>
        /// Names a call target that makes the loop around it an agent loop, e.g. "chat model
        /// 'IChatClient.GetResponseAsync'", or returns null for any other method. <paramref name="invocation"/>
        /// (when the target is called, not passed) lets a kernel function be recognised as a prompt.
        /// </summary>
        public string? DescribeAgentCall(IMethodSymbol target, IInvocationOperation? invocation)
        {
            IMethodSymbol m = AgentSymbols.Normalize(target);
            Description description = _described.GetOrAdd(m, _describe);
            if (description.IsApi)
            {
                string api = description.Text!;
                return invocation != null && ModelApis.IsKernelFunctionKind(api) && IsPromptFunction(invocation)
                    ? "prompt function through '" + api.Substring(api.IndexOf('\'') + 1).TrimEnd('\'') + "' (a chat model call)"
                    : api;
            }

            return description.Text;
        }

        /// <summary>What a (normalized) call target is, whoever calls it: computed once per target and classifier.</summary>
        private Description Describe(IMethodSymbol m)
        {
            string? api = _configured?.Describe(m) ?? _frameworks.Describe(m);
            if (api != null)
            {
                return new Description(api, isApi: true);
            }

            if (_symbols.IsGuardedTool(m))
            {
                return new Description("guarded tool '" + AgentSymbols.Display(m) + "'", isApi: false);
            }

            if (_symbols.IsAgentTool(m))
            {
                return new Description("agent tool '" + AgentSymbols.Display(m) + "'", isApi: false);
            }

            return Description.None;
        }

        /// <summary>"Console.ReadLine" when the call waits for the next input line or message; null otherwise.</summary>
        public string? DescribeInputWait(IInvocationOperation invocation) => _input.Describe(invocation);

        /// <summary>Whether an <c>await foreach</c> reads a channel: each item is the next message someone sends.</summary>
        public string? DescribeInputStream(IOperation collection) =>
            LoopBounds.Unwrap(collection) is IInvocationOperation invocation ? _input.Describe(invocation) : null;

        /// <summary>
        /// Whether the KernelFunction the call runs (the <c>function</c> argument of Kernel.InvokeAsync, or the
        /// receiver of KernelFunction.InvokeAsync) was made from a prompt in this block, directly or through locals.
        /// </summary>
        private static bool IsPromptFunction(IInvocationOperation invocation)
        {
            IOperation? function = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "function")?.Value ?? invocation.Instance;
            if (function == null)
            {
                return false;
            }

            IOperation root = function;
            while (root.Parent != null)
            {
                root = root.Parent;
            }

            return IsMadeFromPrompt(function, root, 0);
        }

        private static bool IsMadeFromPrompt(IOperation operation, IOperation root, int depth)
        {
            IOperation value = LoopBounds.Unwrap(operation);
            if (value is IInvocationOperation factory)
            {
                IMethodSymbol method = factory.TargetMethod;
                return PromptFactories.Contains(method.Name)
                    && method.ContainingNamespace?.ToDisplayString() == "Microsoft.SemanticKernel";
            }

            if (value is ILocalReferenceOperation local && depth < 4)
            {
                List<IOperation> sources = LocalWrites.SourcesOf(local.Local, root, out bool complete);
                return complete && sources.Count > 0 && sources.All(s => IsMadeFromPrompt(s, root, depth + 1));
            }

            return false;
        }

        /// <summary>A target's description: a framework or configured API (<see cref="IsApi"/>), a tool, or none.</summary>
        private sealed class Description
        {
            public static readonly Description None = new Description(null, isApi: false);

            public Description(string? text, bool isApi)
            {
                Text = text;
                IsApi = isApi;
            }

            public string? Text { get; }

            public bool IsApi { get; }
        }
    }
}
