using AgentQuotas.Analyzers.AgentLoops;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.AgentCalls
{
    /// <summary>
    /// Calls that wait for the next input from outside: a line typed at the console (<c>Console.ReadLine</c>,
    /// <c>ReadKey</c>, <c>Console.In.ReadLine(Async)</c>, Spectre.Console's <c>AnsiConsole.Ask</c> / <c>Prompt</c>)
    /// or the next message of a channel (<c>ChannelReader&lt;T&gt;.ReadAsync</c>, <c>WaitToReadAsync</c>,
    /// <c>ReadAllAsync</c>). A loop that waits for one each turn is a conversation: it ends when the other side
    /// stops, which may be never. Resolved once per compilation.
    /// </summary>
    internal sealed class InputApis
    {
        private readonly INamedTypeSymbol? _console;
        private readonly INamedTypeSymbol? _textReader;
        private readonly INamedTypeSymbol? _channelReader;
        private readonly INamedTypeSymbol? _ansiConsole;

        public InputApis(Compilation compilation)
        {
            _console = compilation.GetTypeByMetadataName(WellKnownNames.Console);
            _textReader = compilation.GetTypeByMetadataName(WellKnownNames.TextReader);
            _channelReader = compilation.GetTypeByMetadataName(WellKnownNames.ChannelReader);
            _ansiConsole = compilation.GetTypeByMetadataName("Spectre.Console.AnsiConsole");
        }

        public string? Describe(IInvocationOperation invocation)
        {
            IMethodSymbol method = invocation.TargetMethod;
            INamedTypeSymbol? type = method.ContainingType?.OriginalDefinition;
            if (type == null)
            {
                return null;
            }

            switch (method.Name)
            {
                case "ReadLine":
                case "ReadKey":
                case "Read":
                    if (SymbolEqualityComparer.Default.Equals(type, _console))
                    {
                        return "Console." + method.Name;
                    }

                    return method.Name == "ReadLine" && IsConsoleIn(invocation) ? "Console.In.ReadLine" : null;
                case "ReadLineAsync":
                    return IsConsoleIn(invocation) ? "Console.In.ReadLineAsync" : null;
                case "ReadAsync":
                case "WaitToReadAsync":
                case "ReadAllAsync":
                    return IsChannelReader(type) ? "ChannelReader." + method.Name : null;
                case "Ask":
                case "Prompt":
                case "Confirm":
                    return SymbolEqualityComparer.Default.Equals(type, _ansiConsole) ? "AnsiConsole." + method.Name : null;
                default:
                    return null;
            }
        }

        private bool IsChannelReader(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, _channelReader))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A TextReader call on <c>Console.In</c> (not on a file, which ends).</summary>
        private bool IsConsoleIn(IInvocationOperation invocation) =>
            _textReader != null
            && invocation.Instance != null
            && LoopBounds.Unwrap(invocation.Instance) is IPropertyReferenceOperation property
            && property.Property.Name == "In"
            && SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, _console);
    }
}
