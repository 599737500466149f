using System.Runtime.CompilerServices;
using AgentQuotas;

namespace Zoo;

public sealed record MenuItem(string Name, decimal Price);

public sealed class SealedCost : IActualCost
{
    public double? ActualCost => 0.5;
}

public class OpenCost : IActualCost
{
    public double? ActualCost => 0.25;
}

public sealed class DerivedCost : OpenCost
{
}

public class Unsealed
{
}

public sealed class SealedPlain
{
}

public readonly struct StructCost : IActualCost
{
    public double? ActualCost => 0.75;
}

public readonly record struct RecordStructCost(double Units) : IActualCost
{
    public double? ActualCost => Units;
}

public sealed record RecordCost(double? ActualCost) : IActualCost;

public interface IResult
{
    string Text { get; }
}

public interface ICostedResult : IResult, IActualCost
{
}

public sealed class CostedResult : ICostedResult
{
    public string Text => "costed";

    public double? ActualCost => 0.125;
}

/// <summary>
/// Return types: void, values, arrays, tuples, records, structs, sealed and unsealed classes, interfaces (with
/// and without IActualCost), generic results, iterators, and every awaitable. IActualCost is read only where C#
/// allows the conversion.
/// </summary>
[QuotaCategory("zoo")]
public sealed class ReturnTools
{
    [AgentTool("Void", "Zoo tool Void."), Cost(1)] public void Void() => Probe.Hit();

    [AgentTool("Int", "Zoo tool Int."), Cost(1)] public int Int() => Probe.Hit(1);

    [AgentTool("String", "Zoo tool String."), Cost(1)] public string String() => Probe.Hit("s");

    [AgentTool("IntArray", "Zoo tool IntArray."), Cost(1)] public int[] IntArray() => Probe.Hit(new[] { 1 });

    [AgentTool("Menu", "Zoo tool Menu."), Cost(1)] public MenuItem[] Menu() => Probe.Hit(new[] { new MenuItem("tea", 2m) });

    [AgentTool("JaggedMenu", "Zoo tool JaggedMenu."), Cost(1)] public MenuItem[][] JaggedMenu() => Probe.Hit(new[] { new[] { new MenuItem("tea", 2m) } });

    [AgentTool("MenuList", "Zoo tool MenuList."), Cost(1)] public List<MenuItem> MenuList() => Probe.Hit(new List<MenuItem>());

    [AgentTool("public", "Zoo tool public."), Cost(1)] public (int Count, string Name) Tuple() => Probe.Hit((1, "t"));

    [AgentTool("Record", "Zoo tool Record."), Cost(1)] public MenuItem Record() => Probe.Hit(new MenuItem("a", 1m));

    [AgentTool("RecordWithCost", "Zoo tool RecordWithCost."), Cost(1)] public RecordCost RecordWithCost() => Probe.Hit(new RecordCost(0.5));

    [AgentTool("SealedWithCost", "Zoo tool SealedWithCost."), Cost(1)] public SealedCost SealedWithCost() => Probe.Hit(new SealedCost());

    [AgentTool("SealedPlain", "Zoo tool SealedPlain."), Cost(1)] public SealedPlain SealedPlain() => Probe.Hit(new SealedPlain());

    [AgentTool("UnsealedWithCost", "Zoo tool UnsealedWithCost."), Cost(1)] public OpenCost UnsealedWithCost() => Probe.Hit(new DerivedCost());

    [AgentTool("UnsealedPlain", "Zoo tool UnsealedPlain."), Cost(1)] public Unsealed UnsealedPlain() => Probe.Hit(new Unsealed());

    [AgentTool("StructWithCost", "Zoo tool StructWithCost."), Cost(1)] public StructCost StructWithCost() => Probe.Hit(default(StructCost));

    [AgentTool("RecordStructWithCost", "Zoo tool RecordStructWithCost."), Cost(1)] public RecordStructCost RecordStructWithCost() => Probe.Hit(new RecordStructCost(0.5));

    [AgentTool("Struct", "Zoo tool Struct."), Cost(1)] public Point Struct() => Probe.Hit(default(Point));

    [AgentTool("Interface", "Zoo tool Interface."), Cost(1)] public IResult Interface() => Probe.Hit<IResult>(new CostedResult());

