// Shared between the runtime and the analyzers (netstandard2.0): "did you mean" hints for policy
// fields and references, category names in code, and fallback names.
using System;
using System.Collections.Generic;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>Finds the closest name for "did you mean" hints (case-insensitive edit distance).</summary>
    internal static class NameSuggestion
    {
        /// <summary>The candidate closest to <paramref name="name"/> within <paramref name="maxDistance"/> edits, or null.</summary>
        public static string? Closest(string name, IEnumerable<string> candidates, int maxDistance = 2)
        {
            string? best = null;
            int bestDistance = maxDistance + 1;
            foreach (string candidate in candidates)
            {
                int distance = Distance(name, candidate);
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return best;
        }

        /// <summary>Levenshtein distance, ignoring case.</summary>
        public static int Distance(string a, string b)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), substitution);
                }

                int[] swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }
    }
}
