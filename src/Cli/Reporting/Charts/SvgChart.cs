using System.Globalization;
using System.Net;
using System.Text;

namespace AgentQuotas.Cli.Reporting.Charts;

/// <summary>
/// Draws line and stacked-bar charts as standalone SVG: axes with rounded ticks, a legend, a title. No
/// scripts and no external resources, so the report renders anywhere, offline.
/// </summary>
internal static class SvgChart
{
    private const int Width = 760, Height = 300;
    private const int Left = 64, Right = 150, Top = 36, Bottom = 44;

    /// <summary>A line chart of several series over a shared X axis.</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).ToList();
        double xMax = points.Count == 0 ? 1 : Math.Max(points.Max(p => p.X), 1e-9);
        double xMin = points.Count == 0 ? 0 : Math.Min(points.Min(p => p.X), 0);
        double yMax = points.Count == 0 ? 1 : NiceCeiling(Math.Max(points.Max(p => p.Y), 1e-9));
        var svg = new StringBuilder();
        Open(svg, title);
        Axes(svg, xMin, xMax, 0, yMax, xLabel, yLabel);
        foreach (ChartSeries s in series)
        {
            if (s.Points.Count == 0)
            {
                continue;
            }

            svg.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(Attr(s.Color)).Append("\" points=\"");
            foreach ((double x, double y) in s.Points)
            {
                svg.Append(F(X(x, xMin, xMax))).Append(',').Append(F(Y(y, 0, yMax))).Append(' ');
            }

            svg.Append("\"><title>").Append(Text(s.Name)).Append("</title></polyline>\n");
        }