    [AgentTool("InterfaceWithCost", "Zoo tool InterfaceWithCost."), Cost(1)] public ICostedResult InterfaceWithCost() => Probe.Hit<ICostedResult>(new CostedResult());

    [AgentTool("ActualCostItself", "Zoo tool ActualCostItself."), Cost(1)] public IActualCost ActualCostItself() => Probe.Hit<IActualCost>(new SealedCost());

    [Cost(1)] public T Generic<T>(T value) => Probe.Hit(value);

    [Cost(1)] public T GenericWithCost<T>(T value) where T : IActualCost => Probe.Hit(value);

    [Cost(1)] public T GenericStruct<T>(T value) where T : struct => Probe.Hit(value);

    [AgentTool("Object", "Zoo tool Object."), Cost(1)] public object Object() => Probe.Hit(new object());

    [AgentTool("Dynamic", "Zoo tool Dynamic."), Cost(1)] public dynamic Dynamic() => Probe.Hit<object>(1);

    [AgentTool("NullableInt", "Zoo tool NullableInt."), Cost(1)] public int? NullableInt() => Probe.Hit<int?>(null);

    [AgentTool("NullableStructWithCost", "Zoo tool NullableStructWithCost."), Cost(1)] public StructCost? NullableStructWithCost() => Probe.Hit<StructCost?>(default(StructCost));

    [AgentTool("NullableString", "Zoo tool NullableString."), Cost(1)] public string? NullableString() => Probe.Hit<string?>(null);

    [AgentTool("Enum", "Zoo tool Enum."), Cost(1)] public Color Enum() => Probe.Hit(Color.Red);

    [Cost(1)] public Func<int> Delegate() => Probe.Hit<Func<int>>(() => 1);

    [Cost(1)] public IEnumerable<int> Iterator()
    {
        Probe.Hit();
        yield return 1;
    }

