using System.Net;
using System.Text;

namespace AgentQuotas.Cli.Reporting;

/// <summary>A self-contained HTML report: a title, key figures, tables and inline SVG charts.</summary>
internal sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    public string Title { get; } = title;

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table>\n<thead><tr>");
        foreach (string h in headers)
        {
            _body.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        }

        _body.Append("</tr></thead>\n<tbody>\n");
        foreach (IReadOnlyList<string> row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row)
            {
                _body.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            }

            _body.Append("</tr>\n");
        }

        _body.Append("</tbody>\n</table>\n");
        return this;
    }

    /// <summary>Adds an SVG produced by <see cref="Charts.SvgChart"/> (trusted markup, not escaped).</summary>
    public HtmlReport Chart(string svg)
    {
        _body.Append("<figure>\n").Append(svg).Append("</figure>\n");
        return this;
    }

    public string Render()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(WebUtility.HtmlEncode(Title)).Append("</title>\n<style>\n")
            .Append("body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}\n")
            .Append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n")
            .Append("table{border-collapse:collapse;margin:8px 0;background:#fff}\n")
            .Append("th,td{border:1px solid #ccc;padding:4px 10px;text-align:right;white-space:nowrap}th{background:#eef}\n")
            .Append("td:first-child,th:first-child{text-align:left}\n")
            .Append("figure{margin:12px 0;background:#fff;display:inline-block;border:1px solid #ddd}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>\n")
            .Append(_body)
            .Append("</body>\n</html>\n");
        return html.ToString();
    }
}
