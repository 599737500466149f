using System;
using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>
    /// The compilation's call graph of methods and local functions, with the two questions AQ0003 asks of it:
    /// can this code run outside every [AgentLoop] cap ("exposed"), and which recursive cycles make agent calls.
    /// </summary>
    internal sealed class AgentCallGraph
    {
        private readonly Dictionary<IMethodSymbol, FunctionNode> _nodes;
        private readonly IReadOnlyDictionary<IMethodSymbol, bool> _escaping;
        private readonly Func<IMethodSymbol, bool> _hasCap;
        private readonly Compilation _compilation;
        private readonly HashSet<IMethodSymbol> _exposed = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, List<FunctionNode>> _localFunctions = new Dictionary<IMethodSymbol, List<FunctionNode>>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, int> _outsideCallers = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, string?> _methodAgentCalls = new Dictionary<IMethodSymbol, string?>(SymbolEqualityComparer.Default);

        public AgentCallGraph(IEnumerable<KeyValuePair<IMethodSymbol, FunctionNode>> nodes, IReadOnlyDictionary<IMethodSymbol, bool> escaping, Func<IMethodSymbol, bool> hasCap, Compilation compilation)
        {
            _nodes = nodes.ToDictionary<KeyValuePair<IMethodSymbol, FunctionNode>, IMethodSymbol, FunctionNode>(p => p.Key, p => p.Value, SymbolEqualityComparer.Default);
            _escaping = escaping;
            _hasCap = hasCap;
            _compilation = compilation;

            foreach (FunctionNode node in _nodes.Values)
            {
                if (node.IsLocalFunction)
                {
                    if (!_localFunctions.TryGetValue(node.Member, out List<FunctionNode>? list))
                    {
                        list = new List<FunctionNode>();
                        _localFunctions.Add(node.Member, list);
                    }

                    list.Add(node);
                }

                foreach (CallEdge call in node.Body.Calls)
                {
                    if (!SymbolEqualityComparer.Default.Equals(call.Target, node.Member))
                    {
                        _outsideCallers.TryGetValue(call.Target, out int count);
                        _outsideCallers[call.Target] = count + 1;
                    }
                }
            }

            ComputeExposure();
        }

        public FunctionNode? Node(IMethodSymbol symbol) => _nodes.TryGetValue(symbol, out FunctionNode? node) ? node : null;

        /// <summary>Whether code in this function can run with no [AgentLoop] cap above it.</summary>
        public bool IsExposed(IMethodSymbol function)
        {
            if (_nodes.ContainsKey(function))
            {
                return _exposed.Contains(function);
            }

            return !_hasCap(function);
        }

        /// <summary>
        /// The first agent call a loop's region makes: directly, or through the local functions and the methods of
        /// this compilation it calls (followed transitively: a chat loop that calls <c>ProcessAsync(input)</c>,
        /// which calls the model, is an agent loop), except into methods capped with [AgentLoop], each call of which
        /// is a run of its own. Null when none.
        /// </summary>
        public string? FirstAgentCall(Region region) => FirstAgentCall(region, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), followMethods: true);

        /// <summary>The first agent call a region makes directly or through local functions only (what a recursive cycle is judged by).</summary>
        private string? FirstLocalAgentCall(Region region) => FirstAgentCall(region, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), followMethods: false);

        private string? FirstAgentCall(Region region, HashSet<IMethodSymbol> visited, bool followMethods)
        {
            AgentCallSite? direct = region.AgentCalls.OrderBy(c => c.Location.SourceSpan.Start).FirstOrDefault();
            if (direct != null)
            {
                return direct.Description;
            }

            foreach (CallEdge call in region.Calls.OrderBy(c => c.Location.SourceSpan.Start))
            {
                bool local = call.Target.MethodKind == MethodKind.LocalFunction;
                if (!local && (!followMethods || _hasCap(call.Target)))
                {
                    continue; // a capped [AgentLoop] method starts a run of its own, bounded by its caps
                }

                FunctionNode? target = Node(call.Target);
                if (target == null || !visited.Add(call.Target))
                {
                    continue;
                }

                string? inner = local ? FirstAgentCall(target.Body, visited, followMethods) : MethodAgentCall(target, visited);
                if (inner != null)
                {
                    return (local ? "calls local function '" + call.Target.Name + "'" : "calls '" + AgentSymbols.Display(call.Target) + "'") + ", which " + inner;
                }
            }

            return null;
        }

        /// <summary>What a method of the compilation reaches, computed once per method (cycles cut where they close).</summary>
        private string? MethodAgentCall(FunctionNode method, HashSet<IMethodSymbol> visited)
        {
            if (_methodAgentCalls.TryGetValue(method.Symbol, out string? known))
            {
                return known;
            }

            string? found = FirstAgentCall(method.Body, visited, followMethods: true);
            _methodAgentCalls[method.Symbol] = found;
            return found;
        }

        /// <summary>Recursive cycles that make agent calls and can run outside every [AgentLoop] cap.</summary>
        public IEnumerable<Cycle> AgentCycles()
        {
            foreach (List<FunctionNode> component in StronglyConnectedComponents())
            {
                // Most components are one function that does not call itself: no set needed to see that.
                bool isCycle = component.Count > 1 || component[0].Body.Calls.Any(c => SymbolEqualityComparer.Default.Equals(c.Target, component[0].Symbol));
                if (!isCycle
                    || component.Any(n => !n.IsLocalFunction && _hasCap(n.Symbol))
                    || !component.Any(n => _exposed.Contains(n.Symbol)))
                {
                    continue;
                }

                var members = new HashSet<IMethodSymbol>(component.Select(n => n.Symbol), SymbolEqualityComparer.Default);
                List<FunctionNode> ordered = component.OrderBy(n => DeclarationKey(n.Symbol), StringComparer.Ordinal).ToList();
                string? agentCall = null;
                foreach (FunctionNode member in ordered)
                {
                    string? call = FirstLocalAgentCall(member.Body);
                    if (call != null)
                    {
                        agentCall = ordered.Count > 1 ? call + " (in '" + member.Symbol.Name + "')" : call;
                        break;
                    }
                }

                if (agentCall == null)
                {
                    continue;
                }

                FunctionNode from = ordered[0];
                CallEdge edge = from.Body.Calls.Where(c => members.Contains(c.Target)).OrderBy(c => c.Location.SourceSpan.Start).First();
                yield return new Cycle(from.Symbol, edge, PathOf(from, edge, members), agentCall);
            }
        }

        private string PathOf(FunctionNode from, CallEdge edge, HashSet<IMethodSymbol> members)
        {
            // Shortest way back from the edge's target to where the cycle starts.
            var previous = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default);
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(edge.Target);
            previous[edge.Target] = edge.Target;
            while (queue.Count > 0 && !previous.ContainsKey(from.Symbol))
            {
                IMethodSymbol current = queue.Dequeue();
                foreach (CallEdge next in _nodes[current].Body.Calls.OrderBy(c => c.Location.SourceSpan.Start))
                {
                    if (members.Contains(next.Target) && !previous.ContainsKey(next.Target))
                    {
                        previous[next.Target] = current;
                        queue.Enqueue(next.Target);
                    }
                }
            }

            var path = new List<string> { from.Symbol.Name };
            if (!SymbolEqualityComparer.Default.Equals(edge.Target, from.Symbol))
            {
                var back = new List<string>();
                for (IMethodSymbol step = from.Symbol; !SymbolEqualityComparer.Default.Equals(step, edge.Target); step = previous[step])
                {
                    back.Add(step.Name);
                }

                back.Add(edge.Target.Name);
                back.Reverse();
                path.AddRange(back);
            }
            else
            {
                path.Add(from.Symbol.Name);
            }

            return string.Join(" -> ", path);
        }

        private void ComputeExposure()
        {
            var queue = new Queue<FunctionNode>();
            foreach (FunctionNode node in _nodes.Values.Where(n => !n.IsLocalFunction))
            {
                if (IsEntry(node.Symbol) && !_hasCap(node.Symbol) && _exposed.Add(node.Symbol))
                {
                    queue.Enqueue(node);
                }
            }

            while (queue.Count > 0)
            {
                FunctionNode node = queue.Dequeue();
                if (!node.IsLocalFunction && _localFunctions.TryGetValue(node.Symbol, out List<FunctionNode>? locals))
                {
                    foreach (FunctionNode local in locals)
                    {
                        if (_exposed.Add(local.Symbol))
                        {
                            queue.Enqueue(local);
                        }
                    }
                }

                foreach (CallEdge call in node.Body.Calls)
                {
                    FunctionNode? target = Node(call.Target);
                    if (target != null && (target.IsLocalFunction || !_hasCap(target.Symbol)) && _exposed.Add(target.Symbol))
                    {
                        queue.Enqueue(target);
                    }
                }
            }
        }

        /// <summary>
        /// Whether a method can be entered from code the graph does not see: it is visible outside the assembly,
        /// dispatched virtually, an interface implementation, used as a delegate, not an ordinary method, or has
        /// no callers in the compilation.
        /// </summary>
        private bool IsEntry(IMethodSymbol method)
        {
            if (method.MethodKind != MethodKind.Ordinary
                || method.IsVirtual || method.IsOverride || method.IsAbstract
                || method.IsImplicitlyDeclared
                || _escaping.ContainsKey(method)
                || !_outsideCallers.ContainsKey(method)
                || IsVisibleOutsideAssembly(method)
                || method.ExplicitInterfaceImplementations.Length > 0)
            {
                return true;
            }

            INamedTypeSymbol type = method.ContainingType;
            foreach (INamedTypeSymbol @interface in type.AllInterfaces)
            {
                foreach (ISymbol member in @interface.GetMembers(method.Name))
                {
                    if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsVisibleOutsideAssembly(ISymbol symbol)
        {
            for (ISymbol? current = symbol; current != null && !(current is INamespaceSymbol); current = current.ContainingSymbol)
            {
                switch (current.DeclaredAccessibility)
                {
                    case Accessibility.Public:
                    case Accessibility.Protected:
                    case Accessibility.ProtectedOrInternal:
                        continue;
                    default:
                        return false;
                }
            }

            return true;
        }

        private IEnumerable<List<FunctionNode>> StronglyConnectedComponents()
        {
            // Tarjan's algorithm, iterative so deep call chains cannot overflow the stack.
            var index = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
            var lowLink = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
            var onStack = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var stack = new Stack<IMethodSymbol>();
            var components = new List<List<FunctionNode>>();
            int counter = 0;

            foreach (IMethodSymbol start in _nodes.Keys.OrderBy(DeclarationKey, StringComparer.Ordinal))
            {
                if (index.ContainsKey(start))
                {
                    continue;
                }

                var work = new Stack<(IMethodSymbol Node, int Next)>();
                work.Push((start, 0));
                index[start] = lowLink[start] = counter++;
                stack.Push(start);
                onStack.Add(start);
                while (work.Count > 0)
                {
                    (IMethodSymbol node, int next) = work.Pop();
                    List<CallEdge> calls = _nodes[node].Body.Calls;
                    bool descended = false;
                    for (int i = next; i < calls.Count; i++)
                    {
                        IMethodSymbol target = calls[i].Target;
                        if (!_nodes.ContainsKey(target))
                        {
                            continue;
                        }

                        if (!index.ContainsKey(target))
                        {
                            work.Push((node, i + 1));
                            work.Push((target, 0));
                            index[target] = lowLink[target] = counter++;
                            stack.Push(target);
                            onStack.Add(target);
                            descended = true;
                            break;
                        }

                        if (onStack.Contains(target))
                        {
                            lowLink[node] = Math.Min(lowLink[node], index[target]);
                        }
                    }

                    if (descended)
                    {
                        continue;
                    }

                    if (lowLink[node] == index[node])
                    {
                        var component = new List<FunctionNode>();
                        IMethodSymbol member;
                        do
                        {
                            member = stack.Pop();
                            onStack.Remove(member);
                            component.Add(_nodes[member]);
                        }
                        while (!SymbolEqualityComparer.Default.Equals(member, node));

                        components.Add(component);
                    }

                    if (work.Count > 0)
                    {
                        IMethodSymbol parent = work.Peek().Node;
                        lowLink[parent] = Math.Min(lowLink[parent], lowLink[node]);
                    }
                }
            }

            return components;
        }

        private static string DeclarationKey(IMethodSymbol method)
        {
            Location location = method.Locations.FirstOrDefault() ?? Location.None;
            return (location.SourceTree?.FilePath ?? string.Empty) + "\u0000" + location.SourceSpan.Start.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>A recursive cycle to report: where it closes, the path round it, and the agent call in it.</summary>
        public sealed class Cycle
        {
            public Cycle(IMethodSymbol from, CallEdge edge, string path, string agentCall)
            {
                From = from;
                Edge = edge;
                Path = path;
                AgentCall = agentCall;
            }

            public IMethodSymbol From { get; }

            public CallEdge Edge { get; }

            public string Path { get; }

            public string AgentCall { get; }
        }
    }
}
