using AgentQuotas;

namespace Zoo;

/// <summary>
/// Default values of every kind. The interceptor is called with the defaults filled in at the call site; the
/// generated AIFunction writes each default as C# (enums, null, default, escaped strings, decimals, chars,
/// negative numbers, NaN and the infinities) and into the JSON schema.
/// </summary>
[QuotaCategory("zoo")]
public sealed class DefaultTools
{
    public const string Greeting = "hello \"zoo\"";

    [AgentTool("EnumDefault", "Zoo tool EnumDefault."), Cost(1)] public Color EnumDefault(Color color = Color.Green) => Probe.Hit(color);

    [AgentTool("NegativeEnum", "Zoo tool NegativeEnum."), Cost(1)] public Signed NegativeEnum(Signed value = Signed.Negative) => Probe.Hit(value);

    [AgentTool("FlagsCombination", "Zoo tool FlagsCombination."), Cost(1)] public Access FlagsCombination(Access access = Access.Read | Access.Write) => Probe.Hit(access);

    [AgentTool("UndefinedEnumValue", "Zoo tool UndefinedEnumValue."), Cost(1)] public Access UndefinedEnumValue(Access access = (Access)64) => Probe.Hit(access);

    [AgentTool("NullString", "Zoo tool NullString."), Cost(1)] public string? NullString(string? text = null) => Probe.Hit(text);

    [AgentTool("NullObject", "Zoo tool NullObject."), Cost(1)] public object? NullObject(object? value = null) => Probe.Hit(value);

    [AgentTool("DefaultStruct", "Zoo tool DefaultStruct."), Cost(1)] public Point DefaultStruct(Point point = default) => Probe.Hit(point);

    [AgentTool("DefaultNullable", "Zoo tool DefaultNullable."), Cost(1)] public int? DefaultNullable(int? value = default) => Probe.Hit(value);

    [AgentTool("NullableWithValue", "Zoo tool NullableWithValue."), Cost(1)] public int? NullableWithValue(int? value = 5) => Probe.Hit(value);

    [AgentTool("NullableEnumWithValue", "Zoo tool NullableEnumWithValue."), Cost(1)] public Color? NullableEnumWithValue(Color? color = Color.Blue) => Probe.Hit(color);

    [AgentTool("Escapes", "Zoo tool Escapes."), Cost(1)] public string Escapes(string text = "quote \" backslash \\ newline \n tab \t nul \0 line-separator \u2028 bell \a") => Probe.Hit(text);

