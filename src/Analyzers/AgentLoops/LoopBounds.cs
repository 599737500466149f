using System.Collections.Generic;
using System.Linq;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>
    /// Decides whether a loop bounds itself: a counting for loop whose bound is a constant, comes from no
    /// parameter and does not change inside the loop, or is the size of a collection the loop cannot change;
    /// or a synchronous foreach over a finite collection. While and do loops, for(;;) and anything else do not.
    /// docs/rules/AQ0003.md ("What counts as bounded") states the same rules for users.
    /// </summary>
    internal static class LoopBounds
    {
        private const int MaxDepth = 8;

        /// <summary>The parts of the loop that run on every iteration.</summary>
        public static IEnumerable<IOperation> RepeatedParts(ILoopOperation loop)
        {
            switch (loop)
            {
                case IWhileLoopOperation whileLoop:
                    if (whileLoop.Condition != null)
                    {
                        yield return whileLoop.Condition;
                    }

                    yield return whileLoop.Body;
                    break;
                case IForLoopOperation forLoop:
                    if (forLoop.Condition != null)
                    {
                        yield return forLoop.Condition;
                    }

                    yield return forLoop.Body;
                    foreach (IOperation bottom in forLoop.AtLoopBottom)
                    {
                        yield return bottom;
                    }

                    break;
                default:
                    yield return loop.Body; // foreach: the collection is evaluated once
                    break;
            }
        }

        /// <summary>Whether the loop is bounded; when it is not, <paramref name="why"/> may say why in a few words.</summary>
        public static bool IsBounded(ILoopOperation loop, IOperation root, out string? why)
        {
            why = null;
            switch (loop)
            {
                case IForEachLoopOperation forEach:
                    if (forEach.IsAsynchronous)
                    {
                        why = "over an asynchronous stream";
                        return false;
                    }

                    if (IsFinite(forEach.Collection, root, RepeatedParts(loop).ToList(), 0))
                    {
                        return true;
                    }

                    string? sequence = Unwrap(forEach.Collection).Type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    why = "over " + (string.IsNullOrEmpty(sequence) ? "a sequence" : "'" + sequence + "'") + " (which may never end)";
                    return false;
                case IForLoopOperation forLoop:
                    return IsBoundedFor(forLoop, root, out why);
                case IWhileLoopOperation whileLoop:
                    return IsCountedWhile(whileLoop, root);
                default:
                    return false;
            }
        }

        private static bool IsBoundedFor(IForLoopOperation loop, IOperation root, out string? why)
        {
            why = null;
            if (loop.Condition == null)
            {
                why = "with no condition";
                return false;
            }

            if (!(Unwrap(loop.Condition) is IBinaryOperation comparison))
            {
                why = "whose condition is not a comparison of its counter with a bound";
                return false;
            }

            BinaryOperatorKind kind = comparison.OperatorKind;
            ILocalSymbol? counter;
            IOperation bound;
            if (Unwrap(comparison.LeftOperand) is ILocalReferenceOperation left && loop.Locals.Contains(left.Local, SymbolEqualityComparer.Default))
            {
                counter = left.Local;
                bound = comparison.RightOperand;
            }
            else if (Unwrap(comparison.RightOperand) is ILocalReferenceOperation right && loop.Locals.Contains(right.Local, SymbolEqualityComparer.Default))
            {
                counter = right.Local;
                bound = comparison.LeftOperand;
                kind = Mirror(kind);
            }
            else
            {
                why = "whose condition does not compare a counter declared in the loop";
                return false;
            }

            double step = Step(loop, counter);
            bool rising = step > 0 && (kind == BinaryOperatorKind.LessThan || kind == BinaryOperatorKind.LessThanOrEqual || (kind == BinaryOperatorKind.NotEquals && step == 1));
            bool falling = step < 0 && (kind == BinaryOperatorKind.GreaterThan || kind == BinaryOperatorKind.GreaterThanOrEqual || (kind == BinaryOperatorKind.NotEquals && step == -1));
            if (!rising && !falling)
            {
                why = "whose counter '" + counter.Name + "' does not move towards its bound by a constant step";
                return false;
            }

            if (LocalWrites.IsWrittenIn(counter, new[] { loop.Body }))
            {
                why = "whose counter '" + counter.Name + "' is changed inside the loop";
                return false;
            }

            if (bound.ConstantValue.HasValue)
            {
                return true;
            }

            List<IOperation> repeated = RepeatedParts(loop).ToList();
            string? problem = BoundProblem(bound, root, repeated, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0);
            if (problem != null)
            {
                why = "whose bound " + problem;
                return false;
            }

            return true;
        }

        /// <summary>
        /// A while or do loop that counts its turns: its condition is, or is a conjunction (&amp;&amp;) containing, a
        /// comparison of a local declared outside the loop with a bound, and the body's own top-level statements
        /// move that local towards the bound by a constant (<c>iteration++</c>) exactly once per turn, with no
        /// other write to it in the loop and no <c>continue</c> (which could skip the step). The bound must be
        /// constant or parameter-free as for a for loop. <c>while (!done &amp;&amp; turn &lt; MaxTurns) { ...; turn++; }</c>.
        /// </summary>
        private static bool IsCountedWhile(IWhileLoopOperation loop, IOperation root)
        {
            if (loop.Condition == null || !(loop.Body is IBlockOperation body)
                || loop.Body.Descendants().OfType<IBranchOperation>().Any(b => b.BranchKind == BranchKind.Continue && SymbolEqualityComparer.Default.Equals(b.Target, loop.ContinueLabel)))
            {
                return false;
            }

            List<IOperation> repeated = RepeatedParts(loop).ToList();
            foreach (IBinaryOperation comparison in Conjuncts(loop.Condition).OfType<IBinaryOperation>())
            {
                BinaryOperatorKind kind = comparison.OperatorKind;
                IOperation bound;
                ILocalSymbol counter;
                if (Unwrap(comparison.LeftOperand) is ILocalReferenceOperation left)
                {
                    counter = left.Local;
                    bound = comparison.RightOperand;
                }
                else if (Unwrap(comparison.RightOperand) is ILocalReferenceOperation right)
                {
                    counter = right.Local;
                    bound = comparison.LeftOperand;
                    kind = Mirror(kind);
                }
                else
                {
                    continue;
                }

                double step = 0;
                foreach (IOperation statement in body.Operations)
                {
                    IOperation operation = statement is IExpressionStatementOperation expression ? expression.Operation : statement;
                    double moved = StepOf(operation, counter);
                    if (moved != 0)
                    {
                        step = step == 0 ? moved : double.NaN; // more than one step: not a simple count
                    }
                }

                bool rising = step > 0 && (kind == BinaryOperatorKind.LessThan || kind == BinaryOperatorKind.LessThanOrEqual);
                bool falling = step < 0 && (kind == BinaryOperatorKind.GreaterThan || kind == BinaryOperatorKind.GreaterThanOrEqual);
                if ((!rising && !falling)
                    || WritesOf(counter, repeated) != 1
                    || (!bound.ConstantValue.HasValue && BoundProblem(bound, root, repeated, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0) != null))
                {
                    continue;
                }

                return true;
            }

            return false;
        }

        private static IEnumerable<IOperation> Conjuncts(IOperation condition)
        {
            IOperation value = Unwrap(condition);
            if (value is IBinaryOperation and && and.OperatorKind == BinaryOperatorKind.ConditionalAnd)
            {
                return Conjuncts(and.LeftOperand).Concat(Conjuncts(and.RightOperand));
            }

            return new[] { value };
        }

        /// <summary>
        /// The constant an operation moves the counter by (<c>i++</c>, <c>i -= 2</c>); NaN when it changes the
        /// counter with a constant some other way (<c>i *= 2</c>); 0 when it is not such a step.
        /// </summary>
        private static double StepOf(IOperation operation, ILocalSymbol counter)
        {
            switch (operation)
            {
                case IIncrementOrDecrementOperation increment when IsCounter(increment.Target, counter):
                    return operation.Kind == OperationKind.Increment ? 1 : -1;
                case ICompoundAssignmentOperation compound when IsCounter(compound.Target, counter)
                    && NumericConstants.TryGetDouble(compound.Value.ConstantValue.HasValue ? compound.Value.ConstantValue.Value : null, out double amount)
                    && !double.IsNaN(amount) && !double.IsInfinity(amount):
                    return compound.OperatorKind == BinaryOperatorKind.Add ? amount : compound.OperatorKind == BinaryOperatorKind.Subtract ? -amount : double.NaN;
                default:
                    return 0;
            }
        }

        private static int WritesOf(ILocalSymbol local, List<IOperation> parts)
        {
            int writes = 0;
            foreach (IOperation part in parts)
            {
                foreach (IOperation operation in part.DescendantsAndSelf())
                {
                    if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                        && (IsVariableWrite(reference) || reference.Parent is IIncrementOrDecrementOperation))
                    {
                        writes++;
                    }
                }
            }

            return writes;
        }

        /// <summary>
        /// Why the bound is not fixed during the loop and free of parameters, or null when it is. The size of a
        /// collection the loop cannot change (<see cref="CollectionSize"/>) is a bound wherever the collection came
        /// from, a parameter included: an in-memory collection is finite.
        /// </summary>
        private static string? BoundProblem(IOperation bound, IOperation root, List<IOperation> loopParts, HashSet<ILocalSymbol> visiting, int depth)
        {
            if (bound.ConstantValue.HasValue)
            {
                return null;
            }

            if (depth > MaxDepth)
            {
                return "comes from too far away to check";
            }

            var pending = new Stack<IOperation>();
            pending.Push(bound);
            while (pending.Count > 0)
            {
                IOperation operation = pending.Pop();
                if (operation.ConstantValue.HasValue)
                {
                    continue;
                }

                IOperation? collection = CollectionSize(operation);
                if (collection != null)
                {
                    string? change = CollectionChange(collection, loopParts);
                    if (change != null)
                    {
                        return change;
                    }

                    continue; // the size of a collection the loop leaves alone: a bound, whatever it was built from
                }

                switch (operation)
                {
                    case IParameterReferenceOperation parameter:
                        return "depends on parameter '" + parameter.Parameter.Name + "'";
                    case ILocalReferenceOperation local:
                        string? problem = LocalProblem(local.Local, root, loopParts, visiting, depth);
                        if (problem != null)
                        {
                            return problem;
                        }

                        break;
                    case IMemberReferenceOperation member when depth == 0:
                        if (ChangesInLoop(member, loopParts))
                        {
                            return "reads '" + member.Member.Name + "', which may change inside the loop";
                        }

                        break;
                }

                foreach (IOperation child in operation.ChildOperations)
                {
                    pending.Push(child);
                }
            }

            return null;
        }

        private static string? LocalProblem(ILocalSymbol local, IOperation root, List<IOperation> loopParts, HashSet<ILocalSymbol> visiting, int depth)
        {
            if (!visiting.Add(local))
            {
                return null;
            }

            if (LocalWrites.IsWrittenIn(local, loopParts))
            {
                return "uses '" + local.Name + "', which changes inside the loop";
            }

            List<IOperation> sources = LocalWrites.SourcesOf(local, root, out bool complete);
            if (!complete)
            {
                return "uses '" + local.Name + "', whose value cannot be traced";
            }

            foreach (IOperation source in sources)
            {
                string? inner = BoundProblem(source, root, loopParts, visiting, depth + 1);
                if (inner != null)
                {
                    return depth == 0 && !inner.StartsWith("uses", System.StringComparison.Ordinal)
                        ? "uses '" + local.Name + "', which " + inner
                        : inner;
                }
            }

            return null;
        }

        /// <summary>
        /// The collection whose size the operation reads, or null: <c>c.Count</c> or <c>c.Length</c> on a finite
        /// collection type (<see cref="HasFiniteType"/>), or LINQ's <c>c.Count()</c> over one, where <c>c</c> is a
        /// parameter, a local or a field.
        /// </summary>
        private static IOperation? CollectionSize(IOperation operation)
        {
            IOperation? collection = null;
            switch (Unwrap(operation))
            {
                case IPropertyReferenceOperation property when property.Instance != null
                    && (property.Property.Name == "Count" || property.Property.Name == "Length")
                    && property.Arguments.Length == 0:
                    collection = property.Instance;
                    break;
                case IInvocationOperation invocation when IsLinq(invocation.TargetMethod)
                    && invocation.TargetMethod.Name == "Count"
                    && invocation.Arguments.Length == 1:
                    collection = invocation.Arguments[0].Value;
                    break;
            }

            if (collection == null)
            {
                return null;
            }

            IOperation receiver = Unwrap(collection);
            bool named = receiver is IParameterReferenceOperation || receiver is ILocalReferenceOperation || receiver is IFieldReferenceOperation;
            return named && HasFiniteType(receiver.Type) ? receiver : null;
        }

        /// <summary>
        /// How the loop may change the collection's size, or null when it cannot: the variable is assigned (or
        /// passed by ref), or, for a collection whose static type allows changes, an adding or removing method
        /// is called on it (Add, Insert, Remove, Clear, Push, Pop, Enqueue, Dequeue, Take, Try...) or it is passed
        /// to a parameter through which it could be changed. Arrays, strings, spans, immutable and read-only
        /// collection types cannot change size through the variable. Writing an element (<c>c[i] = x</c>) does
        /// not change the size, so it does not count.
        /// </summary>
        private static string? CollectionChange(IOperation receiver, List<IOperation> loopParts)
        {
            ISymbol? symbol = SymbolOf(receiver);
            if (symbol == null)
            {
                return "reads the size of a collection the loop may replace";
            }

            bool fixedSize = IsFixedSize(receiver.Type);
            foreach (IOperation part in loopParts)
            {
                foreach (IOperation operation in part.DescendantsAndSelf())
                {
                    if (IsReference(operation, symbol) && IsVariableWrite(operation))
                    {
                        return "reads the size of '" + symbol.Name + "', which is replaced inside the loop";
                    }

                    if (fixedSize)
                    {
                        continue;
                    }

                    if (operation is IInvocationOperation invocation && invocation.Instance != null
                        && IsReference(Unwrap(invocation.Instance), symbol) && IsSizeChanging(invocation.TargetMethod.Name))
                    {
                        return "reads '" + CountName(receiver) + "' of '" + symbol.Name + "', which may change inside the loop";
                    }

                    if (operation is IArgumentOperation argument && IsReference(Unwrap(argument.Value), symbol)
                        && argument.Parameter != null && !IsReadOnlyView(argument.Parameter.Type))
                    {
                        return "reads '" + CountName(receiver) + "' of '" + symbol.Name + "', which may change inside the loop";
                    }
                }
            }

            return null;
        }

        private static string CountName(IOperation receiver) => receiver.Type?.TypeKind == TypeKind.Array ? "Length" : "Count";

        private static bool IsReference(IOperation operation, ISymbol symbol) =>
            (operation is ILocalReferenceOperation || operation is IParameterReferenceOperation || operation is IFieldReferenceOperation)
            && SymbolEqualityComparer.Default.Equals(SymbolOf(operation), symbol);

        private static bool IsVariableWrite(IOperation reference)
        {
            IOperation? parent = reference.Parent;
            while (parent is IConversionOperation)
            {
                reference = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IDeconstructionAssignmentOperation deconstruction:
                    return deconstruction.Target.DescendantsAndSelf().Contains(reference);
                case IAssignmentOperation assignment:
                    return assignment.Target == reference;
                case IArgumentOperation argument:
                    return argument.Parameter != null && (argument.Parameter.RefKind == RefKind.Ref || argument.Parameter.RefKind == RefKind.Out);
                case ITupleOperation tuple:
                    return tuple.Parent is IDeconstructionAssignmentOperation outer && outer.Target == tuple;
                default:
                    return false;
            }
        }

        private static readonly string[] SizeChangingPrefixes =
        {
            "Add", "Insert", "Remove", "Clear", "Push", "Pop", "Enqueue", "Dequeue", "Take", "TryAdd", "TryRemove", "TryDequeue", "TryPop", "TryTake", "GetOrAdd",
        };

        private static bool IsSizeChanging(string name) => SizeChangingPrefixes.Any(p => name.StartsWith(p, System.StringComparison.Ordinal));

        /// <summary>Types whose size cannot change through a variable of that type: arrays, strings, spans, immutable and read-only collections.</summary>
        private static bool IsFixedSize(ITypeSymbol? type)
        {
            if (type == null)
            {
                return false;
            }

            if (type.TypeKind == TypeKind.Array || type.SpecialType == SpecialType.System_String)
            {
                return true;
            }

            string name = type.OriginalDefinition.Name;
            string? space = type.ContainingNamespace?.ToDisplayString();
            return (space == "System" && (name == "Span" || name == "ReadOnlySpan" || name == "Memory" || name == "ReadOnlyMemory"))
                || space == "System.Collections.Immutable"
                || (space == "System.Collections.Generic" && name.StartsWith("IReadOnly", System.StringComparison.Ordinal))
                || (space == "System.Collections.ObjectModel" && name.StartsWith("ReadOnly", System.StringComparison.Ordinal));
        }

        /// <summary>Parameter types through which a collection cannot be changed: sequences, read-only views, object, fixed-size types.</summary>
        private static bool IsReadOnlyView(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Object
                || type.SpecialType == SpecialType.System_Collections_IEnumerable
                || type.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                || type.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IReadOnlyCollection_T
                || type.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IReadOnlyList_T)
            {
                return true;
            }

            return IsFixedSize(type) || (type.OriginalDefinition.Name == "IAsyncEnumerable" && type.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic");
        }

        /// <summary>
        /// Whether the loop assigns the member, or calls a method on (or passes along) the object the member is
        /// read from: <c>i &lt; messages.Count</c> with <c>messages.Add(...)</c> in the body is not a bound.
        /// </summary>
        private static bool ChangesInLoop(IMemberReferenceOperation member, List<IOperation> loopParts)
        {
            ISymbol? receiver = SymbolOf(member.Instance);
            foreach (IOperation part in loopParts)
            {
                foreach (IOperation operation in part.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case IAssignmentOperation assignment when Unwrap(assignment.Target) is IMemberReferenceOperation target
                            && SymbolEqualityComparer.Default.Equals(target.Member, member.Member):
                            return true;
                        case IIncrementOrDecrementOperation increment when Unwrap(increment.Target) is IMemberReferenceOperation target
                            && SymbolEqualityComparer.Default.Equals(target.Member, member.Member):
                            return true;
                        case IInvocationOperation invocation when receiver != null:
                            if (SymbolEqualityComparer.Default.Equals(SymbolOf(invocation.Instance), receiver)
                                || invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(SymbolOf(a.Value), receiver)))
                            {
                                return true;
                            }

                            break;
                    }
                }
            }

            return false;
        }

        private static ISymbol? SymbolOf(IOperation? operation)
        {
            switch (operation == null ? null : Unwrap(operation))
            {
                case ILocalReferenceOperation local:
                    return local.Local;
                case IFieldReferenceOperation field:
                    return field.Field;
                case IPropertyReferenceOperation property:
                    return property.Property;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                default:
                    return null;
            }
        }

        /// <summary>The constant the loop's increment section moves the counter by each iteration (negative: down); 0 when it is not a constant move.</summary>
        private static double Step(IForLoopOperation loop, ILocalSymbol counter)
        {
            double step = 0;
            foreach (IOperation bottom in loop.AtLoopBottom)
            {
                IOperation operation = bottom is IExpressionStatementOperation statement ? statement.Operation : bottom;
                double moved = StepOf(operation, counter);
                if (double.IsNaN(moved))
                {
                    return 0;
                }

                if (moved != 0)
                {
                    step += moved;
                }
                else if (operation.DescendantsAndSelf().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, counter)))
                {
                    return 0; // the counter moves some other way
                }
            }

            return step;
        }

        private static bool IsCounter(IOperation target, ILocalSymbol counter) =>
            Unwrap(target) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, counter);

        /// <summary>
        /// Arrays, strings, spans and collections with a count, LINQ over them, and Range / Repeat / Take with a
        /// parameter-free count; not streams or iterators.
        /// </summary>
        private static bool IsFinite(IOperation collection, IOperation root, List<IOperation> loopParts, int depth)
        {
            if (depth > MaxDepth)
            {
                return false;
            }

            IOperation value = Unwrap(collection);
            if (HasFiniteType(value.Type))
            {
                return true;
            }

            if (value is IInvocationOperation calls && IsFunctionCallsOfOneMessage(calls.TargetMethod))
            {
                return true;
            }

            if (value is IInvocationOperation invocation && IsLinq(invocation.TargetMethod))
            {
                string name = invocation.TargetMethod.Name;
                if (name == "Empty")
                {
                    return true;
                }

                IArgumentOperation? count = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "count");
                bool countIsBound = count != null
                    && BoundProblem(count.Value, root, loopParts, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0) == null;
                if (name == "Range" || name == "Repeat")
                {
                    return countIsBound;
                }

                // Every sequence the operator reads must itself be finite (Select, Where, Concat, OrderBy, ...);
                // Take and TakeLast also end after a fixed count.
                List<IArgumentOperation> sequences = invocation.Arguments.Where(a => IsSequence(a.Value)).ToList();
                bool sourcesFinite = sequences.Count > 0 && sequences.All(a => IsFinite(a.Value, root, loopParts, depth + 1));
                return sourcesFinite || ((name == "Take" || name == "TakeLast") && countIsBound);
            }

            if (value is ILocalReferenceOperation local)
            {
                List<IOperation> sources = LocalWrites.SourcesOf(local.Local, root, out bool complete);
                return complete && sources.Count > 0 && sources.All(s => IsFinite(s, root, loopParts, depth + 1));
            }

            return false;
        }

        private static bool HasFiniteType(ITypeSymbol? type)
        {
            if (type == null)
            {
                return false;
            }

            if (type.TypeKind == TypeKind.Array || type.SpecialType == SpecialType.System_String)
            {
                return true;
            }

            if (type is INamedTypeSymbol named && (named.Name == "Span" || named.Name == "ReadOnlySpan") && named.ContainingNamespace?.ToDisplayString() == "System")
            {
                return true;
            }

            return IsCountedCollection(type) || type.AllInterfaces.Any(IsCountedCollection);
        }

        private static bool IsCountedCollection(ITypeSymbol type)
        {
            ITypeSymbol definition = type.OriginalDefinition;
            if (definition.SpecialType == SpecialType.System_Collections_Generic_ICollection_T
                || definition.SpecialType == SpecialType.System_Collections_Generic_IReadOnlyCollection_T)
            {
                return true;
            }

            return definition.Name == "ICollection" && definition.ContainingNamespace?.ToDisplayString() == "System.Collections";
        }

        private static bool IsSequence(IOperation operation)
        {
            ITypeSymbol? type = Unwrap(operation).Type;
            return type != null && (type.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                || type.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                || type.AllInterfaces.Any(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T));
        }

        /// <summary>Semantic Kernel's FunctionCallContent.GetFunctionCalls(message): the function calls of one message, a finite list typed as a sequence.</summary>
        private static bool IsFunctionCallsOfOneMessage(IMethodSymbol method) =>
            method.IsStatic
            && method.Name == "GetFunctionCalls"
            && method.ContainingType?.Name == "FunctionCallContent"
            && method.ContainingNamespace?.ToDisplayString() == "Microsoft.SemanticKernel";

        private static bool IsLinq(IMethodSymbol method)
        {
            IMethodSymbol m = method.ReducedFrom ?? method;
            return m.ContainingType?.Name == "Enumerable" && m.ContainingNamespace?.ToDisplayString() == "System.Linq";
        }

        private static BinaryOperatorKind Mirror(BinaryOperatorKind kind)
        {
            switch (kind)
            {
                case BinaryOperatorKind.LessThan: return BinaryOperatorKind.GreaterThan;
                case BinaryOperatorKind.LessThanOrEqual: return BinaryOperatorKind.GreaterThanOrEqual;
                case BinaryOperatorKind.GreaterThan: return BinaryOperatorKind.LessThan;
                case BinaryOperatorKind.GreaterThanOrEqual: return BinaryOperatorKind.LessThanOrEqual;
                default: return kind;
            }
        }

        internal static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}
