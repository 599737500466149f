using AgentQuotas;

namespace Zoo;

public readonly struct Big
{
    public Big(long value)
    {
        A = value;
    }

    public long A { get; }
}

/// <summary>params (array and collections), in, ref readonly, ref, out, scoped ref structs.</summary>
[QuotaCategory("zoo")]
public sealed class ModifierTools
{
    [AgentTool("ParamsArray", "Zoo tool ParamsArray."), Cost(1)] public int ParamsArray(params int[] values) => Probe.Hit(values.Length);

    [AgentTool("ParamsAfterValue", "Zoo tool ParamsAfterValue."), Cost(1)] public int ParamsAfterValue(string label, params string[] values) => Probe.Hit(label.Length + values.Length);

    [Cost(1)] public int ParamsSpan(params ReadOnlySpan<int> values) => Probe.Hit(values.Length);

    [Cost(1)] public int ParamsEnumerable(params IEnumerable<int> values) => Probe.Hit(values.Count());

    [Cost(1)] public int ParamsList(params List<string> values) => Probe.Hit(values.Count);

    [Cost(1)] public int In(in int value) => Probe.Hit(value);

    [Cost(1)] public long InStruct(in Big big) => Probe.Hit(big.A);

    [Cost(1)] public int RefReadonly(ref readonly int value) => Probe.Hit(value);

    [Cost(1)] public int Ref(ref int value) => Probe.Hit(++value);

    [Cost(1)] public bool Out(string text, out int value) => Probe.Hit(int.TryParse(text, out value));

    [Cost(1)] public void OutString(out string text) => text = Probe.Hit("out");

    [Cost(1)] public int Scoped(scoped Span<int> values) => Probe.Hit(values.Length);

    [Cost(1)] public void RefAndOut(ref string text, out bool changed)
    {
        changed = text != "x";
        text = Probe.Hit("x");
    }

    [Cost(1)] public int Mixed(in int a, ref int b, out int c, params int[] rest)
    {
        c = a + b + rest.Length;
        return Probe.Hit(c);
    }
}

public static class ModifierExtensions
{
    [QuotaCategory("zoo"), Cost(1)]
    public static long ByIn(this in Big big) => Probe.Hit(big.A);

    [QuotaCategory("zoo"), Cost(1)]
    public static int ByRef(this ref Point point) => Probe.Hit(++point.X);

    [QuotaCategory("zoo"), Cost(1)]
    public static int ByRefReadonly(this ref readonly Point point) => Probe.Hit(point.Y);
}

public static class ModifierShapes
{
    public static IEnumerable<Shape> All(ModifierTools t) =>
    [
        new("modifiers/params int[]", () => t.ParamsArray(1, 2, 3)),
        new("modifiers/params int[] none", () => t.ParamsArray()),
        new("modifiers/params after a value", () => t.ParamsAfterValue("l", "a", "b")),
        new("modifiers/params ReadOnlySpan<int>", () => t.ParamsSpan(1, 2)),
        new("modifiers/params IEnumerable<int>", () => t.ParamsEnumerable(1, 2)),
        new("modifiers/params List<string>", () => t.ParamsList("a")),
        new("modifiers/in", () => { int v = 1; return t.In(in v); }),
        new("modifiers/in (by value at the call)", () => t.In(2)),
        new("modifiers/in struct", () => { var b = new Big(3); return t.InStruct(in b); }),
        new("modifiers/ref readonly", () => { int v = 4; return t.RefReadonly(in v); }),
        new("modifiers/ref", () => { int v = 5; int r = t.Ref(ref v); return r + v; }),
        new("modifiers/out", () => t.Out("12", out int value) ? value : -1),
        new("modifiers/out string", () => { t.OutString(out string s); return s; }),
        new("modifiers/scoped Span", () => t.Scoped(stackalloc int[2])),
        new("modifiers/ref and out", () => { string s = "y"; t.RefAndOut(ref s, out bool changed); return s + changed; }),
        new("modifiers/mixed", () => { int b = 1; return t.Mixed(1, ref b, out int c, 1, 2) + c; }),
        new("modifiers/this in", () => new Big(7).ByIn()),
        new("modifiers/this ref", () => { var p = new Point(); return p.ByRef(); }),
        new("modifiers/this ref readonly", () => { var p = new Point { Y = 2 }; return p.ByRefReadonly(); }),
    ];
}
