using System.Text;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>Writes C# source line by line with four-space indentation and '\n' line ends (deterministic output).</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _builder = new();
        private int _indent;

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public IndentedWriter Line(string text = "")
        {
            if (text.Length > 0)
            {
                _builder.Append(' ', _indent * 4);
                _builder.Append(text);
            }

            _builder.Append('\n');
            return this;
        }

        /// <summary>Writes the text (which may span lines) with each line indented.</summary>
        public IndentedWriter Lines(string text)
        {
            foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
            {
                Line(line);
            }

            return this;
        }

        public IndentedWriter OpenBrace()
        {
            Line("{");
            _indent++;
            return this;
        }

        public IndentedWriter CloseBrace(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
            return this;
        }

        public override string ToString() => _builder.ToString();
    }
}
