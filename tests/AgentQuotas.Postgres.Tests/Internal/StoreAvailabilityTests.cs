using AgentQuotas.Postgres.Internal;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Postgres.Tests.Internal;

/// <summary>The reconnect circuit on virtual time: who may try the server, and when.</summary>
public sealed class StoreAvailabilityTests
{
    private readonly FakeTimeProvider _time = TestTime.Create();

    [Fact]
    public void After_the_first_failure_one_request_tries_at_once_then_tries_back_off_doubling_up_to_the_maximum()
    {
        var circuit = new StoreAvailability(_time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        Assert.True(circuit.TryEnter(out bool probe) && !probe);
        Assert.True(circuit.OnFailure("refused", probe: false));   // became unavailable
        Assert.False(circuit.IsAvailable);

        Assert.True(circuit.TryEnter(out probe) && probe);         // at once: maybe only a dead pooled connection
        Assert.False(circuit.TryEnter(out _));                      // one probe at a time
        Assert.False(circuit.OnFailure("refused", probe: true));
        Assert.False(circuit.TryEnter(out _));

        _time.Advance(TimeSpan.FromSeconds(1));                     // 1 s
        Assert.True(circuit.TryEnter(out probe) && probe);
        circuit.OnFailure("refused", probe: true);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(circuit.TryEnter(out _));                      // 2 s now
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(circuit.TryEnter(out probe) && probe);
        circuit.OnFailure("refused", probe: true);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(circuit.TryEnter(out _));                      // capped at 3 s
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(circuit.TryEnter(out probe) && probe);

        Assert.True(circuit.OnSuccess(probe));                      // back
        Assert.True(circuit.IsAvailable);
        Assert.Equal("refused", circuit.Reason);
    }

    [Fact]
    public void A_probe_that_finds_the_circuit_already_closed_still_frees_its_slot_for_the_next_outage()
    {
        var circuit = new StoreAvailability(_time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        circuit.OnFailure("down", probe: false);
        Assert.True(circuit.TryEnter(out bool probe) && probe);
        Assert.True(circuit.OnSuccess(probe: false));               // an in-flight request answered first
        Assert.False(circuit.OnSuccess(probe));                     // the probe's own success comes later

        circuit.OnFailure("down again", probe: false);
        Assert.True(circuit.TryEnter(out probe) && probe);          // the next outage can still be probed
    }

    [Fact]
    public void An_abandoned_probe_lets_another_request_try()
    {
        var circuit = new StoreAvailability(_time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        circuit.OnFailure("down", probe: false);
        Assert.True(circuit.TryEnter(out bool probe) && probe);
        circuit.AbandonProbe();                                     // cancelled by its caller
        Assert.True(circuit.TryEnter(out probe) && probe);
    }
}
