namespace AgentQuotas.Cli.Reporting.Charts;

/// <summary>One named line of a chart: points in data units, drawn in one colour.</summary>
/// <param name="Name">The legend label.</param>
/// <param name="Points">The points, in increasing X.</param>
/// <param name="Color">A CSS colour.</param>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color);
