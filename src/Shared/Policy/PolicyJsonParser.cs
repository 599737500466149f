// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0): keep this file free of
// APIs newer than netstandard2.0 so both compile it. It exists so that a policy file gets the same
// syntax errors, with the same line and column, at build time and at load time.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>The JSON kinds the policy parser distinguishes.</summary>
    internal enum PolicyJsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>A JSON value with the 1-based line and column where it starts.</summary>
    internal sealed class PolicyJsonNode
    {
        private static readonly List<PolicyJsonProperty> NoProperties = new List<PolicyJsonProperty>();
        private static readonly List<PolicyJsonNode> NoItems = new List<PolicyJsonNode>();

        public PolicyJsonNode(PolicyJsonKind kind, int line, int column)
        {
            Kind = kind;
            Line = line;
            Column = column;
            Properties = NoProperties;
            Items = NoItems;
        }

        public PolicyJsonKind Kind { get; }

        public int Line { get; }

        public int Column { get; }

        /// <summary>Object members in document order (duplicates kept, so the validator can report them).</summary>
        public List<PolicyJsonProperty> Properties { get; set; }

        public List<PolicyJsonNode> Items { get; set; }

        public string? StringValue { get; set; }

        public double NumberValue { get; set; }

        /// <summary>The number exactly as written, for messages ("1e999", "NaN").</summary>
        public string? RawNumber { get; set; }

        public string KindName
        {
            get
            {
                switch (Kind)
                {
                    case PolicyJsonKind.Object: return "an object";
                    case PolicyJsonKind.Array: return "an array";
                    case PolicyJsonKind.String: return "a string";
                    case PolicyJsonKind.Number: return "a number";
                    case PolicyJsonKind.True:
                    case PolicyJsonKind.False: return "a boolean";
                    default: return "null";
                }
            }
        }
    }

    /// <summary>An object member: its name, where the name starts, and its value.</summary>
    internal sealed class PolicyJsonProperty
    {
        public PolicyJsonProperty(string name, int line, int column, PolicyJsonNode value)
        {
            Name = name;
            Line = line;
            Column = column;
            Value = value;
        }

        public string Name { get; }

        public int Line { get; }

        public int Column { get; }

        public PolicyJsonNode Value { get; }
    }

    /// <summary>A syntax error found while parsing.</summary>
    internal sealed class PolicyJsonSyntaxError : Exception
    {
        public PolicyJsonSyntaxError(string message, int line, int column)
            : base(message)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }

        public int Column { get; }
    }

    /// <summary>
    /// A strict JSON parser with the two relaxations policy files are allowed: comments (<c>//</c> and
    /// <c>/* */</c>) and trailing commas. Bare <c>NaN</c> and <c>Infinity</c> are read as numbers so the
    /// validator can say "must be a finite number" instead of a vague syntax error.
    /// </summary>
    internal sealed class PolicyJsonParser
    {
        private const int MaxDepth = 64;

        private readonly string _text;
        private int _pos;
        private int _line = 1;
        private int _lineStart;
        private int _values;

        private PolicyJsonParser(string text)
        {
            _text = text;
        }

        /// <summary>Parses <paramref name="text"/>; throws <see cref="PolicyJsonSyntaxError"/> on the first syntax error.</summary>
        public static PolicyJsonNode Parse(string text)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var parser = new PolicyJsonParser(text);
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                parser._pos = 1;
                parser._lineStart = 1;
            }

            parser.SkipTrivia();
            if (parser._pos >= text.Length)
            {
                throw parser.Error("the policy file is empty; expected a JSON object");
            }

            PolicyJsonNode root = parser.ParseValue(0);
            parser.SkipTrivia();
            if (parser._pos < text.Length)
            {
                throw parser.Error("unexpected '" + text[parser._pos] + "' after the end of the document");
            }

            return root;
        }

        private int Column => _pos - _lineStart + 1;

        private PolicyJsonSyntaxError Error(string message) => new PolicyJsonSyntaxError(message, _line, Column);

        private PolicyJsonSyntaxError Error(string message, int line, int column) => new PolicyJsonSyntaxError(message, line, column);

        private PolicyJsonNode ParseValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("the document nests deeper than " + MaxDepth + " levels");
            }

            // Bounded memory whatever the file holds: a policy needs far fewer values than this.
            if (++_values > PolicyNames.MaxValues)
            {
                throw Error("the policy holds more than " + PolicyNames.MaxValues + " JSON values; a policy may hold at most that many (see 'Limits' in docs/policy.md)");
            }

            if (_pos >= _text.Length)
            {
                throw Error("unexpected end of file; expected a value");
            }

            char c = _text[_pos];
            switch (c)
            {
                case '{':
                    return ParseObject(depth);
                case '[':
                    return ParseArray(depth);
                case '"':
                    {
                        int line = _line, column = Column;
                        string s = ParseString();
                        return new PolicyJsonNode(PolicyJsonKind.String, line, column) { StringValue = s };
                    }

                case 't':
                    return ParseLiteral("true", PolicyJsonKind.True);
                case 'f':
                    return ParseLiteral("false", PolicyJsonKind.False);
                case 'n':
                    return ParseLiteral("null", PolicyJsonKind.Null);
                case '\'':
                    throw Error("strings must use double quotes (\"), not single quotes");
                default:
                    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == 'N' || c == 'I' || c == '.')
                    {
                        return ParseNumber();
                    }

                    throw Error("unexpected '" + c + "'; expected a value (object, array, string, number, true, false or null)");
            }
        }

        private PolicyJsonNode ParseObject(int depth)
        {
            var node = new PolicyJsonNode(PolicyJsonKind.Object, _line, Column) { Properties = new List<PolicyJsonProperty>() };
            _pos++; // {
            SkipTrivia();
            if (TryConsume('}'))
            {
                return node;
            }

            while (true)
            {
                SkipTrivia();
                if (_pos >= _text.Length)
                {
                    throw Error("unexpected end of file inside an object; expected '}'");
                }

                if (_text[_pos] == '}')
                {
                    _pos++; // trailing comma before '}' is allowed
                    return node;
                }

                if (_text[_pos] != '"')
                {
                    throw Error(_text[_pos] == '\''
                        ? "property names must use double quotes (\"), not single quotes"
                        : "expected a property name in double quotes");
                }

                int nameLine = _line, nameColumn = Column;
                string name = ParseString();
                SkipTrivia();
                if (!TryConsume(':'))
                {
                    throw Error("expected ':' after property name \"" + name + "\"");
                }

                SkipTrivia();
                PolicyJsonNode value = ParseValue(depth + 1);
                node.Properties.Add(new PolicyJsonProperty(name, nameLine, nameColumn, value));
                SkipTrivia();
                if (TryConsume(','))
                {
                    continue;
                }

                if (TryConsume('}'))
                {
                    return node;
                }

                throw _pos >= _text.Length
                    ? Error("unexpected end of file inside an object; expected ',' or '}'")
                    : Error("expected ',' or '}' after the value of \"" + name + "\" but found '" + _text[_pos] + "'");
            }
        }

        private PolicyJsonNode ParseArray(int depth)
        {
            var node = new PolicyJsonNode(PolicyJsonKind.Array, _line, Column) { Items = new List<PolicyJsonNode>() };
            _pos++; // [
            SkipTrivia();
            if (TryConsume(']'))
            {
                return node;
            }

            while (true)
            {
                SkipTrivia();
                if (_pos >= _text.Length)
                {
                    throw Error("unexpected end of file inside an array; expected ']'");
                }

                if (_text[_pos] == ']')
                {
                    _pos++;
                    return node;
                }

                node.Items.Add(ParseValue(depth + 1));
                SkipTrivia();
                if (TryConsume(','))
                {
                    continue;
                }

                if (TryConsume(']'))
                {
                    return node;
                }

                throw _pos >= _text.Length
                    ? Error("unexpected end of file inside an array; expected ',' or ']'")
                    : Error("expected ',' or ']' in array but found '" + _text[_pos] + "'");
            }
        }

        private PolicyJsonNode ParseLiteral(string literal, PolicyJsonKind kind)
        {
            int line = _line, column = Column;
            if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            {
                throw Error("unexpected token; expected a value (did you forget quotes around a string?)");
            }

            _pos += literal.Length;
            return new PolicyJsonNode(kind, line, column);
        }

        private PolicyJsonNode ParseNumber()
        {
            int line = _line, column = Column, start = _pos;
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            string raw = _text.Substring(start, _pos - start);
            double value;
            switch (raw)
            {
                case "NaN":
                    value = double.NaN;
                    break;
                case "Infinity":
                case "+Infinity":
                    value = double.PositiveInfinity;
                    break;
                case "-Infinity":
                    value = double.NegativeInfinity;
                    break;
                default:
                    if (!IsJsonNumber(raw) || !double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                    {
                        throw Error("'" + raw + "' is not a valid JSON number", line, column);
                    }

                    break;
            }

            return new PolicyJsonNode(PolicyJsonKind.Number, line, column) { NumberValue = value, RawNumber = raw };
        }

        // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        private static bool IsJsonNumber(string s)
        {
            int i = 0;
            if (i < s.Length && s[i] == '-')
            {
                i++;
            }

            if (i >= s.Length)
            {
                return false;
            }

            if (s[i] == '0')
            {
                i++;
            }
            else if (s[i] >= '1' && s[i] <= '9')
            {
                while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                {
                    i++;
                }
            }
            else
            {
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                int digits = i;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                {
                    i++;
                }

                if (i == digits)
                {
                    return false;
                }
            }

            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                i++;
                if (i < s.Length && (s[i] == '+' || s[i] == '-'))
                {
                    i++;
                }

                int digits = i;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                {
                    i++;
                }

                if (i == digits)
                {
                    return false;
                }
            }

            return i == s.Length;
        }

        private string ParseString()
        {
            int startLine = _line, startColumn = Column;
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    throw Error("unterminated string", startLine, startColumn);
                }

                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return sb.ToString();
                }

                if (c == '\n' || c == '\r')
                {
                    throw Error("unterminated string (a line break inside a string must be written \\n)", startLine, startColumn);
                }

                if (c < ' ')
                {
                    throw Error("control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " inside a string must be escaped");
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    _pos++;
                    continue;
                }

                if (_pos + 1 >= _text.Length)
                {
                    throw Error("unterminated string", startLine, startColumn);
                }

                char e = _text[_pos + 1];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 6 > _text.Length
                            || !int.TryParse(_text.Substring(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        {
                            throw Error("invalid \\u escape; expected four hex digits");
                        }

                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw Error("invalid escape '\\" + e + "' in string");
                }

                _pos += 2;
            }
        }

        private bool TryConsume(char c)
        {
            if (_pos < _text.Length && _text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void SkipTrivia()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == '\n')
                {
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                }
                else if (c == ' ' || c == '\t' || c == '\r')
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
                {
                    int line = _line, column = Column;
                    _pos += 2;
                    while (true)
                    {
                        if (_pos + 1 >= _text.Length)
                        {
                            throw Error("unterminated /* comment", line, column);
                        }

                        if (_text[_pos] == '*' && _text[_pos + 1] == '/')
                        {
                            _pos += 2;
                            break;
                        }

                        if (_text[_pos] == '\n')
                        {
                            _line++;
                            _lineStart = _pos + 1;
                        }

                        _pos++;
                    }
                }
                else
                {
                    return;
                }
            }
        }
    }
}
