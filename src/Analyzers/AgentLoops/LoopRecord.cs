using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentLoops
{
    /// <summary>A loop that is not bounded by itself and whose repeated parts may make agent calls.</summary>
    internal sealed class LoopRecord
    {
        public LoopRecord(string kind, string? why, string? inputWait, Location location, Location extent, IMethodSymbol? owner, Region region)
        {
            Extent = extent;
            Kind = kind;
            Why = why;
            InputWait = inputWait;
            Location = location;
            Owner = owner;
            Region = region;
        }

        /// <summary>"while loop", "for loop", ...</summary>
        public string Kind { get; }

        /// <summary>Why its own shape does not bound it, if there is more to say than its kind.</summary>
        public string? Why { get; }

        /// <summary>What the loop waits for each turn when it is a conversation ("Console.ReadLine"), else null.</summary>
        public string? InputWait { get; }

        /// <summary>Where the diagnostic goes: the loop's keyword.</summary>
        public Location Location { get; }

        /// <summary>The whole loop statement, to tell loops nested in it.</summary>
        public Location Extent { get; }

        /// <summary>The function node the loop runs in, or null when it runs in code that may be called from anywhere (a stored lambda, a field initializer).</summary>
        public IMethodSymbol? Owner { get; }

        public Region Region { get; }
    }
}