    [AgentTool("Verbatim", "Zoo tool Verbatim."), Cost(1)] public string Verbatim(string path = @"C:\tools\""zoo""") => Probe.Hit(path);

    [AgentTool("Empty", "Zoo tool Empty."), Cost(1)] public string Empty(string text = "") => Probe.Hit(text);

    [AgentTool("ConstantReference", "Zoo tool ConstantReference."), Cost(1)] public string ConstantReference(string text = Greeting) => Probe.Hit(text);

    [AgentTool("NonAscii", "Zoo tool NonAscii."), Cost(1)] public string NonAscii(string text = "naïve café – 日本 🚀") => Probe.Hit(text);

    [AgentTool("Decimal", "Zoo tool Decimal."), Cost(1)] public decimal Decimal(decimal amount = 1.5m) => Probe.Hit(amount);

    [AgentTool("NegativeDecimal", "Zoo tool NegativeDecimal."), Cost(1)] public decimal NegativeDecimal(decimal amount = -3.25m) => Probe.Hit(amount);

    [AgentTool("DecimalMax", "Zoo tool DecimalMax."), Cost(1)] public decimal DecimalMax(decimal amount = decimal.MaxValue) => Probe.Hit(amount);

    [AgentTool("Quote", "Zoo tool Quote."), Cost(1)] public char Quote(char c = '\'') => Probe.Hit(c);

    [AgentTool("Backslash", "Zoo tool Backslash."), Cost(1)] public char Backslash(char c = '\\') => Probe.Hit(c);

    [AgentTool("Newline", "Zoo tool Newline."), Cost(1)] public char Newline(char c = '\n') => Probe.Hit(c);

    [AgentTool("Nul", "Zoo tool Nul."), Cost(1)] public char Nul(char c = '\0') => Probe.Hit(c);

    [AgentTool("LineSeparator", "Zoo tool LineSeparator."), Cost(1)] public char LineSeparator(char c = '\u2028') => Probe.Hit(c);

    [AgentTool("NegativeInt", "Zoo tool NegativeInt."), Cost(1)] public int NegativeInt(int x = -1) => Probe.Hit(x);

    [AgentTool("IntMin", "Zoo tool IntMin."), Cost(1)] public int IntMin(int x = int.MinValue) => Probe.Hit(x);

    [AgentTool("LongMin", "Zoo tool LongMin."), Cost(1)] public long LongMin(long x = long.MinValue) => Probe.Hit(x);

    [AgentTool("ULongMax", "Zoo tool ULongMax."), Cost(1)] public ulong ULongMax(ulong x = ulong.MaxValue) => Probe.Hit(x);

    [AgentTool("UIntMax", "Zoo tool UIntMax."), Cost(1)] public uint UIntMax(uint x = uint.MaxValue) => Probe.Hit(x);

    [AgentTool("SByteMin", "Zoo tool SByteMin."), Cost(1)] public sbyte SByteMin(sbyte x = sbyte.MinValue) => Probe.Hit(x);

    [AgentTool("NegativeShort", "Zoo tool NegativeShort."), Cost(1)] public short NegativeShort(short x = -5) => Probe.Hit(x);

    [AgentTool("ByteMax", "Zoo tool ByteMax."), Cost(1)] public byte ByteMax(byte x = 255) => Probe.Hit(x);

    [AgentTool("NaN", "Zoo tool NaN."), Cost(1)] public double NaN(double x = double.NaN) => Probe.Hit(x);

    [AgentTool("PositiveInfinity", "Zoo tool PositiveInfinity."), Cost(1)] public double PositiveInfinity(double x = double.PositiveInfinity) => Probe.Hit(x);

    [AgentTool("NegativeInfinity", "Zoo tool NegativeInfinity."), Cost(1)] public double NegativeInfinity(double x = double.NegativeInfinity) => Probe.Hit(x);

    [AgentTool("Epsilon", "Zoo tool Epsilon."), Cost(1)] public double Epsilon(double x = double.Epsilon) => Probe.Hit(x);

    [AgentTool("NegativeZero", "Zoo tool NegativeZero."), Cost(1)] public double NegativeZero(double x = -0.0) => Probe.Hit(x);

    [AgentTool("Huge", "Zoo tool Huge."), Cost(1)] public double Huge(double x = 1e300) => Probe.Hit(x);

    [AgentTool("FloatNaN", "Zoo tool FloatNaN."), Cost(1)] public float FloatNaN(float x = float.NaN) => Probe.Hit(x);

    [AgentTool("FloatMax", "Zoo tool FloatMax."), Cost(1)] public float FloatMax(float x = float.MaxValue) => Probe.Hit(x);

    [AgentTool("True", "Zoo tool True."), Cost(1)] public bool True(bool flag = true) => Probe.Hit(flag);

    [AgentTool("NativeNegative", "Zoo tool NativeNegative."), Cost(1)] public nint NativeNegative(nint x = -1) => Probe.Hit(x);

    [AgentTool("Several", "Zoo tool Several."), Cost(1)] public string Several(string a, int b = 2, Color c = Color.Red, string? d = null, double e = -1.5) => Probe.Hit(a + b + c + d + e);
}

public static class DefaultShapes
{
    public static IEnumerable<Shape> All(DefaultTools t) =>
    [
        new("defaults/EnumDefault: enum", () => t.EnumDefault()),
        new("defaults/NegativeEnum: negative enum", () => t.NegativeEnum()),
        new("defaults/FlagsCombination: flags combination", () => t.FlagsCombination()),
        new("defaults/UndefinedEnumValue: undefined enum value", () => t.UndefinedEnumValue()),
        new("defaults/NullString: null string", () => t.NullString()),
        new("defaults/NullObject: null object", () => t.NullObject()),
        new("defaults/DefaultStruct: default struct", () => t.DefaultStruct()),
        new("defaults/DefaultNullable: default int?", () => t.DefaultNullable()),
        new("defaults/NullableWithValue: int? = 5", () => t.NullableWithValue()),
        new("defaults/NullableEnumWithValue: Color? = Blue", () => t.NullableEnumWithValue()),
        new("defaults/Escapes: escaped string", () => t.Escapes()),
        new("defaults/Verbatim: verbatim string", () => t.Verbatim()),
        new("defaults/Empty: empty string", () => t.Empty()),
        new("defaults/ConstantReference: constant reference", () => t.ConstantReference()),
        new("defaults/NonAscii: non-ASCII string", () => t.NonAscii()),
        new("defaults/Decimal: decimal", () => t.Decimal()),
        new("defaults/NegativeDecimal: negative decimal", () => t.NegativeDecimal()),
        new("defaults/DecimalMax: decimal.MaxValue", () => t.DecimalMax()),
        new("defaults/Quote: char quote", () => t.Quote()),
        new("defaults/Backslash: char backslash", () => t.Backslash()),
        new("defaults/Newline: char newline", () => t.Newline()),
        new("defaults/Nul: char nul", () => t.Nul()),
        new("defaults/LineSeparator: char line separator", () => t.LineSeparator()),
        new("defaults/NegativeInt: negative int", () => t.NegativeInt()),
        new("defaults/IntMin: int.MinValue", () => t.IntMin()),
        new("defaults/LongMin: long.MinValue", () => t.LongMin()),
        new("defaults/ULongMax: ulong.MaxValue", () => t.ULongMax()),
        new("defaults/UIntMax: uint.MaxValue", () => t.UIntMax()),
        new("defaults/SByteMin: sbyte.MinValue", () => t.SByteMin()),
        new("defaults/NegativeShort: negative short", () => t.NegativeShort()),
        new("defaults/ByteMax: byte 255", () => t.ByteMax()),
        new("defaults/NaN: double.NaN", () => t.NaN()),
        new("defaults/PositiveInfinity: double.PositiveInfinity", () => t.PositiveInfinity()),
        new("defaults/NegativeInfinity: double.NegativeInfinity", () => t.NegativeInfinity()),
        new("defaults/Epsilon: double.Epsilon", () => t.Epsilon()),
        new("defaults/NegativeZero: -0.0", () => t.NegativeZero()),
        new("defaults/Huge: 1e300", () => t.Huge()),
        new("defaults/FloatNaN: float.NaN", () => t.FloatNaN()),
        new("defaults/FloatMax: float.MaxValue", () => t.FloatMax()),
        new("defaults/True: bool true", () => t.True()),
        new("defaults/NativeNegative: nint -1", () => t.NativeNegative()),
        new("defaults/Several: several", () => t.Several("a")),
    ];
}
