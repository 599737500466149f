using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.ToolReferences
{
    /// <summary>
    /// Recognises reflection that runs a method found by name: <c>MethodInfo.Invoke</c>,
    /// <c>MethodInfo.CreateDelegate</c> and <c>Delegate.CreateDelegate</c> on a MethodInfo from
    /// <c>Type.GetMethod("Name")</c> / <c>GetRuntimeMethod</c>, <c>Delegate.CreateDelegate(type, target, "Name")</c>
    /// and <c>Type.InvokeMember("Name", ...)</c>, where the type is a <c>typeof(T)</c> or an <c>x.GetType()</c>,
    /// directly or through locals.
    /// </summary>
    internal sealed class ReflectionSymbols
    {
        private const int MaxTraceDepth = 8;

        private ReflectionSymbols(Compilation compilation)
        {
            MethodBase = compilation.GetTypeByMetadataName("System.Reflection.MethodBase");
            MethodInfo = compilation.GetTypeByMetadataName("System.Reflection.MethodInfo");
            Type = compilation.GetTypeByMetadataName("System.Type");
            Delegate = compilation.GetTypeByMetadataName("System.Delegate");
            RuntimeReflectionExtensions = compilation.GetTypeByMetadataName("System.Reflection.RuntimeReflectionExtensions");
        }

        public INamedTypeSymbol? MethodBase { get; }

        public INamedTypeSymbol? MethodInfo { get; }

        public INamedTypeSymbol? Type { get; }

        public INamedTypeSymbol? Delegate { get; }

        public INamedTypeSymbol? RuntimeReflectionExtensions { get; }

        public bool IsAvailable => MethodBase != null && Type != null;

        public static ReflectionSymbols Create(Compilation compilation) => new ReflectionSymbols(compilation);

        /// <summary>How the invocation runs a method by reflection, for messages.</summary>
        public string Describe(IInvocationOperation invocation)
        {
            IMethodSymbol m = invocation.TargetMethod;
            string type = m.ContainingType.Name;
            if (DerivesFrom(m.ContainingType, MethodBase))
            {
                type = "MethodInfo";
            }

            return type + "." + m.Name;
        }

        /// <summary>The methods the invocation would run through reflection, if it is such a call and they can be resolved.</summary>
        public IEnumerable<IMethodSymbol> ResolveTargets(IInvocationOperation invocation)
        {
            IMethodSymbol m = invocation.TargetMethod;
            if (!m.IsStatic && (m.Name == "Invoke" || m.Name == "CreateDelegate") && DerivesFrom(m.ContainingType, MethodBase) && invocation.Instance != null)
            {
                return TraceMethodInfo(invocation.Instance, 0);
            }

            if (m.IsStatic && m.Name == "CreateDelegate" && SymbolEqualityComparer.Default.Equals(m.ContainingType, Delegate))
            {
                return ResolveCreateDelegate(invocation);
            }

            if (!m.IsStatic && m.Name == "InvokeMember" && DerivesFrom(m.ContainingType, Type) && invocation.Instance != null && invocation.Arguments.Length > 0)
            {
                string? name = invocation.Arguments[0].Value.ConstantValue.Value as string;
                return name == null ? Enumerable.Empty<IMethodSymbol>() : MethodsNamed(TraceType(invocation.Instance, 0), name);
            }

            return Enumerable.Empty<IMethodSymbol>();
        }

        /// <summary>
        /// Reflection that can reach any method of a known type without naming it in the source: a lookup or call
        /// by a computed name (<c>GetMethod(name)</c>, <c>GetMember(name)</c>, <c>GetRuntimeMethod(name, ...)</c>,
        /// <c>InvokeMember(name, ...)</c>, <c>Delegate.CreateDelegate(type, target, name)</c>) or a scan
        /// (<c>GetMethods()</c>, <c>GetMembers()</c>, <c>GetRuntimeMethods()</c>). Returns the type searched and how,
        /// or null when the call is none of these, names the method by a literal, or the type cannot be traced.
        /// </summary>
        public ITypeSymbol? ResolveOpenLookup(IInvocationOperation invocation, out string how)
        {
            how = string.Empty;
            IMethodSymbol m = invocation.TargetMethod;
            IOperation? typeOperand = null;
            IOperation? nameOperand = null;
            bool scan = false;
            string name = m.Name;
            if (!m.IsStatic && DerivesFrom(m.ContainingType, Type) && invocation.Instance != null)
            {
                typeOperand = invocation.Instance;
                switch (name)
                {
                    case "GetMethods":
                    case "GetMembers":
                        scan = true;
                        break;
                    case "GetMethod":
                    case "GetMember":
                        nameOperand = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "name")?.Value;
                        break;
                    case "InvokeMember":
                        nameOperand = invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null;
                        break;
                    default:
                        return null;
                }

                how = "Type." + name;
            }
            else if (m.IsStatic && SymbolEqualityComparer.Default.Equals(m.ContainingType, RuntimeReflectionExtensions) && invocation.Arguments.Length >= 1)
            {
                typeOperand = invocation.Arguments[0].Value;
                if (name == "GetRuntimeMethods")
                {
                    scan = true;
                }
                else if (name == "GetRuntimeMethod" && invocation.Arguments.Length >= 2)
                {
                    nameOperand = invocation.Arguments[1].Value;
                }
                else
                {
                    return null;
                }

                how = name;
            }
            else if (m.IsStatic && name == "CreateDelegate" && SymbolEqualityComparer.Default.Equals(m.ContainingType, Delegate))
            {
                IArgumentOperation? target = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "target");
                nameOperand = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "method" && a.Parameter.Type.SpecialType == SpecialType.System_String)?.Value;
                if (target == null || nameOperand == null)
                {
                    return null;
                }

                IOperation value = Unwrap(target.Value);
                how = "Delegate.CreateDelegate";
                ITypeSymbol? found = DerivesFrom(target.Parameter?.Type, Type) ? TraceType(value, 0) : value.Type;
                return nameOperand.ConstantValue.HasValue ? null : found;
            }
            else
            {
                return null;
            }

            if (!scan && (nameOperand == null || nameOperand.ConstantValue.HasValue))
            {
                return null; // a literal name: resolved (and checked) where the method is invoked
            }

            return TraceType(typeOperand, 0);
        }

        /// <summary>The methods a MethodInfo-typed value was looked up as, when found by a literal name on a known type.</summary>
        public IEnumerable<IMethodSymbol> TraceMethodInfo(IOperation operation) => TraceMethodInfo(operation, 0);

        /// <summary>The type a Type-typed value stands for (<c>typeof(T)</c>, <c>x.GetType()</c>, through locals), or null.</summary>
        public ITypeSymbol? TraceType(IOperation operation) => TraceType(operation, 0);

        private IEnumerable<IMethodSymbol> ResolveCreateDelegate(IInvocationOperation invocation)
        {
            var results = new List<IMethodSymbol>();
            IArgumentOperation? methodInfo = invocation.Arguments.FirstOrDefault(a => DerivesFrom(a.Parameter?.Type, MethodBase));
            if (methodInfo != null)
            {
                results.AddRange(TraceMethodInfo(methodInfo.Value, 0));
                return results;
            }

            // Delegate.CreateDelegate(Type type, object target, string method, ...) / (Type type, Type target, string method, ...)
            IArgumentOperation? name = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Type.SpecialType == SpecialType.System_String);
            IArgumentOperation? target = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "target");
            if (name?.Value.ConstantValue.Value is string methodName && target != null)
            {
                IOperation value = Unwrap(target.Value);
                ITypeSymbol? type = DerivesFrom(target.Parameter?.Type, Type) ? TraceType(value, 0) : value.Type;
                results.AddRange(MethodsNamed(type, methodName));
            }

            return results;
        }

        private IEnumerable<IMethodSymbol> TraceMethodInfo(IOperation operation, int depth)
        {
            if (depth > MaxTraceDepth)
            {
                yield break;
            }

            IOperation value = Unwrap(operation);
            if (value is IConditionalAccessInstanceOperation conditional)
            {
                IOperation? receiver = ReceiverOf(conditional);
                if (receiver != null)
                {
                    foreach (IMethodSymbol method in TraceMethodInfo(receiver, depth + 1))
                    {
                        yield return method;
                    }
                }

                yield break;
            }

            if (value is ILocalReferenceOperation local)
            {
                foreach (IOperation written in WritesOf(local))
                {
                    foreach (IMethodSymbol method in TraceMethodInfo(written, depth + 1))
                    {
                        yield return method;
                    }
                }

                yield break;
            }

            if (value is IInvocationOperation lookup && (lookup.TargetMethod.Name == "GetMethod" || lookup.TargetMethod.Name == "GetRuntimeMethod"))
            {
                IMethodSymbol target = lookup.TargetMethod;
                ITypeSymbol? type = null;
                string? name = null;
                if (!target.IsStatic && DerivesFrom(target.ContainingType, Type) && lookup.Instance != null)
                {
                    type = TraceType(lookup.Instance, depth + 1);
                    name = lookup.Arguments.FirstOrDefault(a => a.Parameter?.Name == "name")?.Value.ConstantValue.Value as string;
                }
                else if (target.IsStatic && SymbolEqualityComparer.Default.Equals(target.ContainingType, RuntimeReflectionExtensions) && lookup.Arguments.Length >= 2)
                {
                    type = TraceType(lookup.Arguments[0].Value, depth + 1);
                    name = lookup.Arguments[1].Value.ConstantValue.Value as string;
                }

                if (name != null)
                {
                    foreach (IMethodSymbol method in MethodsNamed(type, name))
                    {
                        yield return method;
                    }
                }
            }
        }

        private ITypeSymbol? TraceType(IOperation operation, int depth)
        {
            if (depth > MaxTraceDepth)
            {
                return null;
            }

            IOperation value = Unwrap(operation);
            switch (value)
            {
                case ITypeOfOperation typeOf:
                    return typeOf.TypeOperand;
                case IInvocationOperation getType when getType.TargetMethod.Name == "GetType" && getType.Arguments.Length == 0 && getType.Instance != null:
                    return Unwrap(getType.Instance).Type;
                case ILocalReferenceOperation local:
                    // Only when every write agrees on the type.
                    ITypeSymbol? found = null;
                    foreach (IOperation written in WritesOf(local))
                    {
                        ITypeSymbol? type = TraceType(written, depth + 1);
                        if (type == null || (found != null && !SymbolEqualityComparer.Default.Equals(found, type)))
                        {
                            return null;
                        }

                        found = type;
                    }

                    return found;
                default:
                    return null;
            }
        }

        private static IEnumerable<IMethodSymbol> MethodsNamed(ITypeSymbol? type, string name)
        {
            for (ITypeSymbol? current = type; current != null; current = current.BaseType)
            {
                foreach (IMethodSymbol method in current.GetMembers(name).OfType<IMethodSymbol>())
                {
                    if (method.MethodKind == MethodKind.Ordinary)
                    {
                        yield return method;
                    }
                }
            }
        }

        private static IOperation? ReceiverOf(IConditionalAccessInstanceOperation instance)
        {
            for (IOperation? current = instance.Parent; current != null; current = current.Parent)
            {
                if (current is IConditionalAccessOperation access)
                {
                    return access.Operation;
                }
            }

            return null;
        }

        /// <summary>The values assigned to a local anywhere in the same body.</summary>
        internal static IEnumerable<IOperation> WritesOf(ILocalReferenceOperation reference)
        {
            IOperation root = reference;
            while (root.Parent != null)
            {
                root = root.Parent;
            }

            foreach (IOperation operation in root.Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator
                    && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local)
                    && declarator.Initializer != null)
                {
                    yield return declarator.Initializer.Value;
                }
                else if (operation is ISimpleAssignmentOperation assignment
                    && assignment.Target is ILocalReferenceOperation target
                    && SymbolEqualityComparer.Default.Equals(target.Local, reference.Local))
                {
                    yield return assignment.Value;
                }
            }
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
        {
            if (baseType == null)
            {
                return false;
            }

            for (ITypeSymbol? current = type; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, baseType))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
