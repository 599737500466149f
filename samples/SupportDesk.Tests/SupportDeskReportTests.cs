using AgentQuotas;
using SupportDesk.Reporting;

namespace SupportDesk.Tests;

/// <summary>
/// What the README's run must show, asserted on its report for seed 42: drafts instead of unapproved refunds, the
/// Batch tenant finishing its work, refusals that say when to retry, the runaway loop capped and flagged.
/// </summary>
public class SupportDeskReportTests(DefaultRunFixture run) : IClassFixture<DefaultRunFixture>
{
    private SupportDeskReport Report => run.Report;

    [Fact]
    public void The_run_covers_the_six_kinds_of_tenant_on_their_tiers()
    {
        Assert.Equal(["acme", "globex", "umbrella", "initech", "piedpiper", "wonka"], Report.Tenants.Select(t => t.Tenant));
        Assert.Equal(["enterprise", "standard", "enterprise", "free", "standard", "enterprise"], Report.Tenants.Select(t => t.Tier));
        Assert.Equal([WorkloadClass.Critical, WorkloadClass.High, WorkloadClass.Standard, WorkloadClass.Batch], Report.Classes.Select(c => c.Class));
        Assert.Equal(TimeSpan.FromMinutes(3), Report.Duration);
        Assert.True(Report.VirtualTime);
        Assert.Equal("2026-11-21.1", Report.PolicyVersion);
        Assert.All(Report.Tenants, t => Assert.True(t.Conversations.Started > 10, $"{t.Tenant} started {t.Conversations.Started} conversations"));
        Assert.All(Report.Tenants, t => Assert.True(t.Calls.Admitted > 0 && t.Cost > 0, $"{t.Tenant} ran nothing"));
    }

    [Fact]
    public void A_privileged_refund_without_approval_degrades_to_a_draft()
    {
        // globex's refunds go to review (pending): every one is served by the draft fallback, and no money moves.
        TenantReport globex = Report.Tenant("globex");
        Assert.True(globex.Calls.Degraded.GetValueOrDefault(DegradationMode.DraftOnly) > 0);
        Assert.Equal([DegradationMode.DraftOnly], globex.Calls.Degraded.Keys);
        Assert.True(globex.Calls.DegradedReasons.GetValueOrDefault(QuotaReason.ApprovalRequired) > 0);
        Assert.Equal(0, globex.Activity.RefundsIssued);
        Assert.Equal(0m, globex.Activity.RefundedAmount);
        Assert.Equal(globex.Calls.Degraded[DegradationMode.DraftOnly], globex.Activity.RefundsDrafted); // refunds are the only tool with a fallback

        // initech's plan refuses refunds outright: drafts too, with the approver's refusal as the reason.
        TenantReport initech = Report.Tenant("initech");
        Assert.True(initech.Calls.DegradedReasons.GetValueOrDefault(QuotaReason.ApprovalDenied) > 0);
        Assert.Equal(0, initech.Activity.RefundsIssued);
    }

    [Fact]
    public void A_refund_the_approver_approves_runs_in_full()
    {
        TenantReport acme = Report.Tenant("acme");
        Assert.True(acme.Activity.RefundsIssued > 0);
        Assert.True(acme.Activity.RefundedAmount > 0);
        Assert.Equal(0, acme.Activity.RefundsDrafted);
        Assert.Equal(0, acme.Calls.DegradedTotal);
    }

    [Fact]
    public void The_Batch_tenant_still_completes_its_work()
    {
        TenantReport umbrella = Report.Tenant("umbrella");
        Assert.Equal([WorkloadClass.Batch], umbrella.Classes);
        Assert.True(umbrella.Conversations.Started >= 60, $"umbrella started {umbrella.Conversations.Started} digests");
        Assert.True(umbrella.Conversations.AnsweredShare >= 0.9, $"umbrella answered {umbrella.Conversations.AnsweredShare:P0} of its digests");
        Assert.Equal(0, umbrella.Calls.DeniedTotal);
        Assert.Equal(umbrella.Conversations.Answered, umbrella.Activity.Summaries);
        Assert.True(umbrella.Calls.Queued > 0, "Batch never had to wait, so the run did not test its share");
        Assert.Equal(0.2, Report.BatchReservedShare);
    }

