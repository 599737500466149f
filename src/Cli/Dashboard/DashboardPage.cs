using System.Globalization;

namespace AgentQuotas.Cli.Dashboard;

/// <summary>
/// The dashboard page: one HTML document with its style and script inline. It renders the inlined first snapshot at
/// once, then polls <c>/api/snapshot</c>. Every value from the source is written with <c>textContent</c>, never as markup.
/// </summary>
internal static class DashboardPage
{
    public static string Render(string snapshotJson, TimeSpan poll)
    {
        // The JSON serializer escapes '<', '>' and '&', so the snapshot cannot close the script element.
        return Template
            .Replace("__SNAPSHOT__", snapshotJson, StringComparison.Ordinal)
            .Replace("__POLL_MS__", ((int)poll.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private const string Template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>AgentQuotas dashboard</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 16px; color: #1d2330; background: #ffffff; }
          h1 { font-size: 20px; margin: 0 0 4px 0; }
          h2 { font-size: 15px; margin: 18px 0 6px 0; }
          #status { color: #5a6270; font-size: 12px; }
          #status.error { color: #b00020; font-weight: bold; }
          section { display: inline-block; vertical-align: top; margin-right: 24px; }
          table { border-collapse: collapse; font-size: 12px; }
          th, td { border-bottom: 1px solid #d8dce3; padding: 3px 8px; text-align: left; }
          th { background: #eef1f6; }
          td.num { text-align: right; font-variant-numeric: tabular-nums; }
          .bar { display: inline-block; height: 10px; background: #2f7ed8; vertical-align: middle; }
          .bar.pool { background: #8e44ad; }
          .bar.queue { background: #e67e22; }
          .bar.track { background: #e3e7ee; width: 120px; position: relative; }
          .bar.track > .bar { position: absolute; left: 0; top: 0; }
          tr.flagged td { background: #fde2e2; }
          .empty { color: #8a919c; font-style: italic; }
        </style>
        </head>
        <body>
        <h1>AgentQuotas</h1>
        <div id="status"></div>
        <section id="buckets"><h2>Tenants and buckets</h2><table><thead><tr><th>tenant</th><th>tier</th><th>category</th><th>level</th><th></th><th>burst credits</th><th>queued</th></tr></thead><tbody></tbody></table></section>
        <section id="queues"><h2>Queues by class</h2><table><thead><tr><th>class</th><th>bucket queues</th><th>pool queues</th><th></th></tr></thead><tbody></tbody></table></section>
        <section id="pools"><h2>Compute pools</h2><table><thead><tr><th>pool</th><th>in use</th><th></th><th>reserved</th></tr></thead><tbody></tbody></table></section>
        <section id="anomalies"><h2>Anomalies</h2><table><thead><tr><th>tenant</th><th>flagged at</th><th>detail</th></tr></thead><tbody></tbody></table></section>
        <section id="denials"><h2>Recent denials</h2><table><thead><tr><th>at</th><th>tenant</th><th>tool</th><th>category</th><th>reason</th></tr></thead><tbody></tbody></table></section>
        <script id="snapshot" type="application/json">__SNAPSHOT__</script>
        <script>
        (function () {
          "use strict";
          function cell(row, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; row.appendChild(td); return td; }
          function bar(row, value, max, cls) {
            var td = cell(row, ""), track = document.createElement("span"), fill = document.createElement("span");
            track.className = "bar track"; fill.className = "bar " + (cls || "");
            fill.style.width = Math.round(120 * Math.max(0, Math.min(1, max > 0 ? value / max : 0))) + "px";
            track.appendChild(fill); td.appendChild(track);
          }
          function fill(id, items, render, none) {
            var body = document.querySelector("#" + id + " tbody");
            body.textContent = "";
            if (items === null || items.length === 0) {
              var row = body.insertRow(); var td = cell(row, none, "empty"); td.colSpan = 8; return;
            }
            items.forEach(function (item) { render(body.insertRow(), item); });
          }
          function num(x) { return (Math.round(x * 100) / 100).toString(); }
          function time(t) { return new Date(t).toISOString().replace("T", " ").substring(0, 19) + "Z"; }
          function render(s) {
            var flagged = {};
            s.anomalies.forEach(function (a) { flagged[a.tenant] = true; });
            document.getElementById("status").className = "";
            document.getElementById("status").textContent = "source: " + s.source + " \u00b7 policy " + s.policyVersion + " \u00b7 " + time(s.at);
            fill("buckets", s.buckets, function (r, b) {
              if (flagged[b.tenant]) r.className = "flagged";
              cell(r, b.tenant); cell(r, b.tier); cell(r, b.category);
              cell(r, num(b.level) + " / " + num(b.capacity), "num"); bar(r, b.level, b.capacity);
              cell(r, num(b.burstCredits), "num"); cell(r, b.queued.toString(), "num");
            }, "no tenants yet");
            var most = 1;
            (s.queues || []).forEach(function (q) { most = Math.max(most, q.inBucketQueues + q.inPoolQueues); });
            fill("queues", s.queues, function (r, q) {
              cell(r, q.class); cell(r, q.inBucketQueues.toString(), "num"); cell(r, q.inPoolQueues.toString(), "num");
              bar(r, q.inBucketQueues + q.inPoolQueues, most, "queue");
            }, s.queues === null ? "queues live in each gate's process" : "nothing waiting");
            fill("pools", s.pools, function (r, p) {
              cell(r, p.name); cell(r, p.inUse + " / " + p.concurrency, "num"); bar(r, p.inUse, p.concurrency, "pool"); cell(r, p.reserved ? "yes" : "no");
            }, s.pools === null ? "pools live in each gate's process" : "no pools in the policy");
            fill("anomalies", s.anomalies, function (r, a) {
              r.className = "flagged"; cell(r, a.tenant); cell(r, time(a.flaggedAt)); cell(r, a.detail || "");
            }, "no tenant flagged");
            fill("denials", s.denials, function (r, d) {
              cell(r, time(d.at)); cell(r, d.tenant); cell(r, d.tool); cell(r, d.category); cell(r, d.reason);
            }, "no denials");
          }
          function poll() {
            fetch("/api/snapshot", { cache: "no-store" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
              .then(render)
              .catch(function (e) {
                var status = document.getElementById("status");
                status.className = "error"; status.textContent = "cannot refresh: " + e.message;
              });
          }
          render(JSON.parse(document.getElementById("snapshot").textContent));
          setInterval(poll, __POLL_MS__);
        })();
        </script>
        </body>
        </html>
        """;
}
