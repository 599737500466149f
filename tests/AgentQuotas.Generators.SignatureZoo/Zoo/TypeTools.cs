using System.Collections.Immutable;
using AgentQuotas;

namespace Zoo;

public enum Color { Red, Green, Blue }

[Flags]
public enum Access { None = 0, Read = 1, Write = 2, Admin = 4 }

public enum Signed : sbyte { Negative = -1, Zero = 0 }

public sealed record Order(string Id, decimal Amount);

public record class OpenRecord(string Name);

public readonly record struct Money(decimal Amount, string Currency);

public struct Point
{
    public int X { get; set; }

    public int Y { get; set; }
}

public sealed class Outer
{
    public sealed class Inner
    {
        public string Text { get; set; } = "inner";
    }
}

/// <summary>Parameter types: arrays, tuples, records, structs, enums, nullable, collections, primitives, delegates.</summary>
[QuotaCategory("zoo")]
public sealed class TypeTools
{
    [AgentTool("IntArray", "Zoo tool IntArray."), Cost(1)] public int IntArray(int[] values) => Probe.Hit(values.Length);

    [AgentTool("Jagged", "Zoo tool Jagged."), Cost(1)] public int Jagged(int[][] values) => Probe.Hit(values.Length);

    [Cost(1)] public int MultiDimensional(int[,] values) => Probe.Hit(values.Length);

    [AgentTool("List", "Zoo tool List."), Cost(1)] public int List(List<string> values) => Probe.Hit(values.Count);

    [AgentTool("Dictionary", "Zoo tool Dictionary."), Cost(1)] public int Dictionary(Dictionary<string, int> values) => Probe.Hit(values.Count);

    [AgentTool("ReadOnlyListOfRecords", "Zoo tool ReadOnlyListOfRecords."), Cost(1)] public int ReadOnlyListOfRecords(IReadOnlyList<Order> orders) => Probe.Hit(orders.Count);

    [AgentTool("Tuple", "Zoo tool Tuple."), Cost(1)] public int Tuple((int, string) pair) => Probe.Hit(pair.Item1);

    [AgentTool("NamedTuple", "Zoo tool NamedTuple."), Cost(1)] public int NamedTuple((int Count, string Label) pair) => Probe.Hit(pair.Count);

    [Cost(1)] public int LongTuple((int A, int B, int C, int D, int E, int F, int G, int H, int I) nine) => Probe.Hit(nine.I);

    [AgentTool("Record", "Zoo tool Record."), Cost(1)] public string Record(Order order) => Probe.Hit(order.Id);

    [AgentTool("UnsealedRecord", "Zoo tool UnsealedRecord."), Cost(1)] public string UnsealedRecord(OpenRecord record) => Probe.Hit(record.Name);

    [AgentTool("RecordStruct", "Zoo tool RecordStruct."), Cost(1)] public decimal RecordStruct(Money money) => Probe.Hit(money.Amount);

    [AgentTool("Struct", "Zoo tool Struct."), Cost(1)] public int Struct(Point point) => Probe.Hit(point.X);

    [AgentTool("Enum", "Zoo tool Enum."), Cost(1)] public Color Enum(Color color) => Probe.Hit(color);

    [AgentTool("Flags", "Zoo tool Flags."), Cost(1)] public Access Flags(Access access) => Probe.Hit(access);

    [AgentTool("NullableInt", "Zoo tool NullableInt."), Cost(1)] public int? NullableInt(int? value) => Probe.Hit(value);

    [AgentTool("NullableString", "Zoo tool NullableString."), Cost(1)] public string? NullableString(string? value) => Probe.Hit(value);

    [AgentTool("NullableStruct", "Zoo tool NullableStruct."), Cost(1)] public Money? NullableStruct(Money? money) => Probe.Hit(money);

    [AgentTool("Object", "Zoo tool Object."), Cost(1)] public object Object(object value) => Probe.Hit(value);

    [AgentTool("Dynamic", "Zoo tool Dynamic."), Cost(1)] public dynamic Dynamic(dynamic value) => Probe.Hit<object>(value);

    [AgentTool("Guid", "Zoo tool Guid."), Cost(1)] public Guid Guid(Guid id) => Probe.Hit(id);

    [AgentTool("DateTime", "Zoo tool DateTime."), Cost(1)] public DateTime DateTime(DateTime at) => Probe.Hit(at);

    [AgentTool("DateTimeOffset", "Zoo tool DateTimeOffset."), Cost(1)] public DateTimeOffset DateTimeOffset(DateTimeOffset at) => Probe.Hit(at);

    [AgentTool("DateOnly", "Zoo tool DateOnly."), Cost(1)] public DateOnly DateOnly(DateOnly day) => Probe.Hit(day);

    [AgentTool("TimeSpan", "Zoo tool TimeSpan."), Cost(1)] public TimeSpan TimeSpan(TimeSpan span) => Probe.Hit(span);

    [AgentTool("Uri", "Zoo tool Uri."), Cost(1)] public Uri Uri(Uri uri) => Probe.Hit(uri);

    [AgentTool("Decimal", "Zoo tool Decimal."), Cost(1)] public decimal Decimal(decimal value) => Probe.Hit(value);

    [AgentTool("Char", "Zoo tool Char."), Cost(1)] public char Char(char value) => Probe.Hit(value);

    [AgentTool("Integers", "Zoo tool Integers."), Cost(1)] public long Integers(byte a, sbyte b, short c, ushort d, uint e, long f, ulong g) => Probe.Hit(a + b + c + d + e + f + (long)g);

    [AgentTool("NativeInts", "Zoo tool NativeInts."), Cost(1)] public nint NativeInts(nint a, nuint b) => Probe.Hit(a + (nint)b);

