using AgentQuotas;

namespace Zoo;

/// <summary>Where tools are declared: nested, static, sealed and abstract classes, records, interfaces, struct statics, non-public members.</summary>
public static class Holder
{
    [QuotaCategory("zoo")]
    public sealed class NestedTools
    {
        [Cost(1)] public string Nested() => Probe.Hit("nested");

        internal static class Deeper
        {
            [QuotaCategory("zoo"), Cost(1)]
            internal static string Deepest() => Probe.Hit("deepest");
        }
    }
}

[QuotaCategory("zoo")]
public static class StaticTools
{
    [Cost(1)] public static string Static(string x) => Probe.Hit(x);

    [Cost(1)] public static async ValueTask<string> StaticAsync(string x)
    {
        await Task.Yield();
        return Probe.Hit(x);
    }

    [Cost(1)] private static string PrivateStatic(string x) => Probe.Hit(x);

    public static string CallsPrivateStatic(string x) => PrivateStatic(x);
}

[QuotaCategory("zoo")]
public abstract class AbstractTools
{
    [Cost(1)] public static string StaticOnAbstract() => Probe.Hit("abstract static");

    [Cost(1)] public abstract string Abstract(string x);

    [Cost(1)] public virtual string Virtual(string x) => Probe.Hit("base " + x);

    [Cost(1)] protected string Protected(string x) => Probe.Hit(x);
}

public sealed class ConcreteTools : AbstractTools
{
    public override string Abstract(string x) => Probe.Hit("concrete " + x);

    public override string Virtual(string x) => Probe.Hit("override " + x);

    public string CallsProtected(string x) => Protected(x);
}

[QuotaCategory("zoo")]
public sealed record RecordTools(string Name)
{
    [Cost(1)] public string Describe() => Probe.Hit(Name);
}

[QuotaCategory("zoo")]
public readonly record struct RecordStructTools(int Value)
{
    [Cost(1)] public static int Create(int value) => Probe.Hit(new RecordStructTools(value).Value);
}

[QuotaCategory("zoo")]
public struct StructTools
{
    [Cost(1)] public static string Static() => Probe.Hit("struct static");
}

[QuotaCategory("zoo")]
public interface IZooTools
{
    [Cost(1)] string Find(string query);

    [Cost(1)] string DefaultImplementation(string query) => Probe.Hit("default " + query);
}

public sealed class ZooTools : IZooTools
{
    public string Find(string query) => Probe.Hit(query);
}

[QuotaCategory("zoo")]
public sealed partial class PartialTools
{
    [Cost(1)] public partial string Declared(string x);
}

public sealed partial class PartialTools
{
    public partial string Declared(string x) => Probe.Hit(x);
}

[QuotaCategory("zoo")]
public sealed class PrimaryConstructorTools(string prefix)
{
    [Cost(1)] public string Prefixed(string x) => Probe.Hit(prefix + x);
}

[QuotaCategory("zoo")]
public class AccessTools
{
    [Cost(1)] internal string Internal(string x) => Probe.Hit(x);

    [Cost(1)] protected internal string ProtectedInternal(string x) => Probe.Hit(x);

    [Cost(1)] private string Private(string x) => Probe.Hit(x);

    [Cost(1)] private async Task<string> PrivateAsync(string x)
    {
        await Task.Yield();
        return Probe.Hit(x);
    }

    [Cost(1)] private void PrivateVoid(ref int x) => Probe.Hit(++x);

    public string CallsPrivate(string x) => Private(x);

    public Task<string> CallsPrivateAsync(string x) => PrivateAsync(x);

    public int CallsPrivateVoid()
    {
        int x = 1;
        PrivateVoid(ref x);
        return x;
    }

    public string CallsThis(string x) => this.Internal(x);
}

[QuotaCategory("zoo")]
public sealed class @class
{
    [Cost(1)] public string @event(string @default) => Probe.Hit(@default);
}

public static class DeclaringShapes
{
    public static IEnumerable<Shape> All() =>
    [
        new("declaring/nested class", () => new Holder.NestedTools().Nested()),
        new("declaring/internal nested static", () => Holder.NestedTools.Deeper.Deepest()),
        new("declaring/static class", () => StaticTools.Static("s")),
        new("declaring/static ValueTask<T>", () => StaticTools.StaticAsync("s").AsTask()),
        new("declaring/private static (UnsafeAccessor)", () => StaticTools.CallsPrivateStatic("p")),
        new("declaring/static on abstract class", () => AbstractTools.StaticOnAbstract()),
        new("declaring/abstract through base", () => ((AbstractTools)new ConcreteTools()).Abstract("a")),
        new("declaring/abstract on override", () => new ConcreteTools().Abstract("a")),
        new("declaring/virtual through base", () => ((AbstractTools)new ConcreteTools()).Virtual("v")),
        new("declaring/virtual on override", () => new ConcreteTools().Virtual("v")),
        new("declaring/protected from derived", () => new ConcreteTools().CallsProtected("p")),
        new("declaring/record class", () => new RecordTools("r").Describe()),
        new("declaring/record struct static", () => RecordStructTools.Create(3)),
        new("declaring/struct static", () => StructTools.Static()),
        new("declaring/interface member", () => ((IZooTools)new ZooTools()).Find("q")),
        new("declaring/interface implementation (inherited annotations)", () => new ZooTools().Find("q")),
        new("declaring/default interface method", () => ((IZooTools)new ZooTools()).DefaultImplementation("q")),
        new("declaring/partial method", () => new PartialTools().Declared("p")),
        new("declaring/primary constructor", () => new PrimaryConstructorTools("pre-").Prefixed("x")),
        new("declaring/internal", () => new AccessTools().Internal("i")),
        new("declaring/protected internal", () => new AccessTools().ProtectedInternal("pi")),
        new("declaring/private (UnsafeAccessor)", () => new AccessTools().CallsPrivate("p")),
        new("declaring/private async (UnsafeAccessor)", () => new AccessTools().CallsPrivateAsync("p")),
        new("declaring/private ref void (UnsafeAccessor)", () => new AccessTools().CallsPrivateVoid()),
        new("declaring/through this", () => new AccessTools().CallsThis("t")),
        new("declaring/keyword type and member names", () => new @class().@event("d")),
    ];
}
