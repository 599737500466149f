using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>A span marked in test source: <c>[|...|]</c> (the test's default id) or <c>{|AQ0003:...|}</c>.</summary>
internal sealed record MarkedSpan(string? Id, TextSpan Span);
