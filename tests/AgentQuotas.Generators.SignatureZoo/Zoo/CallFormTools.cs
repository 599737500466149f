using AgentQuotas;

namespace Zoo;

public interface IReader
{
    string Read();
}

public sealed class Reader : IReader
{
    public string Read() => "read";
}

/// <summary>Static, instance and extension calls, in each call form.</summary>
[QuotaCategory("zoo")]
public sealed class CallFormTools
{
    [Cost(1)] public string Instance(string x) => Probe.Hit(x);

    [Cost(1)] public static string Static(string x) => Probe.Hit(x);

    public string Implicit(string x) => Instance(x);
}

public static class CallFormExtensions
{
    [QuotaCategory("zoo"), Cost(1)]
    public static string OnClass(this CallFormTools tools, string x) => Probe.Hit(x);

    [QuotaCategory("zoo"), Cost(1)]
    public static string OnInterface(this IReader reader) => Probe.Hit(reader.Read());

    [QuotaCategory("zoo"), Cost(1)]
    public static int OnStruct(this Point point) => Probe.Hit(point.X);

    [QuotaCategory("zoo"), Cost(1)]
    public static int OnArray(this string[] values) => Probe.Hit(values.Length);

    [QuotaCategory("zoo"), Cost(1)]
    public static string OnString(this string text) => Probe.Hit(text.ToUpperInvariant());

    [QuotaCategory("zoo"), Cost(1)]
    public static async Task<string> OnClassAsync(this CallFormTools tools, string x)
    {
        await Task.Yield();
        return Probe.Hit(x);
    }
}

public static class CallFormShapes
{
    public static IEnumerable<Shape> All(CallFormTools t) =>
    [
        new("calls/instance", () => t.Instance("i")),
        new("calls/static", () => CallFormTools.Static("s")),
        new("calls/implicit this", () => t.Implicit("i")),
        new("calls/null-conditional", () => MaybeNull(t)?.Instance("n")),
        new("calls/extension (instance form)", () => t.OnClass("e")),
        new("calls/extension (static form)", () => CallFormExtensions.OnClass(t, "e")),
        new("calls/extension on interface", () => new Reader().OnInterface()),
        new("calls/extension on struct", () => new Point { X = 1 }.OnStruct()),
        new("calls/extension on array", () => new[] { "a" }.OnArray()),
        new("calls/extension on string", () => "abc".OnString()),
        new("calls/async extension", () => t.OnClassAsync("a")),
        new("calls/inside a lambda", () => new Func<string>(() => t.Instance("lambda"))()),
        new("calls/inside a local function", () => { string Local() => t.Instance("local"); return Local(); }),
        new("calls/in a conditional", () => DateTime.UnixEpoch.Year > 1 ? t.Instance("yes") : "no"),
        new("calls/as an argument", () => string.Concat(t.Instance("a"), "!")),
    ];

    private static CallFormTools? MaybeNull(CallFormTools t) => t;
}
