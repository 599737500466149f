using System.Diagnostics.Metrics;
using AgentQuotas.Telemetry;

namespace AgentQuotas.Postgres;

/// <summary>
/// Instruments of AgentQuotas.Postgres, on a meter named <see cref="QuotaTelemetry.MeterName"/> like the rest
/// of AgentQuotas, so one listener sees them all.
/// </summary>
public static class PostgresTelemetry
{
    private static readonly Meter Meter = new(QuotaTelemetry.MeterName, typeof(PostgresTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>(Instruments.RoundTrips, "{statement}", "Statements sent to PostgreSQL by quota stores.");

    internal static readonly Counter<long> LeasedAdmissions = Meter.CreateCounter<long>(Instruments.LeasedAdmissions, "{call}", "Requests admitted from a local lease without a round trip.");

    internal static readonly Counter<long> Unavailable = Meter.CreateCounter<long>(Instruments.Unavailable, "{call}", "Requests decided by the failure mode while PostgreSQL was unreachable.");

    internal static readonly Counter<long> AuditWritten = Meter.CreateCounter<long>(Instruments.AuditWritten, "{record}", "Audit records written to PostgreSQL.");

    internal static readonly Counter<long> AuditRetries = Meter.CreateCounter<long>(Instruments.AuditRetries, "{batch}", "Audit batches that failed and were retried.");

    /// <summary>Instrument names.</summary>
    public static class Instruments
    {
        /// <summary>Statements sent to PostgreSQL by quota stores (counter; tagged with the operation).</summary>
        public const string RoundTrips = "agentquotas.store.round_trips";

        /// <summary>Requests admitted from a local lease (counter).</summary>
        public const string LeasedAdmissions = "agentquotas.store.leased";

        /// <summary>Requests decided by the failure mode while the server was unreachable (counter; tagged with the mode).</summary>
        public const string Unavailable = "agentquotas.store.unavailable";

        /// <summary>Audit records written to PostgreSQL (counter).</summary>
        public const string AuditWritten = "agentquotas.audit.written";

        /// <summary>Audit batches retried after a failure (counter).</summary>
        public const string AuditRetries = "agentquotas.audit.retries";
    }

    /// <summary>Tag names (besides <see cref="QuotaTelemetry.Tags"/>).</summary>
    public static class Tags
    {
        /// <summary>The store operation: acquire, lease, settle, read.</summary>
        public const string Operation = "agentquotas.store.operation";

        /// <summary>The failure mode that decided.</summary>
        public const string FailureMode = "agentquotas.store.failure_mode";
    }
}
