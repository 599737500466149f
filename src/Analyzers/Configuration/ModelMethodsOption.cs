using System;
using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Configuration
{
    /// <summary>
    /// The <c>agentquotas.model_methods</c> option: more methods that call a model, for AQ0003. Its value is a
    /// comma-separated list of <c>Namespace.Type.Method</c> entries, where the type is a metadata name (nested
    /// types joined with <c>+</c>, generic types with their arity, <c>Name`1</c>). Empty entries are ignored;
    /// an entry whose type the compilation does not reference is ignored (one .editorconfig may serve projects
    /// that do not all reference the library); a malformed entry, or a type without a method of that name, is
    /// a problem reported once per compilation. See docs/rules/AQ0003.md.
    /// </summary>
    internal sealed class ModelMethodsOption
    {
        private ModelMethodsOption(ModelApis apis, IReadOnlyList<KeyValuePair<string, string>> problems)
        {
            Apis = apis;
            Problems = problems;
        }

        /// <summary>The resolved methods (empty when none resolved).</summary>
        public ModelApis Apis { get; }

        /// <summary>Entries that were ignored because they are wrong: (entry, why).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Problems { get; }

        public static ModelMethodsOption Resolve(string value, Compilation compilation)
        {
            var methods = new List<KeyValuePair<INamedTypeSymbol, string>>();
            var problems = new List<KeyValuePair<string, string>>();
            foreach (string raw in value.Split(','))
            {
                string entry = raw.Trim();
                if (entry.Length == 0)
                {
                    continue;
                }

                string? problem = Parse(entry, out string typeName, out string methodName);
                if (problem != null)
                {
                    problems.Add(new KeyValuePair<string, string>(entry, problem));
                    continue;
                }

                INamedTypeSymbol? type = compilation.GetTypeByMetadataName(typeName);
                if (type == null)
                {
                    continue; // not referenced by this project
                }

                List<INamedTypeSymbol> declaring = DeclaringTypes(type, methodName);
                if (declaring.Count == 0)
                {
                    problems.Add(new KeyValuePair<string, string>(entry, "type '" + typeName + "' has no method '" + methodName + "'"));
                    continue;
                }

                methods.AddRange(declaring.Select(t => new KeyValuePair<INamedTypeSymbol, string>(t, methodName)));
            }

            return new ModelMethodsOption(ModelApis.ForConfigured(methods), problems);
        }

        /// <summary>Splits an entry into type and method, or says why it is malformed.</summary>
        internal static string? Parse(string entry, out string typeName, out string methodName)
        {
            typeName = string.Empty;
            methodName = string.Empty;
            int dot = entry.LastIndexOf('.');
            if (dot <= 0 || dot == entry.Length - 1)
            {
                return "it is not of the form Namespace.Type.Method";
            }

            typeName = entry.Substring(0, dot);
            methodName = entry.Substring(dot + 1);
            if (!IsIdentifier(methodName))
            {
                return "'" + methodName + "' is not a method name";
            }

            foreach (string part in typeName.Split('.', '+'))
            {
                int tick = part.IndexOf('`');
                string name = tick < 0 ? part : part.Substring(0, tick);
                string arity = tick < 0 ? "1" : part.Substring(tick + 1);
                if (!IsIdentifier(name) || arity.Length == 0 || !arity.All(c => c >= '0' && c <= '9'))
                {
                    return "'" + typeName + "' is not a type's metadata name (write generic types as Name`1 and nested types as Outer+Inner)";
                }
            }

            return null;
        }

        private static bool IsIdentifier(string text) =>
            text.Length > 0
            && (char.IsLetter(text[0]) || text[0] == '_')
            && text.All(c => char.IsLetterOrDigit(c) || c == '_');

        /// <summary>
        /// Where the method is declared: the type itself or the nearest base type that declares it, else the
        /// interfaces that do. Calls bind to the declaring member, so that is what calls are matched against.
        /// </summary>
        private static List<INamedTypeSymbol> DeclaringTypes(INamedTypeSymbol type, string name)
        {
            for (INamedTypeSymbol? current = type; current != null; current = current.BaseType)
            {
                if (current.GetMembers(name).OfType<IMethodSymbol>().Any())
                {
                    return new List<INamedTypeSymbol> { current };
                }
            }

            return type.AllInterfaces.Where(i => i.GetMembers(name).OfType<IMethodSymbol>().Any()).ToList();
        }
    }
}
