using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using AgentQuotas.Analyzers.AgentLoops;
using AgentQuotas.Analyzers.Configuration;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Diagnostics;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0003: an unbounded agent loop. A loop (while, do, for, foreach) or a recursive cycle is an agent loop
    /// when the code it repeats (including local functions and lambdas it runs directly) calls a guarded tool,
    /// an [AgentTool] method or a chat model. It is bounded when it is a counting for loop with a constant or
    /// parameter-free bound, a foreach over a finite collection, or when it runs only under an [AgentLoop] cap:
    /// the method carries one, or every path into the method from code that may be called from anywhere goes
    /// through a method that does. Needs the whole call graph, so it reports at the end of the compilation.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AgentLoopAnalyzer : DiagnosticAnalyzer
    {
        private static readonly string[] CapNames = { "MaxIterations", "MaxToolCalls", "MaxCost" };

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnboundedAgentLoop,
            DiagnosticDescriptors.InvalidModelMethodsOption);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = AgentSymbols.Create(start.Compilation);
                ModelApis frameworks = ModelApis.ForFrameworks(start.Compilation);
                if (!symbols.HasRuntime && frameworks.IsEmpty)
                {
                    return; // nothing in this compilation can make an agent loop
                }

                var state = new CompilationState(symbols, frameworks, new InputApis(start.Compilation), new Lazy<bool>(() =>
                {
                    PolicyFile? policy = PolicyFile.Find(start.Options, start.CancellationToken);
                    return policy?.Model != null && PolicyFile.EveryTierCapsRuns(policy.Model);
                }));
                start.RegisterOperationBlockAction(state.Collect);
                start.RegisterCompilationEndAction(state.Report);
            });
        }

        /// <summary>The call graph of one compilation, filled concurrently by block actions and read at the end.</summary>
        private sealed class CompilationState
        {
            private readonly AgentSymbols _symbols;
            private readonly ModelApis _frameworks;
            private readonly InputApis _input;
            private readonly Lazy<bool> _policyCapsEveryTier;

            // agentquotas.model_methods, resolved once per distinct value (files may differ in .editorconfig).
            private readonly ConcurrentDictionary<string, ModelMethodsOption> _configured = new ConcurrentDictionary<string, ModelMethodsOption>(StringComparer.Ordinal);
            private readonly ConcurrentDictionary<IMethodSymbol, FunctionNode> _nodes = new ConcurrentDictionary<IMethodSymbol, FunctionNode>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<IMethodSymbol, bool> _escaping = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
            private readonly ConcurrentBag<LoopRecord> _loops = new ConcurrentBag<LoopRecord>();
            private readonly ConcurrentDictionary<string, AgentCallClassifier> _classifiers = new ConcurrentDictionary<string, AgentCallClassifier>(StringComparer.Ordinal);
            private readonly AgentCallClassifier _unconfigured;

            public CompilationState(AgentSymbols symbols, ModelApis frameworks, InputApis input, Lazy<bool> policyCapsEveryTier)
            {
                _symbols = symbols;
                _frameworks = frameworks;
                _input = input;
                _policyCapsEveryTier = policyCapsEveryTier;
                _unconfigured = new AgentCallClassifier(symbols, frameworks, null, input);
            }

            public void Collect(OperationBlockAnalysisContext context)
            {
                IMethodSymbol? owner = context.OwningSymbol is IMethodSymbol method ? AgentSymbols.Normalize(method) : null;
                var ownerRegion = new Region();
                AgentCallClassifier classifier = Classifier(context);
                foreach (IOperation block in context.OperationBlocks)
                {
                    IOperation root = Root(block);
                    var walker = new RegionWalker(classifier, root);
                    Region region = walker.Walk(new[] { block });
                    ownerRegion.AgentCalls.AddRange(region.AgentCalls);
                    ownerRegion.Calls.AddRange(region.Calls);

                    foreach (IMethodSymbol escaping in walker.EscapingTargets())
                    {
                        _escaping[escaping] = true;
                    }

                    // The walker found the block's local functions and loops in its one pass over the tree. A method's
                    // body block sits under its IMethodBodyOperation (a constructor's under its IConstructorBodyOperation):
                    // then only those inside the block count, in the same pre-order, without walking the block again.
                    bool whole = ReferenceEquals(root, block);
                    IEnumerable<ILocalFunctionOperation> localFunctions = whole ? walker.LocalFunctions : walker.LocalFunctions.Where(f => IsWithin(f, block));
                    IEnumerable<ILoopOperation> loops = whole ? walker.Loops : walker.Loops.Where(l => IsWithin(l, block));
                    if (owner != null)
                    {
                        foreach (ILocalFunctionOperation localFunction in localFunctions)
                        {
                            context.CancellationToken.ThrowIfCancellationRequested();
                            IMethodSymbol symbol = AgentSymbols.Normalize(localFunction.Symbol);
                            var body = new List<IOperation>();
                            if (localFunction.Body != null)
                            {
                                body.Add(localFunction.Body);
                            }
                            else if (localFunction.IgnoredBody != null)
                            {
                                body.Add(localFunction.IgnoredBody);
                            }

                            _nodes[symbol] = new FunctionNode(symbol, owner, walker.Walk(body));
                        }
                    }

                    foreach (ILoopOperation loop in loops)
                    {
                        context.CancellationToken.ThrowIfCancellationRequested();
                        CollectLoop(loop, root, walker, classifier, owner);
                    }
                }

                if (owner == null)
                {
                    // A field or property initializer: whatever it calls runs from code the graph does not see.
                    foreach (CallEdge call in ownerRegion.Calls)
                    {
                        _escaping[call.Target] = true;
                    }
                }
                else
                {
                    _nodes[owner] = new FunctionNode(owner, owner, ownerRegion);
                }
            }

            /// <summary>
            /// The block's classifier: the compilation's frameworks plus the model methods configured for its file. One
            /// per distinct configuration, shared by the blocks that have it, so what it learns about a call target
            /// (its cached description) is learnt once per compilation.
            /// </summary>
            private AgentCallClassifier Classifier(OperationBlockAnalysisContext context)
            {
                SyntaxTree? tree = context.OperationBlocks.Length > 0 ? context.OperationBlocks[0].Syntax.SyntaxTree : null;
                AnalyzerConfigOptionsProvider provider = context.Options.AnalyzerConfigOptionsProvider;
                string? value = null;
                if ((tree != null && provider.GetOptions(tree).TryGetValue(WellKnownNames.ModelMethodsOption, out value))
                    || provider.GlobalOptions.TryGetValue(WellKnownNames.ModelMethodsOption, out value))
                {
                    Compilation compilation = _symbols.Compilation;
                    ModelMethodsOption option = _configured.GetOrAdd(value!, v => ModelMethodsOption.Resolve(v, compilation));
                    if (!option.Apis.IsEmpty)
                    {
                        return _classifiers.GetOrAdd(value!, _ => new AgentCallClassifier(_symbols, _frameworks, option.Apis, _input));
                    }
                }

                return _unconfigured;
            }

            private void CollectLoop(ILoopOperation loop, IOperation root, RegionWalker walker, AgentCallClassifier classifier, IMethodSymbol? blockOwner)
            {
                if (LoopBounds.IsBounded(loop, root, out string? why))
                {
                    return;
                }

                Region region = walker.Walk(LoopBounds.RepeatedParts(loop), repeatedOnly: true);
                if (region.AgentCalls.Count == 0 && region.Calls.Count == 0)
                {
                    return; // not an agent loop: it calls nothing that could reach a model or a tool
                }

                IMethodSymbol? owner = blockOwner;
                if (walker.IsInStoredLambda(loop))
                {
                    owner = null;
                }
                else
                {
                    for (IOperation? current = loop.Parent; current != null; current = current.Parent)
                    {
                        if (current is ILocalFunctionOperation localFunction)
                        {
                            owner = blockOwner == null ? null : AgentSymbols.Normalize(localFunction.Symbol);
                            break;
                        }
                    }
                }

                string? inputWait = region.InputWaits.OrderBy(w => w.Location.SourceSpan.Start).FirstOrDefault()?.Description
                    ?? (loop is IForEachLoopOperation forEach && forEach.IsAsynchronous ? classifier.DescribeInputStream(forEach.Collection) : null);
                _loops.Add(new LoopRecord(KindOf(loop), inputWait == null ? why : null, inputWait, KeywordLocation(loop), loop.Syntax.GetLocation(), owner, region));
            }

            public void Report(CompilationAnalysisContext context)
            {
                ReportOptionProblems(context);
                // The graph asks HasCap of the same methods many times (once per call edge): answer each once.
                var caps = new Dictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
                Func<IMethodSymbol, bool> hasCap = method =>
                {
                    if (!caps.TryGetValue(method, out bool capped))
                    {
                        capped = HasCap(method);
                        caps.Add(method, capped);
                    }

                    return capped;
                };
                var graph = new AgentCallGraph(_nodes, _escaping, hasCap, _symbols.Compilation);
                var reported = new List<LoopRecord>();
                foreach (LoopRecord loop in _loops.OrderBy(l => l.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(l => l.Location.SourceSpan.Start))
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    if (loop.Owner != null && !graph.IsExposed(loop.Owner))
                    {
                        continue; // runs only under an [AgentLoop] cap
                    }

                    string? agentCall = graph.FirstAgentCall(loop.Region);
                    if (agentCall == null)
                    {
                        continue;
                    }

                    if (reported.Any(outer => IsNestedIn(loop, outer)))
                    {
                        continue; // the cap that fixes the reported loop around it covers this one too
                    }

                    reported.Add(loop);

                    FunctionNode? node = loop.Owner == null ? null : graph.Node(loop.Owner);
                    string subject = "This " + loop.Kind + (loop.Why == null ? string.Empty : " " + loop.Why);
                    string does = loop.InputWait == null
                        ? agentCall
                        : "waits for input each turn ('" + loop.InputWait + "') and " + agentCall
                            + ", so it runs as long as input keeps coming (a person can go on forever) and every turn spends budget";
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.UnboundedAgentLoop,
                        loop.Location,
                        Properties(node),
                        subject,
                        does,
                        Remedy(node, loop: true, interactive: loop.InputWait != null)));
                }

                foreach (AgentCallGraph.Cycle cycle in graph.AgentCycles())
                {
                    FunctionNode node = graph.Node(cycle.From)!;
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.UnboundedAgentLoop,
                        cycle.Edge.Location,
                        Properties(node),
                        "This recursion (" + cycle.Path + ")",
                        cycle.AgentCall,
                        Remedy(node, loop: false, interactive: false)));
                }
            }

            /// <summary>Whether the loop runs inside <paramref name="outer"/>, in the same function.</summary>
            private static bool IsNestedIn(LoopRecord loop, LoopRecord outer) =>
                loop.Extent.SourceTree == outer.Extent.SourceTree
                && outer.Extent.SourceSpan.Contains(loop.Extent.SourceSpan)
                && SymbolEqualityComparer.Default.Equals(loop.Owner, outer.Owner);

            /// <summary>Each wrong agentquotas.model_methods entry once, in a stable order.</summary>
            private void ReportOptionProblems(CompilationAnalysisContext context)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, string> problem in _configured.Values
                    .SelectMany(o => o.Problems)
                    .OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (seen.Add(problem.Key))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidModelMethodsOption, Location.None, problem.Key, problem.Value));
                    }
                }
            }

            private ImmutableDictionary<string, string?> Properties(FunctionNode? node)
            {
                bool uncapped = node != null && AgentSymbols.FindAttribute(node.Member, _symbols.AgentLoop) != null;
                return ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.HasUncappedAgentLoop, uncapped ? "true" : "false");
            }

            private string Remedy(FunctionNode? node, bool loop, bool interactive)
            {
                string bound = loop && !interactive ? "give it a constant bound or " : string.Empty;
                string ends = interactive ? " to end the conversation after that many turns" : string.Empty;
                if (node == null || !CanCarryAttribute(node.Member))
                {
                    return bound + "move it into a method capped with [AgentLoop(MaxIterations = ...)]" + ends;
                }

                string member = "'" + node.Member.Name + "'";
                string where = node.IsLocalFunction ? "its method " + member : member;
                string note = node.IsLocalFunction && AgentSymbols.FindAttribute(node.Symbol, _symbols.AgentLoop) != null
                    ? " ([AgentLoop] on local function '" + node.Symbol.Name + "' is not enforced: calls to local functions cannot be intercepted)"
                    : string.Empty;
                if (AgentSymbols.FindAttribute(node.Member, _symbols.AgentLoop) != null)
                {
                    return bound + "set a cap on the [AgentLoop] of " + where + " (it sets none, and not every tier of the policy caps runs)" + ends + note;
                }

                return bound + "cap " + where + " with [AgentLoop(MaxIterations = ...)]" + ends + note;
            }

            /// <summary>Whether a developer can put [AgentLoop] on the member (not a constructor, accessor or top-level statements).</summary>
            private static bool CanCarryAttribute(IMethodSymbol member) =>
                member.MethodKind == MethodKind.Ordinary && !member.IsImplicitlyDeclared && member.Name.IndexOf('<') < 0;

            /// <summary>Whether the method carries an [AgentLoop] that bounds its run: a cap of its own, or the policy caps every tier.</summary>
            private bool HasCap(IMethodSymbol method)
            {
                if (method.MethodKind == MethodKind.LocalFunction)
                {
                    return false; // calls to local functions cannot be intercepted, so their [AgentLoop] is not enforced
                }

                AttributeData? attribute = AgentSymbols.FindAttribute(method, _symbols.AgentLoop);
                if (attribute == null)
                {
                    return false;
                }

                foreach (string name in CapNames)
                {
                    TypedConstant? value = AgentSymbols.NamedArgument(attribute, name);
                    if (value.HasValue && NumericConstants.TryGetDouble(value.Value, out double cap) && cap > 0)
                    {
                        return true;
                    }
                }

                return _policyCapsEveryTier.Value;
            }

            /// <summary>Whether <paramref name="operation"/> is <paramref name="block"/> or one of its descendants.</summary>
            private static bool IsWithin(IOperation operation, IOperation block)
            {
                for (IOperation? current = operation; current != null; current = current.Parent)
                {
                    if (ReferenceEquals(current, block))
                    {
                        return true;
                    }
                }

                return false;
            }

            private static IOperation Root(IOperation operation)
            {
                while (operation.Parent != null)
                {
                    operation = operation.Parent;
                }

                return operation;
            }

            private static string KindOf(ILoopOperation loop)
            {
                switch (loop)
                {
                    case IWhileLoopOperation whileLoop:
                        return whileLoop.ConditionIsTop ? "while loop" : "do-while loop";
                    case IForLoopOperation _:
                        return "for loop";
                    case IForEachLoopOperation forEach:
                        return forEach.IsAsynchronous ? "await foreach loop" : "foreach loop";
                    default:
                        return "loop";
                }
            }

            private static Location KeywordLocation(ILoopOperation loop)
            {
                switch (loop.Syntax)
                {
                    case WhileStatementSyntax whileStatement:
                        return whileStatement.WhileKeyword.GetLocation();
                    case DoStatementSyntax doStatement:
                        return doStatement.DoKeyword.GetLocation();
                    case ForStatementSyntax forStatement:
                        return forStatement.ForKeyword.GetLocation();
                    case CommonForEachStatementSyntax forEach:
                        return forEach.ForEachKeyword.GetLocation();
                    default:
                        return loop.Syntax.GetLocation();
                }
            }
        }
    }
}
