using AgentQuotas;

namespace SupportDesk.Tools;

/// <summary>
/// What <c>search_kb</c> returns: the best matching articles, and what the search really cost. The planned cost
/// is the tool's <c>[Cost(20)]</c>; the guard completes the call with <see cref="ActualCost"/> instead, so the
/// tenant's bucket and the audit trail record what was actually spent.
/// </summary>
/// <param name="Query">The query.</param>
/// <param name="Articles">The matches, best first.</param>
/// <param name="ActualCost">Units really spent: a fixed part plus a share per article read.</param>
public sealed record KbSearchResult(string Query, IReadOnlyList<KbArticle> Articles, double? ActualCost) : IActualCost;
