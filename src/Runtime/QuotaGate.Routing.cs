using AgentQuotas.Routing;

namespace AgentQuotas;

// Queue-aware model routing (issue 17): the gate's router over the model pools of the policy's "models" section.
public sealed partial class QuotaGate
{
    private ModelRouter? _models;
    private ModelPools? _modelPools;

    /// <summary>
    /// The model router: sends a run's model turn to its preferred model of the policy's <c>models</c> section unless that
    /// model's pool is saturated or its estimated wait exceeds the class's budget (see <see cref="ModelRouter"/>).
    /// </summary>
    public ModelRouter Models
    {
        get
        {
            if (Volatile.Read(ref _models) is ModelRouter router)
            {
                return router;
            }

            ThrowIfDisposed();
            lock (_pipeline)
            {
                if (_models is null)
                {
                    _modelPools = new ModelPools(TimeProvider, _buckets.RunContinuationsAsynchronously);
                    Volatile.Write(ref _models, new ModelRouter(this, _modelPools));
                }

                return _models;
            }
        }
    }

    // Ends every wait for a model slot (called when the gate is disposed).
    private void ReleaseModelPools()
    {
        lock (_pipeline)
        {
            _modelPools?.Dispose();
        }
    }
}
