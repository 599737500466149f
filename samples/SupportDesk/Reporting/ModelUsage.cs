namespace SupportDesk.Reporting;

/// <summary>The model turns routed to one model: how many, how many of them moved there from a saturated preferred model, and how many waited.</summary>
public sealed record ModelUsage(string Model, long Turns, long Rerouted, long Waited, long Refused);
