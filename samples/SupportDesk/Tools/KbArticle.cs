namespace SupportDesk.Tools;

/// <summary>One knowledge-base article.</summary>
/// <param name="Id">The article id, e.g. <c>KB-104</c>.</param>
/// <param name="Title">The title.</param>
/// <param name="Summary">Two sentences a support agent can quote.</param>
public sealed record KbArticle(string Id, string Title, string Summary);
