namespace AgentQuotas.Analyzers.Tests.EndToEnd;

/// <summary>The outcome of a <c>dotnet build</c>: exit code, the error ids and lines it printed, and its output.</summary>
internal sealed record BuildResult(int ExitCode, IReadOnlyList<string> ErrorIds, IReadOnlyList<string> ErrorLines, string Output);
