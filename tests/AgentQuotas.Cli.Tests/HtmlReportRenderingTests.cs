using AgentQuotas.Cli.Reporting;
using AgentQuotas.Cli.Reporting.Charts;

namespace AgentQuotas.Cli.Tests;

public class HtmlReportRenderingTests
{
    [Fact]
    public void Charts_are_well_formed_svg_with_round_axes()
    {
        string svg = SvgChart.Lines("queue wait", "seconds", "wait (s)",
        [
            new ChartSeries("Critical", [(0, 0.1), (10, 0.4), (20, 0.2)], "#d62728"),
            new ChartSeries("Batch <&>", [(0, 1.0), (10, 3.7), (20, 2.0)], "#1f77b4"),
        ]);

        var doc = System.Xml.Linq.XDocument.Parse(svg);       // throws if not well-formed XML
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Contains("Batch &lt;&amp;&gt;", svg);
        Assert.Contains(">5</text>", svg);                    // 3.7 rounds up to a y axis of 5
        Assert.Equal(2, doc.Descendants().Count(e => e.Name.LocalName == "polyline"));
        Assert.Equal(5, SvgChart.NiceCeiling(3.7));
        Assert.Equal(200, SvgChart.NiceCeiling(101));
        Assert.Equal(0.01, SvgChart.NiceCeiling(0.01));
    }

    [Fact]
    public async Task The_report_renders_its_charts_in_headless_chromium()
    {
        var report = new HtmlReport("Render check")
            .Paragraph("A line chart and a stacked bar chart, each with a distinctive colour.")
            .Chart(SvgChart.Lines("lines", "x", "y", [new ChartSeries("red", [(0, 0), (5, 9), (10, 3)], "#ff0000")]))
            .Chart(SvgChart.StackedBars("bars", "x", "y", [0, 1, 2, 3], [("green", "#00aa00", [1, 2, 3, 4]), ("blue", "#0000ff", [4, 3, 2, 1])]));
        string dir = Directory.CreateTempSubdirectory("aq-render").FullName;
        try
        {
            string html = Path.Combine(dir, "report.html");
            await File.WriteAllTextAsync(html, report.Render());

            PngImage shot = await HeadlessBrowser.ScreenshotAsync(html, 900, 800);

            int red = 0, green = 0, blue = 0, nonBackground = 0;
            for (int y = 0; y < shot.Height; y++)
            {
                for (int x = 0; x < shot.Width; x++)
                {
                    var (r, g, b) = shot[x, y];
                    if (r > 200 && g < 60 && b < 60) red++;
                    if (r < 60 && g > 140 && b < 60) green++;
                    if (r < 60 && g < 60 && b > 200) blue++;
                    if (!(r > 245 && g > 245 && b > 245)) nonBackground++;
                }
            }

            Assert.True(red > 100, $"the line chart's series is not visible ({red} red pixels)");
            Assert.True(green > 500 && blue > 500, $"the bars are not visible ({green} green, {blue} blue pixels)");
            Assert.True(nonBackground > shot.Width * shot.Height / 50, "the page is (almost) blank");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
