using System.Runtime.CompilerServices;

namespace Zoo;

/// <summary>Counts tool bodies that ran, per test (an async-local box, so parallel tests do not mix).</summary>
public static class Probe
{
    private static readonly AsyncLocal<StrongBox<int>?> Hits = new();

    public static StrongBox<int> Start()
    {
        var box = new StrongBox<int>();
        Hits.Value = box;
        return box;
    }

    public static T Hit<T>(T value)
    {
        if (Hits.Value is StrongBox<int> box)
        {
            Interlocked.Increment(ref box.Value);
        }

        return value;
    }

    public static void Hit() => Hit(0);
}

/// <summary>One tool shape: a name and a direct call to it (the call site the generator intercepts).</summary>
public sealed record Shape(string Name, Func<object?> Call)
{
    public override string ToString() => Name;
}
