using System.Reflection;
using AgentQuotas.Tools;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

// A streamed tool function runs only while its stream is read, after the filter has returned. To keep the whole run inside
// the guard (so a failure fails the ticket and nothing runs unadmitted), the stream is read to its end within the guard and
// replayed to the caller. Prompt functions are model turns and stream as they are.
internal static class StreamReplay
{
    private static readonly MethodInfo BufferMethod = typeof(StreamReplay).GetMethod(nameof(BufferCoreAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo SingleMethod = typeof(StreamReplay).GetMethod(nameof(SingleCore), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async ValueTask<FunctionResult> BufferAsync(FunctionResult stream, CancellationToken cancellationToken)
    {
        if (ElementType(stream.GetValue<object>()) is not Type element)
        {
            return stream;
        }

        var replay = (ValueTask<object>)BufferMethod.MakeGenericMethod(element).Invoke(null, [stream.GetValue<object>(), cancellationToken])!;
        return new FunctionResult(stream, await replay.ConfigureAwait(false));
    }

    /// <summary>The fallback's draft as a one-item stream of the type the caller reads.</summary>
    public static object? Single(FunctionResult stream, ToolCallResult drafted)
    {
        Type? element = ElementType(stream.GetValue<object>());
        object? draft = drafted.Value;
        if (element is null || (draft is null ? element.IsValueType : !element.IsInstanceOfType(draft)))
        {
            throw new InvalidOperationException(
                $"{drafted.Message} Its fallback drafted a {draft?.GetType().Name ?? "null"}, which cannot be streamed as " +
                $"{element?.Name ?? "this stream"}; invoke '{drafted.ToolName}' without streaming to receive the draft.");
        }

        return SingleMethod.MakeGenericMethod(element).Invoke(null, [draft]);
    }

    private static Type? ElementType(object? value) =>
        value?.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))?.GetGenericArguments()[0];

    private static async ValueTask<object> BufferCoreAsync<T>(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await foreach (T item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items.ToAsyncEnumerable();
    }

    private static IAsyncEnumerable<T> SingleCore<T>(T item) => new[] { item }.ToAsyncEnumerable();
}