    [Fact]
    public void A_denied_call_carries_RetryAfter()
    {
        // The free tenant's searches outrun its bucket: refused early, with the estimated wait as RetryAfter.
        TenantReport initech = Report.Tenant("initech");
        Assert.True(initech.Calls.Denied.GetValueOrDefault(QuotaReason.QueueTimeout) > 0);
        DenialExample denial = Assert.IsType<DenialExample>(initech.FirstDenialWithRetryAfter);
        Assert.Equal("search_kb", denial.Tool);
        Assert.Equal(QuotaReason.QueueTimeout, denial.Reason);
        Assert.True(denial.RetryAfter > TimeSpan.Zero);
        Assert.Contains("Retry after", denial.Message, StringComparison.Ordinal);
        Assert.True(initech.Conversations.DenialsWithRetryAfter >= initech.Calls.Denied[QuotaReason.QueueTimeout]);

        // The noisy tenant's bursts are refused the same way, and the others' Critical work never is.
        Assert.NotNull(Report.Tenant("piedpiper").FirstDenialWithRetryAfter);
        Assert.Equal(0, Report.Class(WorkloadClass.Critical).Calls.DeniedTotal);
    }

    [Fact]
    public void The_runaway_tenants_loops_are_capped_and_its_spend_is_flagged()
    {
        TenantReport wonka = Report.Tenant("wonka");
        Assert.True(wonka.Conversations.StoppedBy.GetValueOrDefault(QuotaReason.RunIterationLimit) > 0, "no loop reached the [AgentLoop] cap");

        AnomalyReport anomaly = Assert.Single(Report.Anomalies);
        Assert.Equal("wonka", anomaly.Tenant);
        Assert.Same(anomaly, wonka.Anomaly);
        Assert.Equal("quarantine", anomaly.QuarantineTier);
        Assert.True(anomaly.At >= TimeSpan.FromMinutes(3) * 0.7, $"flagged at {anomaly.At}, before the runaway began");
        Assert.Contains("baseline", anomaly.Detail, StringComparison.Ordinal);
        Assert.True(wonka.Calls.Denied.GetValueOrDefault(QuotaReason.AnomalyQuarantine) > 0, "the quarantine tier refused nothing");
    }

    [Fact]
    public void The_report_adds_up()
    {
        foreach (TenantReport t in Report.Tenants)
        {
            ConversationCounts c = t.Conversations;
            Assert.Equal(c.Started, c.Answered + c.Stopped + c.CutOff);
            Assert.Equal(c.Stopped, c.StoppedBy.Values.Sum());
            Assert.True(t.Calls.AdmittedAfterWaiting <= t.Calls.Admitted);
            Assert.Equal(t.Calls.Admitted, t.QueueWait.Calls);
            Assert.True(t.QueueWait.P50 <= t.QueueWait.P95 && t.QueueWait.P95 <= t.QueueWait.P99 && t.QueueWait.P99 <= t.QueueWait.Max);
            Assert.Equal(t.Cost, t.CostByCategory.Values.Sum(), 6);
            Assert.True(t.CostByCategory.GetValueOrDefault("model") > 0, $"{t.Tenant} was not charged for tokens");
        }

        Assert.Equal(Report.Tenants.Sum(t => t.Calls.Admitted), Report.Classes.Sum(c => c.Calls.Admitted));
        Assert.Equal(Report.Tenants.Sum(t => t.Conversations.Started), Report.Classes.Sum(c => c.Conversations.Started));
        Assert.Equal(Report.Tenants.Sum(t => t.Cost), Report.Classes.Sum(c => c.Cost), 6);
        Assert.All(Report.Pools, p => Assert.InRange(p.PeakInUse, 1, p.Concurrency));
    }

    [Fact]
    public void The_text_names_what_happened()
    {
        string text = Report.ToText();
        Assert.Contains("Per tenant", text, StringComparison.Ordinal);
        Assert.Contains("Per class", text, StringComparison.Ordinal);
        Assert.Contains("wonka: spend anomaly flagged at", text, StringComparison.Ordinal);
        Assert.Contains("were drafted instead (DraftOnly: ApprovalRequired", text, StringComparison.Ordinal);
        Assert.Contains("stopped at the 8-turn cap ([AgentLoop(MaxIterations = 8)])", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal); // plain text, no colour codes
    }

    [Fact]
    public void Model_turns_are_routed_per_model_and_shown_in_the_report()
    {
        ModelUsage premium = Assert.Single(Report.Models, m => m.Model == "premium");
        ModelUsage small = Assert.Single(Report.Models, m => m.Model == "small");

        Assert.True(premium.Turns > 0, "no turn reached the premium model");
        Assert.True(small.Rerouted > 0, "no turn moved to the small model: the premium pool never saturated");
        Assert.Equal(0, premium.Rerouted); // the most capable model is the preference: nothing moves up to it
        Assert.DoesNotContain(Report.Models, m => m.Model == "(unknown model)");
        string text = Report.ToText();
        Assert.Contains("Model routing: premium", text, StringComparison.Ordinal);
    }
}
