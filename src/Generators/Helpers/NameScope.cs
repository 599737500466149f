using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>
    /// The identifiers of one generated scope (a method and its helpers, or an AIFunction's invoke method).
    /// No generated name may collide with a user's name, so every identifier is claimed here: user
    /// parameter names keep their name when it is free, generated names take a reserved prefix
    /// (<c>__</c>), and whichever comes second is renamed with a numeric suffix until it is unique.
    /// </summary>
    internal sealed class NameScope
    {
        private readonly HashSet<string> _taken;

        /// <param name="reserved">Names already in scope that must not be claimed (members referenced by simple name, type parameters).</param>
        public NameScope(IEnumerable<string> reserved)
        {
            _taken = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (string name in reserved)
            {
                _taken.Add(Unescape(name));
            }
        }

        /// <summary>Whether a name is already taken in this scope.</summary>
        public bool IsTaken(string name) => _taken.Contains(Unescape(name));

        /// <summary>Claims <paramref name="preferred"/> (escaped or not), or the first free <c>preferred_N</c>; returns it as a C# identifier.</summary>
        public string Claim(string preferred)
        {
            string name = Unescape(preferred);
            string candidate = name;
            for (int n = 1; _taken.Contains(candidate); n++)
            {
                candidate = name + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            _taken.Add(candidate);
            return Escape(candidate);
        }

        /// <summary>Prefixes a C# keyword with <c>@</c>.</summary>
        public static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static string Unescape(string name) => name.Length > 0 && name[0] == '@' ? name.Substring(1) : name;
    }
}
