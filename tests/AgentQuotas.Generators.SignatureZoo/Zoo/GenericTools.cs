using AgentQuotas;

namespace Zoo;

public interface IShape
{
    double Area { get; }
}

public class ShapeBase : IShape
{
    public double Area => 1;
}

public sealed class Square : ShapeBase, IComparable<Square>
{
    public int CompareTo(Square? other) => 0;
}

public struct Unmanaged
{
    public int Value;
}

/// <summary>Generic methods with every kind of constraint, generic results, and closed methods of generic types.</summary>
[QuotaCategory("zoo")]
public sealed class GenericTools
{
    [Cost(1)] public T Unconstrained<T>(T value) => Probe.Hit(value);

    [Cost(1)] public T Class<T>(T value) where T : class => Probe.Hit(value);

    [Cost(1)] public T? NullableClass<T>(T? value) where T : class? => Probe.Hit(value);

    [Cost(1)] public T Struct<T>(T value) where T : struct => Probe.Hit(value);

    [Cost(1)] public T? NullableStruct<T>(T? value) where T : struct => Probe.Hit(value);

    [Cost(1)] public T Unmanaged<T>(T value) where T : unmanaged => Probe.Hit(value);

    [Cost(1)] public T NotNull<T>(T value) where T : notnull => Probe.Hit(value);

    [Cost(1)] public T New<T>() where T : new() => Probe.Hit(new T());

    [Cost(1)] public double BaseType<T>(T value) where T : ShapeBase => Probe.Hit(value.Area);

    [Cost(1)] public double Interface<T>(T value) where T : IShape => Probe.Hit(value.Area);

    [Cost(1)] public int SelfReferencing<T>(T value) where T : IComparable<T> => Probe.Hit(value.CompareTo(value));

    [Cost(1)] public T Multiple<T>(T value) where T : ShapeBase, IComparable<T>, new() => Probe.Hit(value);

    [Cost(1)] public U Two<T, U>(T value) where T : U where U : class => Probe.Hit<U>(value);

    [Cost(1)] public string Enum<T>(T value) where T : struct, Enum => Probe.Hit(value.ToString());

    [Cost(1)] public int Delegate<T>(T value) where T : Delegate => Probe.Hit(value.GetInvocationList().Length);

    [Cost(1)] public int AllowsRefStruct<T>(T value) where T : allows ref struct => Probe.Hit(1);

    [Cost(1)] public T[] ArrayOf<T>(T value) => Probe.Hit(new[] { value });

    [Cost(1)] public List<T> ListOf<T>(T value) => Probe.Hit(new List<T> { value });

    [Cost(1)] public async Task<T> TaskOf<T>(T value)
    {
        await Task.Yield();
        return Probe.Hit(value);
    }

    [Cost(1)] public ValueTask<T> ValueTaskOf<T>(T value) where T : notnull => new(Probe.Hit(value));

    [Cost(1)] public Dictionary<TKey, TValue> Pair<TKey, TValue>(TKey key, TValue value) where TKey : notnull => Probe.Hit(new Dictionary<TKey, TValue> { [key] = value });

    [Cost(1)] public string Inferred<T>(T value) => Probe.Hit(typeof(T).Name);
}

/// <summary>A generic tool type, called with concrete type arguments.</summary>
[QuotaCategory("zoo")]
public sealed class Box<T>
{
    public Box(T value)
    {
        Value = value;
    }

    public T Value { get; }

    [Cost(1)] public T Get() => Probe.Hit(Value);

    [Cost(1)] public U Map<U>(Func<T, U> map) => Probe.Hit(map(Value));

    [Cost(1)] public static Box<T> Of(T value) => Probe.Hit(new Box<T>(value));

    public sealed class Inner<U>
    {
        [QuotaCategory("zoo"), Cost(1)]
        public (T, U) Both(T t, U u) => Probe.Hit((t, u));
    }
}

public static class GenericExtensions
{
    [QuotaCategory("zoo"), Cost(1)]
    public static T FirstOr<T>(this IEnumerable<T> items, T fallback) => Probe.Hit(items.DefaultIfEmpty(fallback).First());

    [QuotaCategory("zoo"), Cost(1)]
    public static int CountOf<T>(this T[] items) where T : class => Probe.Hit(items.Length);
}

public static class GenericShapes
{
    public static IEnumerable<Shape> All(GenericTools t) =>
    [
        new("generics/unconstrained", () => t.Unconstrained(1)),
        new("generics/explicit type argument", () => t.Unconstrained<string>("a")),
        new("generics/class", () => t.Class("a")),
        new("generics/class?", () => t.NullableClass<string>(null)),
        new("generics/struct", () => t.Struct(1.5)),
        new("generics/struct T?", () => t.NullableStruct<int>(null)),
        new("generics/unmanaged", () => t.Unmanaged(new Unmanaged { Value = 1 })),
        new("generics/notnull", () => t.NotNull("a")),
        new("generics/new()", () => t.New<List<int>>()),
        new("generics/base type", () => t.BaseType(new Square())),
        new("generics/interface", () => t.Interface(new ShapeBase())),
        new("generics/self-referencing", () => t.SelfReferencing(3)),
        new("generics/multiple constraints", () => t.Multiple(new Square())),
        new("generics/T : U", () => t.Two<Square, ShapeBase>(new Square())),
        new("generics/Enum", () => t.Enum(Color.Red)),
        new("generics/Delegate", () => t.Delegate<Action>(() => { })),
        new("generics/allows ref struct", () => t.AllowsRefStruct(1)),
        new("generics/T[]", () => t.ArrayOf("a")),
        new("generics/List<T>", () => t.ListOf(1)),
        new("generics/Task<T>", () => t.TaskOf(new Order("o", 1m))),
        new("generics/ValueTask<T>", () => t.ValueTaskOf(2).AsTask()),
        new("generics/two type parameters", () => t.Pair("k", 1)),
        new("generics/anonymous type", () => t.Inferred(new { A = 1 })),
        new("generics/Box<int>.Get", () => new Box<int>(1).Get()),
        new("generics/Box<string>.Map<int>", () => new Box<string>("abc").Map(s => s.Length)),
        new("generics/Box<Order>.Of (static)", () => Box<Order>.Of(new Order("o", 1m))),
        new("generics/Box<int>.Inner<string>.Both", () => new Box<int>.Inner<string>().Both(1, "a")),
        new("generics/extension on IEnumerable<T>", () => new[] { 1, 2 }.FirstOr(0)),
        new("generics/extension on T[] where T : class", () => new[] { "a" }.CountOf()),
    ];
}
