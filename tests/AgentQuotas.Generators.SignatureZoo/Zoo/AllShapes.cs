namespace Zoo;

/// <summary>Every shape of the zoo, by name.</summary>
public static class AllShapes
{
    public static readonly IReadOnlyDictionary<string, Shape> ByName = Build();

    private static Dictionary<string, Shape> Build()
    {
        IEnumerable<Shape> all = NameShapes.All(new NameTools())
            .Concat(FrameworkParameterShapes.All(new FrameworkParameterTools()))
            .Concat(TypeShapes.All(new TypeTools()))
            .Concat(DefaultShapes.All(new DefaultTools()))
            .Concat(ModifierShapes.All(new ModifierTools()))
            .Concat(GenericShapes.All(new GenericTools()))
            .Concat(DeclaringShapes.All())
            .Concat(CallFormShapes.All(new CallFormTools()))
            .Concat(ReturnShapes.All(new ReturnTools()))
            .Concat(FrameworkToolShapes.All());
        return all.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }
}
