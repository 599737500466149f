using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>
    /// Builds, at compile time, the JSON schema of a tool's parameters: the object a model must send.
    /// Primitive, enum, date, GUID, collection and dictionary types map to their JSON forms; other types
    /// become objects of their public properties (camelCase, as System.Text.Json's web defaults read them).
    /// </summary>
    internal sealed class JsonSchemaWriter
    {
        private const int MaxDepth = 6;
        private readonly List<string> _properties = new();
        private readonly List<string> _required = new();

        public void AddProperty(string name, ITypeSymbol type, string? description, bool hasDefault, object? defaultValue, bool allowNull)
        {
            var schema = new StringBuilder();
            schema.Append('{');
            bool first = true;
            if (!string.IsNullOrWhiteSpace(description))
            {
                Field(schema, ref first, "description", Quote(description!));
            }

            WriteTypeBody(schema, ref first, type, allowNull, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0);
            if (hasDefault)
            {
                Field(schema, ref first, "default", Literal(defaultValue, type));
            }

            schema.Append('}');
            _properties.Add(Quote(name) + ":" + schema);
            if (!hasDefault)
            {
                _required.Add(Quote(name));
            }
        }

        public string Build()
        {
            var json = new StringBuilder("{\"type\":\"object\",\"properties\":{");
            json.Append(string.Join(",", _properties)).Append('}');
            if (_required.Count > 0)
            {
                json.Append(",\"required\":[").Append(string.Join(",", _required)).Append(']');
            }

            return json.Append('}').ToString();
        }

        private static string Schema(ITypeSymbol type, bool allowNull, HashSet<ITypeSymbol> seen, int depth)
        {
            var schema = new StringBuilder("{");
            bool first = true;
            WriteTypeBody(schema, ref first, type, allowNull, seen, depth);
            return schema.Append('}').ToString();
        }

        private static void WriteTypeBody(StringBuilder schema, ref bool first, ITypeSymbol type, bool allowNull, HashSet<ITypeSymbol> seen, int depth)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                type = nullable.TypeArguments[0];
                allowNull = true;
            }

            string? simple = SimpleType(type, out string? format);
            if (simple is not null)
            {
                Field(schema, ref first, "type", allowNull ? "[" + Quote(simple) + ",\"null\"]" : Quote(simple));
                if (format is not null)
                {
                    Field(schema, ref first, "format", Quote(format));
                }

                return;
            }

            if (type.TypeKind == TypeKind.Enum)
            {
                IEnumerable<string> names = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => Quote(f.Name));
                Field(schema, ref first, "type", allowNull ? "[\"string\",\"null\"]" : "\"string\"");
                Field(schema, ref first, "enum", "[" + string.Join(",", names) + (allowNull ? ",null" : string.Empty) + "]");
                return;
            }

            if (ElementType(type) is ITypeSymbol element)
            {
                Field(schema, ref first, "type", allowNull ? "[\"array\",\"null\"]" : "\"array\"");
                Field(schema, ref first, "items", depth < MaxDepth ? Schema(element, element.NullableAnnotation == NullableAnnotation.Annotated, seen, depth + 1) : "{}");
                return;
            }

            if (DictionaryValueType(type) is ITypeSymbol value)
            {
                Field(schema, ref first, "type", allowNull ? "[\"object\",\"null\"]" : "\"object\"");
                Field(schema, ref first, "additionalProperties", depth < MaxDepth ? Schema(value, value.NullableAnnotation == NullableAnnotation.Annotated, seen, depth + 1) : "{}");
                return;
            }

            Field(schema, ref first, "type", allowNull ? "[\"object\",\"null\"]" : "\"object\"");
            if (type.SpecialType == SpecialType.System_Object || depth >= MaxDepth || !seen.Add(type))
            {
                return; // any object, or a type that contains itself: no further detail
            }

            var properties = new List<string>();
            var required = new List<string>();
            IMethodSymbol? constructor = (type as INamedTypeSymbol)?.InstanceConstructors
                .Where(c => c.DeclaredAccessibility == Accessibility.Public)
                .OrderByDescending(c => c.Parameters.Length)
                .FirstOrDefault();
            foreach (IPropertySymbol property in PublicProperties(type))
            {
                bool nullableProperty = property.Type.IsReferenceType
                    ? property.NullableAnnotation == NullableAnnotation.Annotated
                    : property.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
                string name = CamelCase(property.Name);
                properties.Add(Quote(name) + ":" + Schema(property.Type, nullableProperty, seen, depth + 1));
                // Required: a 'required' member, or a constructor parameter without a default that cannot be null.
                IParameterSymbol? parameter = constructor?.Parameters.FirstOrDefault(c => string.Equals(c.Name, property.Name, StringComparison.OrdinalIgnoreCase));
                if (property.IsRequired || (parameter is { HasExplicitDefaultValue: false } && !nullableProperty))
                {
                    required.Add(Quote(name));
                }
            }

            seen.Remove(type);
            Field(schema, ref first, "properties", "{" + string.Join(",", properties) + "}");
            if (required.Count > 0)
            {
                Field(schema, ref first, "required", "[" + string.Join(",", required) + "]");
            }
        }

        private static IEnumerable<IPropertySymbol> PublicProperties(ITypeSymbol type)
        {
            var names = new HashSet<string>();
            for (ITypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (IPropertySymbol p in t.GetMembers().OfType<IPropertySymbol>())
                {
                    if (p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic && !p.IsIndexer && p.GetMethod is not null
                        && !p.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonIgnoreAttribute") && names.Add(p.Name)
                        && !(type.IsRecord && p.Name == "EqualityContract"))
                    {
                        yield return p;
                    }
                }
            }
        }

        private static string? SimpleType(ITypeSymbol type, out string? format)
        {
            format = null;
            switch (type.SpecialType)
            {
                case SpecialType.System_String:
                case SpecialType.System_Char:
                    return "string";
                case SpecialType.System_Boolean:
                    return "boolean";
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                    return "integer";
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                    return "number";
                case SpecialType.System_DateTime:
                    format = "date-time";
                    return "string";
            }

            string full = type.ToDisplayString();
            switch (full)
            {
                case "System.Guid":
                    format = "uuid";
                    return "string";
                case "System.DateTimeOffset":
                    format = "date-time";
                    return "string";
                case "System.DateOnly":
                    format = "date";
                    return "string";
                case "System.TimeOnly":
                    format = "time";
                    return "string";
                case "System.TimeSpan":
                    return "string";
                case "System.Uri":
                    format = "uri";
                    return "string";
                default:
                    return null;
            }
        }

        private static ITypeSymbol? ElementType(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
            {
                return array.ElementType;
            }

            if (type.SpecialType == SpecialType.System_String)
            {
                return null;
            }

            if (DictionaryValueType(type) is not null)
            {
                return null;
            }

            foreach (INamedTypeSymbol candidate in new[] { type as INamedTypeSymbol }.Concat(type.AllInterfaces).OfType<INamedTypeSymbol>())
            {
                if (candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
                {
                    return candidate.TypeArguments[0];
                }
            }

            return null;
        }

        private static ITypeSymbol? DictionaryValueType(ITypeSymbol type)
        {
            foreach (INamedTypeSymbol candidate in new[] { type as INamedTypeSymbol }.Concat(type.AllInterfaces).OfType<INamedTypeSymbol>())
            {
                string name = candidate.OriginalDefinition.ToDisplayString();
                if ((name == "System.Collections.Generic.IDictionary<TKey, TValue>" || name == "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>")
                    && candidate.TypeArguments[0].SpecialType == SpecialType.System_String)
                {
                    return candidate.TypeArguments[1];
                }
            }

            return null;
        }

        private static string Literal(object? value, ITypeSymbol type)
        {
            if (value is null)
            {
                return "null";
            }

            ITypeSymbol underlying = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n ? n.TypeArguments[0] : type;
            if (underlying.TypeKind == TypeKind.Enum)
            {
                IFieldSymbol? field = underlying.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
                return field is null ? Convert.ToString(value, CultureInfo.InvariantCulture)! : Quote(field.Name);
            }

            return value switch
            {
                string s => Quote(s),
                char c => Quote(c.ToString()),
                bool b => b ? "true" : "false",
                // JSON has no NaN or infinities: they are written as the strings System.Text.Json reads them from.
                double d => double.IsNaN(d) || double.IsInfinity(d) ? Quote(d.ToString(CultureInfo.InvariantCulture)) : d.ToString("R", CultureInfo.InvariantCulture),
                float f => float.IsNaN(f) || float.IsInfinity(f) ? Quote(f.ToString(CultureInfo.InvariantCulture)) : f.ToString("R", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => Quote(value.ToString() ?? string.Empty),
            };
        }

        private static void Field(StringBuilder schema, ref bool first, string name, string value)
        {
            if (!first)
            {
                schema.Append(',');
            }

            first = false;
            schema.Append(Quote(name)).Append(':').Append(value);
        }

        private static string CamelCase(string name) =>
            name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

        internal static string Quote(string text)
        {
            var quoted = new StringBuilder(text.Length + 2).Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"':
                        quoted.Append("\\\"");
                        break;
                    case '\\':
                        quoted.Append("\\\\");
                        break;
                    case '\n':
                        quoted.Append("\\n");
                        break;
                    case '\r':
                        quoted.Append("\\r");
                        break;
                    case '\t':
                        quoted.Append("\\t");
                        break;
                    default:
                        if (c < ' ')
                        {
                            quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            quoted.Append(c);
                        }

                        break;
                }
            }

            return quoted.Append('"').ToString();
        }
    }
}