    [Cost(1)] public async IAsyncEnumerable<int> AsyncIterator([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        Probe.Hit();
        yield return 1;
    }

    [AgentTool("PlainTask", "Zoo tool PlainTask."), Cost(1)] public Task PlainTask() => Probe.Hit(Task.CompletedTask);

    [AgentTool("TaskOfArray", "Zoo tool TaskOfArray."), Cost(1)] public async Task<int[]> TaskOfArray()
    {
        await Task.Yield();
        return Probe.Hit(new[] { 1 });
    }

    [AgentTool("TaskOfMenu", "Zoo tool TaskOfMenu."), Cost(1)] public Task<MenuItem[]> TaskOfMenu() => Task.FromResult(Probe.Hit(new[] { new MenuItem("tea", 2m) }));

    [AgentTool("TaskOfSealedCost", "Zoo tool TaskOfSealedCost."), Cost(1)] public Task<SealedCost> TaskOfSealedCost() => Task.FromResult(Probe.Hit(new SealedCost()));

    [AgentTool("TaskOfUnsealed", "Zoo tool TaskOfUnsealed."), Cost(1)] public Task<Unsealed> TaskOfUnsealed() => Task.FromResult(Probe.Hit(new Unsealed()));

    [AgentTool("TaskOfTuple", "Zoo tool TaskOfTuple."), Cost(1)] public Task<(int, string)> TaskOfTuple() => Task.FromResult(Probe.Hit((1, "t")));

    [AgentTool("TaskOfDynamic", "Zoo tool TaskOfDynamic."), Cost(1)] public Task<dynamic> TaskOfDynamic() => Task.FromResult<dynamic>(Probe.Hit<object>(1));

    [AgentTool("TaskOfNullableObject", "Zoo tool TaskOfNullableObject."), Cost(1)] public Task<object?> TaskOfNullableObject() => Task.FromResult(Probe.Hit<object?>(null));

    [AgentTool("TaskOfInterface", "Zoo tool TaskOfInterface."), Cost(1)] public Task<IResult> TaskOfInterface() => Task.FromResult(Probe.Hit<IResult>(new CostedResult()));

    [AgentTool("PlainValueTask", "Zoo tool PlainValueTask."), Cost(1)] public async ValueTask PlainValueTask()
    {
        await Task.Yield();
        Probe.Hit();
    }

    [AgentTool("ValueTaskOfInt", "Zoo tool ValueTaskOfInt."), Cost(1)] public ValueTask<int> ValueTaskOfInt() => new(Probe.Hit(1));

    [AgentTool("ValueTaskOfStructCost", "Zoo tool ValueTaskOfStructCost."), Cost(1)] public ValueTask<StructCost> ValueTaskOfStructCost() => new(Probe.Hit(default(StructCost)));

    [AgentTool("ValueTaskOfArray", "Zoo tool ValueTaskOfArray."), Cost(1)] public async ValueTask<MenuItem[]> ValueTaskOfArray()
    {
        await Task.Yield();
        return Probe.Hit(Array.Empty<MenuItem>());
    }

    [Cost(1)] public Task<T> TaskOfGeneric<T>(T value) => Task.FromResult(Probe.Hit(value));
}

public static class ReturnShapes
{
    public static IEnumerable<Shape> All(ReturnTools t) =>
    [
        new("returns/void", () => { t.Void(); return null; }),
        new("returns/int", () => t.Int()),
        new("returns/string", () => t.String()),
        new("returns/int[]", () => t.IntArray()),
        new("returns/MenuItem[]", () => t.Menu()),
        new("returns/MenuItem[][]", () => t.JaggedMenu()),
        new("returns/List<MenuItem>", () => t.MenuList()),
        new("returns/named tuple", () => t.Tuple()),
        new("returns/sealed record", () => t.Record()),
        new("returns/record with IActualCost", () => t.RecordWithCost()),
        new("returns/sealed class with IActualCost", () => t.SealedWithCost()),
        new("returns/sealed class", () => t.SealedPlain()),
        new("returns/unsealed class with IActualCost", () => t.UnsealedWithCost()),
        new("returns/unsealed class", () => t.UnsealedPlain()),
        new("returns/struct with IActualCost", () => t.StructWithCost()),
        new("returns/record struct with IActualCost", () => t.RecordStructWithCost()),
        new("returns/struct", () => t.Struct()),
        new("returns/interface", () => t.Interface()),
        new("returns/interface extending IActualCost", () => t.InterfaceWithCost()),
        new("returns/IActualCost", () => t.ActualCostItself()),
        new("returns/generic T", () => t.Generic(new MenuItem("a", 1m))),
        new("returns/generic T : IActualCost", () => t.GenericWithCost(new SealedCost())),
        new("returns/generic T : struct", () => t.GenericStruct(new StructCost())),
        new("returns/object", () => t.Object()),
        new("returns/dynamic", () => (object?)t.Dynamic()),
        new("returns/int?", () => t.NullableInt()),
        new("returns/struct with IActualCost?", () => t.NullableStructWithCost()),
        new("returns/string?", () => t.NullableString()),
        new("returns/enum", () => t.Enum()),
        new("returns/delegate", () => t.Delegate()),
        new("returns/IEnumerable<int> iterator", () => t.Iterator().ToList()),
        new("returns/IAsyncEnumerable<int>", () => Drain(t.AsyncIterator())),
        new("returns/Task", () => t.PlainTask()),
        new("returns/Task<int[]>", () => t.TaskOfArray()),
        new("returns/Task<MenuItem[]>", () => t.TaskOfMenu()),
        new("returns/Task<sealed IActualCost>", () => t.TaskOfSealedCost()),
        new("returns/Task<unsealed>", () => t.TaskOfUnsealed()),
        new("returns/Task<(int, string)>", () => t.TaskOfTuple()),
        new("returns/Task<dynamic>", () => t.TaskOfDynamic()),
        new("returns/Task<object?>", () => t.TaskOfNullableObject()),
        new("returns/Task<interface>", () => t.TaskOfInterface()),
        new("returns/ValueTask", () => t.PlainValueTask().AsTask()),
        new("returns/ValueTask<int>", () => t.ValueTaskOfInt().AsTask()),
        new("returns/ValueTask<struct IActualCost>", () => t.ValueTaskOfStructCost().AsTask()),
        new("returns/ValueTask<MenuItem[]>", () => t.ValueTaskOfArray().AsTask()),
        new("returns/Task<T>", () => t.TaskOfGeneric(new[] { 1 })),
    ];

    private static async Task<int> Drain(IAsyncEnumerable<int> items)
    {
        int n = 0;
        await foreach (int _ in items)
        {
            n++;
        }

        return n;
    }
}