    [AgentTool("Floats", "Zoo tool Floats."), Cost(1)] public double Floats(float a, double b, Half c) => Probe.Hit(a + b + (double)c);

    [AgentTool("Bool", "Zoo tool Bool."), Cost(1)] public bool Bool(bool value) => Probe.Hit(value);

    [Cost(1)] public int Memory(Memory<byte> bytes, ReadOnlyMemory<char> chars) => Probe.Hit(bytes.Length + chars.Length);

    [Cost(1)] public int Span(Span<int> values) => Probe.Hit(values.Length);

    [Cost(1)] public int ReadOnlySpan(ReadOnlySpan<char> text) => Probe.Hit(text.Length);

    [AgentTool("Enumerable", "Zoo tool Enumerable."), Cost(1)] public int Enumerable(IEnumerable<int> values) => Probe.Hit(values.Count());

    [Cost(1)] public int Delegate(Func<int, int> twice, Action done) { done(); return Probe.Hit(twice(1)); }

    [Cost(1)] public async Task<int> TaskParameter(Task<int> pending) => Probe.Hit(await pending);

    [AgentTool("Nested", "Zoo tool Nested."), Cost(1)] public string Nested(Outer.Inner inner) => Probe.Hit(inner.Text);

    [AgentTool("NestedGenerics", "Zoo tool NestedGenerics."), Cost(1)] public int NestedGenerics(List<List<int>> rows) => Probe.Hit(rows.Count);

    [AgentTool("KeyValue", "Zoo tool KeyValue."), Cost(1)] public string KeyValue(KeyValuePair<string, int> pair) => Probe.Hit(pair.Key);

    [AgentTool("Immutable", "Zoo tool Immutable."), Cost(1)] public int Immutable(ImmutableArray<int> values) => Probe.Hit(values.Length);

    [AgentTool("ArrayOfNullable", "Zoo tool ArrayOfNullable."), Cost(1)] public int ArrayOfNullable(string?[] values) => Probe.Hit(values.Length);

    [AgentTool("TupleList", "Zoo tool TupleList."), Cost(1)] public int TupleList(List<(string Name, int Count)> items) => Probe.Hit(items.Count);

    [Cost(1)] public Type TypeValue(Type type) => Probe.Hit(type);
}

public static class TypeShapes
{
    public static IEnumerable<Shape> All(TypeTools t) =>
    [
        new("types/int[]", () => t.IntArray([1, 2])),
        new("types/int[][]", () => t.Jagged([[1], [2]])),
        new("types/int[,]", () => t.MultiDimensional(new int[2, 2])),
        new("types/List<string>", () => t.List(["a"])),
        new("types/Dictionary<string,int>", () => t.Dictionary(new() { ["a"] = 1 })),
        new("types/IReadOnlyList<record>", () => t.ReadOnlyListOfRecords([new Order("o", 1m)])),
        new("types/(int, string)", () => t.Tuple((1, "a"))),
        new("types/(int Count, string Label)", () => t.NamedTuple((1, "a"))),
        new("types/9-tuple", () => t.LongTuple((1, 2, 3, 4, 5, 6, 7, 8, 9))),
        new("types/sealed record", () => t.Record(new Order("o", 1m))),
        new("types/unsealed record", () => t.UnsealedRecord(new OpenRecord("n"))),
        new("types/record struct", () => t.RecordStruct(new Money(1m, "EUR"))),
        new("types/struct", () => t.Struct(new Point { X = 1 })),
        new("types/enum", () => t.Enum(Color.Blue)),
        new("types/flags enum", () => t.Flags(Access.Read | Access.Write)),
        new("types/int?", () => t.NullableInt(null)),
        new("types/string?", () => t.NullableString(null)),
        new("types/record struct?", () => t.NullableStruct(null)),
        new("types/object", () => t.Object(new object())),
        new("types/dynamic", () => (object?)t.Dynamic(1)),
        new("types/Guid", () => t.Guid(System.Guid.Empty)),
        new("types/DateTime", () => t.DateTime(default)),
        new("types/DateTimeOffset", () => t.DateTimeOffset(default)),
        new("types/DateOnly", () => t.DateOnly(default)),
        new("types/TimeSpan", () => t.TimeSpan(default)),
        new("types/Uri", () => t.Uri(new Uri("https://example.com"))),
        new("types/decimal", () => t.Decimal(1.5m)),
        new("types/char", () => t.Char('c')),
        new("types/integers", () => t.Integers(1, -1, -2, 2, 3, -4, 5)),
        new("types/nint nuint", () => t.NativeInts(1, 2)),
        new("types/float double Half", () => t.Floats(1f, 2d, (Half)3)),
        new("types/bool", () => t.Bool(true)),
        new("types/Memory ReadOnlyMemory", () => t.Memory(new byte[2], "ab".AsMemory())),
        new("types/Span<int>", () => t.Span(new int[3])),
        new("types/ReadOnlySpan<char>", () => t.ReadOnlySpan("abc")),
        new("types/IEnumerable<int>", () => t.Enumerable([1, 2])),
        new("types/Func Action", () => t.Delegate(x => x * 2, () => { })),
        new("types/Task<int> parameter", () => t.TaskParameter(Task.FromResult(3))),
        new("types/nested class", () => t.Nested(new Outer.Inner())),
        new("types/List<List<int>>", () => t.NestedGenerics([[1]])),
        new("types/KeyValuePair", () => t.KeyValue(new KeyValuePair<string, int>("k", 1))),
        new("types/ImmutableArray<int>", () => t.Immutable([1])),
        new("types/string?[]", () => t.ArrayOfNullable([null, "a"])),
        new("types/List<(string, int)>", () => t.TupleList([("a", 1)])),
        new("types/Type", () => t.TypeValue(typeof(int))),
    ];
}
