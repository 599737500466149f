// Shared by the analyzers and the generator (netstandard2.0).
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>Reads numeric constants without trusting their type: code being edited is often wrong.</summary>
    internal static class NumericConstants
    {
        /// <summary>The value as a double when it is a numeric primitive; false for strings, nulls, errors.</summary>
        public static bool TryGetDouble(object? value, out double result)
        {
            switch (value)
            {
                case double d: result = d; return true;
                case float f: result = f; return true;
                case decimal m: result = (double)m; return true;
                case int i: result = i; return true;
                case long l: result = l; return true;
                case short s: result = s; return true;
                case sbyte sb: result = sb; return true;
                case byte b: result = b; return true;
                case ushort us: result = us; return true;
                case uint ui: result = ui; return true;
                case ulong ul: result = ul; return true;
                case char c: result = c; return true;
                default: result = double.NaN; return false;
            }
        }

        public static bool TryGetDouble(TypedConstant constant, out double result)
        {
            if (constant.Kind != TypedConstantKind.Primitive || constant.IsNull)
            {
                result = double.NaN;
                return false;
            }

            return TryGetDouble(constant.Value, out result);
        }
    }
}