        Legend(svg, series.Select(s => (s.Name, s.Color)).ToList());
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>A stacked bar per X value: each layer one named count.</summary>
    public static string StackedBars(string title, string xLabel, string yLabel, IReadOnlyList<double> xs, IReadOnlyList<(string Name, string Color, IReadOnlyList<double> Values)> layers)
    {
        double xMin = xs.Count == 0 ? 0 : xs.Min();
        double xMax = xs.Count == 0 ? 1 : Math.Max(xs.Max(), xMin + 1e-9);
        double step = xs.Count > 1 ? (xMax - xMin) / (xs.Count - 1) : 1;
        double totalMax = 1e-9;
        for (int i = 0; i < xs.Count; i++)
        {
            totalMax = Math.Max(totalMax, layers.Sum(l => i < l.Values.Count ? l.Values[i] : 0));
        }

        double yMax = NiceCeiling(totalMax);
        var svg = new StringBuilder();
        Open(svg, title);
        Axes(svg, xMin - (step / 2), xMax + (step / 2), 0, yMax, xLabel, yLabel, xMin, xMax);
        double barWidth = Math.Max(1, ((Width - Left - Right) / Math.Max(1, xs.Count)) * 0.8);
        for (int i = 0; i < xs.Count; i++)
        {
            double stacked = 0;
            foreach ((string name, string color, IReadOnlyList<double> values) in layers)
            {
                double v = i < values.Count ? values[i] : 0;
                if (v <= 0)
                {
                    continue;
                }

                double yTop = Y(stacked + v, 0, yMax);
                double yBottom = Y(stacked, 0, yMax);
                svg.Append("<rect x=\"").Append(F(X(xs[i], xMin - (step / 2), xMax + (step / 2)) - (barWidth / 2)))
                    .Append("\" y=\"").Append(F(yTop)).Append("\" width=\"").Append(F(barWidth)).Append("\" height=\"").Append(F(yBottom - yTop))
                    .Append("\" fill=\"").Append(Attr(color)).Append("\"><title>").Append(Text($"{name}: {v:0.##}")).Append("</title></rect>\n");
                stacked += v;
            }
        }

        Legend(svg, layers.Select(l => (l.Name, l.Color)).ToList());
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The smallest "round" number (1, 2 or 5 times a power of ten) at or above <paramref name="value"/>.</summary>
    internal static double NiceCeiling(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double m in new[] { 1d, 2d, 5d, 10d })
        {
            if (m * magnitude >= value - (1e-12 * magnitude))
            {
                return m * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static void Open(StringBuilder svg, string title)
    {
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" width=\"").Append(Width).Append("\" height=\"").Append(Height).Append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .Append("<title>").Append(Text(title)).Append("</title>\n")
            .Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
            .Append("<text x=\"").Append(Left).Append("\" y=\"20\" font-size=\"14\" font-weight=\"bold\">").Append(Text(title)).Append("</text>\n");
    }

    private static void Axes(StringBuilder svg, double xMin, double xMax, double yMin, double yMax, string xLabel, string yLabel) =>
        Axes(svg, xMin, xMax, yMin, yMax, xLabel, yLabel, xMin, xMax);

    // The plot spans [xMin, xMax]; x ticks are labelled over [tickMin, tickMax] (bars pad half a bar each side).
    private static void Axes(StringBuilder svg, double xMin, double xMax, double yMin, double yMax, string xLabel, string yLabel, double tickMin, double tickMax)
    {
        int plotBottom = Height - Bottom, plotRight = Width - Right;
        for (int i = 0; i <= 4; i++)
        {
            double v = yMin + ((yMax - yMin) * i / 4);
            double y = Y(v, yMin, yMax);
            svg.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(plotRight).Append("\" y1=\"").Append(F(y)).Append("\" y2=\"").Append(F(y))
                .Append("\" stroke=\"#e3e3e3\"/>\n")
                .Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(F(y + 4)).Append("\" text-anchor=\"end\">").Append(Text(Tick(v))).Append("</text>\n");
        }

        for (int i = 0; i <= 5; i++)
        {
            double v = tickMin + ((tickMax - tickMin) * i / 5);
            double x = X(v, xMin, xMax);
            svg.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(plotBottom + 16).Append("\" text-anchor=\"middle\">").Append(Text(Tick(v))).Append("</text>\n");
        }

        svg.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(Left).Append("\" y1=\"").Append(Top).Append("\" y2=\"").Append(plotBottom).Append("\" stroke=\"#444\"/>\n")
            .Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(plotRight).Append("\" y1=\"").Append(plotBottom).Append("\" y2=\"").Append(plotBottom).Append("\" stroke=\"#444\"/>\n")
            .Append("<text x=\"").Append((Left + plotRight) / 2).Append("\" y=\"").Append(Height - 8).Append("\" text-anchor=\"middle\">").Append(Text(xLabel)).Append("</text>\n")
            .Append("<text transform=\"translate(14,").Append((Top + plotBottom) / 2).Append(") rotate(-90)\" text-anchor=\"middle\">").Append(Text(yLabel)).Append("</text>\n");
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<(string Name, string Color)> entries)
    {
        int x = Width - Right + 14;
        for (int i = 0; i < entries.Count; i++)
        {
            int y = Top + 8 + (i * 20);
            svg.Append("<rect x=\"").Append(x).Append("\" y=\"").Append(y - 9).Append("\" width=\"12\" height=\"12\" fill=\"").Append(Attr(entries[i].Color)).Append("\"/>\n")
                .Append("<text x=\"").Append(x + 18).Append("\" y=\"").Append(y + 1).Append("\">").Append(Text(entries[i].Name)).Append("</text>\n");
        }
    }

    private static double X(double v, double min, double max) => Left + ((v - min) / (max - min) * (Width - Left - Right));

    private static double Y(double v, double min, double max) => (Height - Bottom) - ((v - min) / (max - min) * (Height - Top - Bottom));

    private static string Tick(double v) => Math.Abs(v) >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Text(string s) => WebUtility.HtmlEncode(s);

    private static string Attr(string s) => WebUtility.HtmlEncode(s);
}
