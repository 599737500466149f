using System.Runtime.CompilerServices;
using AgentQuotas.Routing;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>
/// A chat client over several model clients, one per model of the policy's <c>models</c> section, that sends each turn
/// where the current run's gate routes it (<see cref="QuotaGate.Models"/>): the preferred model unless its pool is
/// saturated or its estimated queue wait exceeds the class's budget, then the next model able to serve the turn.
/// </summary>
/// <remarks>
/// <para>
/// Fails closed: a turn outside any run throws <see cref="InvalidOperationException"/>. Who the turn is for comes from the
/// run; the request's <see cref="ChatOptions.ModelId"/> is only a preference (a routing rule's model wins over it), and a
/// model the policy does not define is refused with <see cref="QuotaReason.UnknownModel"/>. When no model can serve the
/// turn it is refused with <see cref="QuotaReason.NoModelAvailable"/> (a <see cref="QuotaExceededException"/>).
/// </para>
/// <para>
/// The inner client of the chosen model gets the request with <see cref="ChatOptions.ModelId"/> set to the model's name.
/// The response carries the route (<see cref="ModelRoute"/>) under <see cref="RouteKey"/>; the turn's tokens are priced
/// at the model's rates and counted per model when it ends. Place it beneath <see cref="GuardedChatClient"/> (which counts
/// the turn as an iteration) and the function-invoking client. Disposing it disposes every model client.
/// </para>
/// </remarks>
public sealed class ModelRoutingChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key of a response's (or its first update's) <see cref="ModelRoute"/>.</summary>
    public const string RouteKey = "agentquotas.route";

    private readonly Dictionary<string, IChatClient> _models;
    private readonly string[] _names;
    private readonly ModelRoutingChatClientOptions _options;
    private readonly QuotaTool? _charge;

    /// <summary>Creates the client.</summary>
    /// <param name="models">The model clients by model name (names as in the policy's <c>models</c> section); at least one.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">No model client, an empty name, or invalid options.</exception>
    public ModelRoutingChatClient(IReadOnlyDictionary<string, IChatClient> models, ModelRoutingChatClientOptions? options = null)
        : base(First(models))
    {
        _models = new Dictionary<string, IChatClient>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, IChatClient> model in models)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(model.Key, nameof(models));
            _models.Add(model.Key, model.Value ?? throw new ArgumentException("The client of model '" + model.Key + "' is null.", nameof(models)));
        }

        _names = [.. _models.Keys];
        _options = options ?? new ModelRoutingChatClientOptions();
        _options.Validate();
        _charge = _options.CostCategory is null ? null : new QuotaTool(_options.ToolName, _options.CostCategory);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using ModelRoute route = await RouteAsync(options, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await _models[route.Model.Name].GetResponseAsync(messages, For(route, options), cancellationToken).ConfigureAwait(false);
        Complete(route, response.Usage);
        response.ModelId ??= route.Model.Name;
        (response.AdditionalProperties ??= [])[RouteKey] = route;
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using ModelRoute route = await RouteAsync(options, cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        bool first = true;
        bool finished = false;
        try
        {
            await foreach (ChatResponseUpdate update in _models[route.Model.Name].GetStreamingResponseAsync(messages, For(route, options), cancellationToken).ConfigureAwait(false))
            {
                foreach (AIContent content in update.Contents)
                {
                    if (content is UsageContent used)
                    {
                        usage ??= new UsageDetails();
                        usage.Add(used.Details);
                    }
                }

                if (first)
                {
                    (update.AdditionalProperties ??= [])[RouteKey] = route;
                    first = false;
                }

                yield return update;
            }

            finished = true;
        }
        finally
        {
            // Tokens streamed before a failure or an early stop were still spent: price and count them.
            if (finished || usage is not null)
            {
                Complete(route, usage);
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (IChatClient client in _models.Values.Distinct())
            {
                if (!ReferenceEquals(client, InnerClient))
                {
                    client.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private static IChatClient First(IReadOnlyDictionary<string, IChatClient> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (KeyValuePair<string, IChatClient> model in models)
        {
            return model.Value ?? throw new ArgumentException("The client of model '" + model.Key + "' is null.", nameof(models));
        }

        throw new ArgumentException("A routing client needs at least one model client.", nameof(models));
    }

    private static ChatOptions For(ModelRoute route, ChatOptions? options)
    {
        ChatOptions routed = options?.Clone() ?? new ChatOptions();
        routed.ModelId = route.Model.Name;
        return routed;
    }

    private ValueTask<ModelRoute> RouteAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        AgentRun run = AgentRun.RequireCurrent("routed model turn");
        ModelRouter router = run.Gate.Models;
        return _options.AllowWaiting
            ? router.RouteAsync(run, options?.ModelId, _names, cancellationToken)
            : ValueTask.FromResult(router.Route(run, options?.ModelId, _names));
    }

    private void Complete(ModelRoute route, UsageDetails? usage) =>
        route.Complete(usage?.InputTokenCount ?? usage?.TotalTokenCount ?? 0, usage?.OutputTokenCount ?? 0, _charge);
}
