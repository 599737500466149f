using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>
    /// Walks one operation block and says what a stretch of it does for the agent-loop rule. A stretch includes
    /// the lambdas it runs directly (invoked on the spot, through a local that is only ever invoked, or handed
    /// to a call as an argument), but not local functions (separate nodes, reached through call edges) and
    /// not lambdas stored for later (which run wherever they are called from).
    /// </summary>
    internal sealed class RegionWalker
    {
        private readonly AgentCallClassifier _classifier;
        private readonly AgentSymbols _symbols;
        private readonly IOperation _root;

        // Locals holding lambdas or method groups that are only ever invoked: their targets run where they are invoked.
        private readonly Dictionary<ILocalSymbol, List<IOperation>> _delegateLocals = new Dictionary<ILocalSymbol, List<IOperation>>(SymbolEqualityComparer.Default);
        private readonly HashSet<IAnonymousFunctionOperation> _localDelegateLambdas = new HashSet<IAnonymousFunctionOperation>();

        // What the one pass over the block found (in the order the block reads), so nothing walks it again.
        private readonly List<IOperation> _escapeCandidates = new List<IOperation>();
        private readonly List<ILocalFunctionOperation> _localFunctions = new List<ILocalFunctionOperation>();
        private readonly List<ILoopOperation> _loops = new List<ILoopOperation>();
        private bool _hasLambdas;

        public RegionWalker(AgentCallClassifier classifier, IOperation root)
        {
            _classifier = classifier;
            _symbols = classifier.Symbols;
            _root = root;
            Scan();
        }

        /// <summary>The block's local functions, outermost first.</summary>
        public IReadOnlyList<ILocalFunctionOperation> LocalFunctions => _localFunctions;

        /// <summary>The block's loops, outermost first.</summary>
        public IReadOnlyList<ILoopOperation> Loops => _loops;

        /// <summary>What the given parts of the block do, as one region.</summary>
        public Region Walk(IEnumerable<IOperation> parts) => Walk(parts, repeatedOnly: false);

        /// <summary>
        /// What the given parts of the block do, as one region. With <paramref name="repeatedOnly"/> (a loop's
        /// repeated parts), code in a <c>return</c> statement is left out: it ends the method, so it runs at most
        /// once however long the loop goes (<c>foreach (var d in handlers) if (d.IsMatch(uri)) return d.InvokeAsync();</c>).
        /// </summary>
        public Region Walk(IEnumerable<IOperation> parts, bool repeatedOnly)
        {
            var region = new Region();
            var visitedLambdas = new HashSet<IOperation>();
            foreach (IOperation part in parts)
            {
                Visit(part, region, visitedLambdas, repeatedOnly);
            }

            return region;
        }

        /// <summary>Whether a return statement leaves the walked part itself, not a lambda inside it.</summary>
        private static bool LeavesThePart(IReturnOperation exit, IOperation part)
        {
            if (exit.Kind != OperationKind.Return)
            {
                return false; // yield return hands out a value and continues
            }

            for (IOperation? current = exit.Parent; current != null && current != part; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Functions of the compilation that run from places the call graph cannot see: method groups (delegates)
        /// and calls inside stored lambdas. Their callers are unknown, so no [AgentLoop] covers them.
        /// </summary>
        public IEnumerable<IMethodSymbol> EscapingTargets()
        {
            foreach (IOperation operation in _escapeCandidates)
            {
                if (operation is IMethodReferenceOperation reference && !IsInNameOf(reference))
                {
                    yield return AgentSymbols.Normalize(reference.Method);
                }
                else if (operation is IInvocationOperation invocation && IsInStoredLambda(invocation))
                {
                    yield return AgentSymbols.Normalize(invocation.TargetMethod);
                }
            }
        }

        /// <summary>Whether the operation runs inside a lambda that is stored for later rather than run by this code.</summary>
        public bool IsInStoredLambda(IOperation operation)
        {
            if (!_hasLambdas)
            {
                return false; // no lambda anywhere in the block, so none above the operation
            }

            for (IOperation? current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation lambda && !IsRunDirectly(lambda))
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsRunDirectly(IAnonymousFunctionOperation lambda) => IsCountedPosition(lambda) || _localDelegateLambdas.Contains(lambda);

        private void Visit(IOperation operation, Region region, HashSet<IOperation> visitedLambdas, bool repeatedOnly)
        {
            var stack = new Stack<IOperation>();
            stack.Push(operation);
            while (stack.Count > 0)
            {
                IOperation current = stack.Pop();
                switch (current)
                {
                    case ILocalFunctionOperation _:
                    case INameOfOperation _:
                        continue;
                    case IReturnOperation exit when repeatedOnly && LeavesThePart(exit, operation):
                        continue;
                    case IAnonymousFunctionOperation lambda:
                        if (IsCountedPosition(lambda) && visitedLambdas.Add(lambda))
                        {
                            stack.Push(lambda.Body);
                        }

                        continue;
                    case IMethodReferenceOperation reference:
                        if (IsCountedPosition(reference))
                        {
                            // Handed to a call (Task.Run(StepAsync), retry.ExecuteAsync(tools.SearchAsync)): the callee runs it.
                            AddTarget(reference.Method, null, reference.Syntax.GetLocation(), region, "passes ", " to a call that runs it");
                        }

                        continue;
                    case IInvocationOperation invocation:
                        VisitInvocation(invocation, region, visitedLambdas, stack);
                        break;
                }

                foreach (IOperation child in current.ChildOperations)
                {
                    stack.Push(child);
                }
            }
        }

        private void VisitInvocation(IInvocationOperation invocation, Region region, HashSet<IOperation> visitedLambdas, Stack<IOperation> stack)
        {
            IMethodSymbol target = invocation.TargetMethod;
            if (target.MethodKind != MethodKind.DelegateInvoke)
            {
                AddTarget(target, invocation, invocation.Syntax.GetLocation(), region, "calls ", string.Empty);
                string? input = _classifier.DescribeInputWait(invocation);
                if (input != null)
                {
                    region.InputWaits.Add(new AgentCallSite(input, invocation.Syntax.GetLocation()));
                }

                return;
            }

            // step() where step holds a lambda or a method group: what it holds runs here.
            if (invocation.Instance != null
                && LoopBounds.Unwrap(invocation.Instance) is ILocalReferenceOperation local
                && _delegateLocals.TryGetValue(local.Local, out List<IOperation>? targets))
            {
                foreach (IOperation held in targets)
                {
                    if (held is IAnonymousFunctionOperation lambda)
                    {
                        if (visitedLambdas.Add(lambda))
                        {
                            stack.Push(lambda.Body);
                        }
                    }
                    else if (held is IMethodReferenceOperation reference)
                    {
                        AddTarget(reference.Method, null, invocation.Syntax.GetLocation(), region, "calls ", " through delegate '" + local.Local.Name + "'");
                    }
                }
            }
        }

        private void AddTarget(IMethodSymbol target, IInvocationOperation? invocation, Location location, Region region, string verb, string suffix)
        {
            string? agent = _classifier.DescribeAgentCall(target, invocation);
            if (agent != null)
            {
                region.AgentCalls.Add(new AgentCallSite(verb + agent + suffix, location));
            }

            IMethodSymbol normalized = AgentSymbols.Normalize(target);
            if (normalized.MethodKind == MethodKind.LocalFunction
                || SymbolEqualityComparer.Default.Equals(normalized.ContainingAssembly, _symbols.Compilation.Assembly))
            {
                region.Calls.Add(new CallEdge(normalized, location));
            }
        }

        /// <summary>A lambda or method group passed as an argument, or invoked on the spot.</summary>
        private static bool IsCountedPosition(IOperation operation)
        {
            IOperation child = operation;
            IOperation? parent = operation.Parent;
            while (parent is IDelegateCreationOperation || parent is IConversionOperation)
            {
                child = parent;
                parent = parent.Parent;
            }

            // Handed to a parameter typed by a type parameter (List<T>.Add, Queue<T>.Enqueue), it is data being
            // stored; so it is when the parameter is an untyped System.Delegate (AIFunctionFactory.Create,
            // KernelFunctionFactory.CreateFromMethod: a factory keeps it to call later, by reflection). Handed to
            // a delegate-typed parameter (Task.Run, a retry pipeline, LINQ), the callee runs it.
            if (parent is IArgumentOperation argument)
            {
                ITypeSymbol? type = argument.Parameter?.OriginalDefinition.Type;
                if (type != null && type.ContainingNamespace?.Name == "System" && type.ContainingNamespace.ContainingNamespace?.IsGlobalNamespace == true
                    && (type.Name == "Delegate" || type.Name == "MulticastDelegate"))
                {
                    return false;
                }

                return argument.Parameter == null
                    || !(argument.Parameter.OriginalDefinition.Type is ITypeParameterSymbol typeParameter)
                    || typeParameter.ContainingType?.TypeKind == TypeKind.Delegate;
            }

            return parent is IInvocationOperation invocation && invocation.Instance == child;
        }

        /// <summary>
        /// One pre-order pass over the whole block: delegate locals, the candidates for <see cref="EscapingTargets"/>,
        /// local functions and loops. (Each of these used to be a walk of its own.)
        /// </summary>
        private void Scan()
        {
            var localReferences = new List<ILocalReferenceOperation>();
            var stack = new Stack<IOperation>();
            stack.Push(_root);
            while (stack.Count > 0)
            {
                IOperation operation = stack.Pop();
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when declarator.Initializer != null:
                        AddDelegateLocal(declarator.Symbol, declarator.Initializer.Value);
                        break;
                    case ISimpleAssignmentOperation assignment when assignment.Target is ILocalReferenceOperation target:
                        AddDelegateLocal(target.Local, assignment.Value);
                        break;
                    case ILocalReferenceOperation reference:
                        localReferences.Add(reference);
                        break;
                    case IMethodReferenceOperation _:
                    case IInvocationOperation _:
                        _escapeCandidates.Add(operation);
                        break;
                    case IAnonymousFunctionOperation _:
                        _hasLambdas = true;
                        break;
                    case ILocalFunctionOperation localFunction:
                        _localFunctions.Add(localFunction);
                        break;
                    case ILoopOperation loop:
                        _loops.Add(loop);
                        break;
                }

                // Children pushed last-first, so they pop in source order (the order DescendantsAndSelf gives).
                foreach (IOperation child in operation.ChildOperations.Reverse())
                {
                    stack.Push(child);
                }
            }

            if (_delegateLocals.Count == 0)
            {
                return;
            }

            // A local that is used other than by being assigned or invoked may run its target anywhere.
            var escaped = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (ILocalReferenceOperation reference in localReferences)
            {
                if (!_delegateLocals.ContainsKey(reference.Local))
                {
                    continue;
                }

                bool assigned = reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference;
                bool invoked = reference.Parent is IInvocationOperation invocation
                    && invocation.Instance == reference
                    && invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke;
                if (!assigned && !invoked)
                {
                    escaped.Add(reference.Local);
                }
            }

            foreach (ILocalSymbol local in escaped)
            {
                _delegateLocals.Remove(local);
            }

            foreach (List<IOperation> targets in _delegateLocals.Values)
            {
                foreach (IAnonymousFunctionOperation lambda in targets.OfType<IAnonymousFunctionOperation>())
                {
                    _localDelegateLambdas.Add(lambda);
                }
            }
        }

        private void AddDelegateLocal(ILocalSymbol local, IOperation value)
        {
            IOperation held = value;
            while (held is IDelegateCreationOperation creation)
            {
                held = LoopBounds.Unwrap(creation.Target);
            }

            held = LoopBounds.Unwrap(held);
            if (!(held is IAnonymousFunctionOperation) && !(held is IMethodReferenceOperation))
            {
                return;
            }

            if (!_delegateLocals.TryGetValue(local, out List<IOperation>? targets))
            {
                targets = new List<IOperation>();
                _delegateLocals.Add(local, targets);
            }

            targets.Add(held);
        }

        private static bool IsInNameOf(IOperation operation)
        {
            for (IOperation? current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is INameOfOperation)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
