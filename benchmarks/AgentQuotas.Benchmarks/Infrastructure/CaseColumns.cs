using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>Extra columns for throughput benchmarks: operations per second from the median, latency percentiles, figures a case reports.</summary>
public static class CaseColumns
{
    /// <summary>The key a benchmark case records under: method name and parameter values.</summary>
    public static string Key(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.WorkloadMethod.Name + "|" + string.Join("|", benchmarkCase.Parameters.Items.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)));

    public static string Key(string method, params object[] parameters) =>
        method + "|" + string.Join("|", parameters.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture)));

    /// <summary>Figures a benchmark case reports about itself (round trips per operation, for example).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Key, string Column), string> Reported = new();

    // Benchmarks run out of process: the host that measured a case publishes its figures in files here, and the
    // columns (in the process that prints the summary) read them back.
    private static readonly string FiguresDirectory = Path.Combine(Path.GetTempPath(), "agentquotas-bench-figures");

    /// <summary>Publishes a figure of a case, for the column of that name, across the process boundary.</summary>
    public static void Publish(string key, string column, string value)
    {
        Reported[(key, column)] = value;
        Directory.CreateDirectory(FiguresDirectory);
        File.WriteAllText(FigurePath(key, column), value);
    }

    /// <summary>A figure published by <see cref="Publish"/> in this process or a benchmark host.</summary>
    public static string? Read(string key, string column)
    {
        if (Reported.TryGetValue((key, column), out string? value))
        {
            return value;
        }

        string path = FigurePath(key, column);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static string FigurePath(string key, string column) =>
        Path.Combine(FiguresDirectory, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key + "\n" + column))) + ".txt");

    /// <summary>Formats a latency as the latency columns show it.</summary>
    public static string FormatLatency(TimeSpan t) => t.TotalMilliseconds >= 1
        ? t.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : (t.TotalMilliseconds * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " us";

    public sealed class OperationsPerSecond : IColumn
    {
        public string Id => "OpsPerSecond";
        public string ColumnName => "Ops/s (median)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Operations per second: 1 / the median time per operation";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            double? median = report?.ResultStatistics?.Median;
            return median is double ns && ns > 0 ? (1e9 / ns).ToString("N0", CultureInfo.InvariantCulture) : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }

    public sealed class Latency(string name, double quantile) : IColumn
    {
        public string Id => "Latency" + name;
        public string ColumnName => name + " latency";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 1;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"{name} of the per-operation latency over every operation after the first invocation";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            return Read(Key(benchmarkCase), name) ?? "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;

        /// <summary>Publishes this column's percentile of a case's recorded latencies (called by the host that measured it).</summary>
        public void Publish(string key)
        {
            if (LatencyRecorder.Find(key)?.Percentile(quantile) is TimeSpan t)
            {
                CaseColumns.Publish(key, name, FormatLatency(t));
            }
        }
    }

    public sealed class ReportedFigure(string column, string legend) : IColumn
    {
        public string Id => "Reported" + column;
        public string ColumnName => column;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 2;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            Read(Key(benchmarkCase), column) ?? "-";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
