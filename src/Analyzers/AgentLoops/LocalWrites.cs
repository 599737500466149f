using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>Where locals get their values inside one operation block: the little data flow the loop rules need.</summary>
    internal static class LocalWrites
    {
        /// <summary>
        /// The operations whose values flow into <paramref name="local"/> within <paramref name="root"/>: initializers,
        /// assignments, deconstructions, foreach collections, pattern inputs and calls that write it as ref/out.
        /// <paramref name="complete"/> is false when a write was found whose source is not understood.
        /// </summary>
        public static List<IOperation> SourcesOf(ILocalSymbol local, IOperation root, out bool complete)
        {
            var sources = new List<IOperation>();
            complete = true;
            foreach (IOperation operation in root.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        if (declarator.Initializer != null)
                        {
                            sources.Add(declarator.Initializer.Value);
                        }

                        break;
                    case IForEachLoopOperation loop when loop.Locals.Contains(local, SymbolEqualityComparer.Default):
                        sources.Add(loop.Collection);
                        break;
                    case IDeclarationPatternOperation pattern when SymbolEqualityComparer.Default.Equals(pattern.DeclaredSymbol, local):
                        IOperation? input = PatternInput(pattern);
                        if (input == null)
                        {
                            complete = false;
                        }
                        else
                        {
                            sources.Add(input);
                        }

                        break;
                    case ILocalReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Local, local):
                        IOperation? source = WriteSource(reference, out bool understood);
                        if (!understood)
                        {
                            complete = false;
                        }
                        else if (source != null)
                        {
                            sources.Add(source);
                        }

                        break;
                }
            }

            return sources;
        }

        /// <summary>Whether the local is written anywhere in <paramref name="region"/>.</summary>
        public static bool IsWrittenIn(ILocalSymbol local, IEnumerable<IOperation> region)
        {
            foreach (IOperation part in region)
            {
                foreach (IOperation operation in part.DescendantsAndSelf())
                {
                    if (operation is ILocalReferenceOperation reference
                        && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                        && IsWriteTarget(reference))
                    {
                        return true;
                    }

                    if (operation is IDeclarationPatternOperation pattern && SymbolEqualityComparer.Default.Equals(pattern.DeclaredSymbol, local))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsWriteTarget(ILocalReferenceOperation reference)
        {
            IOperation? parent = reference.Parent;
            switch (parent)
            {
                case IAssignmentOperation assignment when assignment.Target == reference:
                case IIncrementOrDecrementOperation increment when increment.Target == reference:
                    return true;
                case IArgumentOperation argument when argument.Parameter != null && argument.Parameter.RefKind != RefKind.None && argument.Parameter.RefKind != RefKind.In:
                    return true;
            }

            return DeconstructionOf(reference) != null;
        }

        /// <summary>The operation a write takes its value from; null with <paramref name="understood"/> true for plain reads.</summary>
        private static IOperation? WriteSource(ILocalReferenceOperation reference, out bool understood)
        {
            understood = true;
            IOperation? parent = reference.Parent;
            switch (parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                    return assignment.Value;
                case ICompoundAssignmentOperation compound when compound.Target == reference:
                    return compound.Value;
                case ICoalesceAssignmentOperation coalesce when coalesce.Target == reference:
                    return coalesce.Value;
                case IIncrementOrDecrementOperation increment when increment.Target == reference:
                    return null; // derives from the local itself
                case IArgumentOperation argument when argument.Parameter != null && argument.Parameter.RefKind != RefKind.None && argument.Parameter.RefKind != RefKind.In:
                    return argument.Parent;
            }

            IDeconstructionAssignmentOperation? deconstruction = DeconstructionOf(reference);
            if (deconstruction != null)
            {
                return deconstruction.Value;
            }

            if (parent is IAssignmentOperation other && other.Target == reference)
            {
                understood = false;
            }

            return null;
        }

        private static IDeconstructionAssignmentOperation? DeconstructionOf(IOperation reference)
        {
            IOperation current = reference;
            IOperation? parent = current.Parent;
            while (parent is ITupleOperation || parent is IDeclarationExpressionOperation)
            {
                current = parent;
                parent = current.Parent;
            }

            return parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current && current != reference
                ? deconstruction
                : parent is IDeconstructionAssignmentOperation direct && direct.Target == reference ? direct : null;
        }

        private static IOperation? PatternInput(IOperation pattern)
        {
            for (IOperation? current = pattern.Parent; current != null; current = current.Parent)
            {
                switch (current)
                {
                    case IIsPatternOperation isPattern:
                        return isPattern.Value;
                    case ISwitchExpressionOperation switchExpression:
                        return switchExpression.Value;
                    case ISwitchOperation switchStatement:
                        return switchStatement.Value;
                }
            }

            return null;
        }
    }
}
