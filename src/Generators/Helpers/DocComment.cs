using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>A method's XML documentation: its summary and parameter descriptions, whitespace-normalised.</summary>
    internal sealed class DocComment
    {
        private readonly XElement? _root;

        private DocComment(XElement? root)
        {
            _root = root;
        }

        public string? Summary => Text(_root?.Element("summary"));

        public string? Parameter(string name) =>
            Text(_root?.Elements("param").FirstOrDefault(e => (string?)e.Attribute("name") == name));

        public static DocComment For(IMethodSymbol method, CancellationToken ct)
        {
            string? xml = method.GetDocumentationCommentXml(cancellationToken: ct);
            if (string.IsNullOrWhiteSpace(xml))
            {
                // Without /doc the compiler may not parse doc comments; read the '///' lines ourselves.
                xml = FromTrivia(method, ct);
            }

            if (string.IsNullOrWhiteSpace(xml))
            {
                return new DocComment(null);
            }

            try
            {
                XElement root = XElement.Parse(xml!.Trim().StartsWith("<member", StringComparison.Ordinal) ? xml : "<doc>" + xml + "</doc>");
                return new DocComment(root);
            }
            catch (System.Xml.XmlException)
            {
                return new DocComment(null);
            }
        }

        private static string? FromTrivia(IMethodSymbol method, CancellationToken ct)
        {
            SyntaxReference? reference = method.DeclaringSyntaxReferences.FirstOrDefault();
            if (reference is null)
            {
                return null;
            }

            var text = new StringBuilder();
            foreach (SyntaxTrivia trivia in reference.GetSyntax(ct).GetLeadingTrivia())
            {
                foreach (string line in trivia.ToFullString().Split('\n'))
                {
                    string trimmed = line.Trim();
                    if (trimmed.StartsWith("///", StringComparison.Ordinal))
                    {
                        text.Append(trimmed.Substring(3)).Append('\n');
                    }
                }
            }

            return text.Length == 0 ? null : text.ToString();
        }

        private static string? Text(XElement? element)
        {
            if (element is null)
            {
                return null;
            }

            // <see cref="T:Foo"/> and <paramref name="x"/> read as their names.
            var text = new StringBuilder();
            foreach (XNode node in element.DescendantNodes())
            {
                if (node is XText t && node.Parent is not null)
                {
                    text.Append(t.Value);
                }
                else if (node is XElement e && !e.Nodes().Any())
                {
                    string? reference = (string?)e.Attribute("cref") ?? (string?)e.Attribute("name") ?? (string?)e.Attribute("langword");
                    if (reference is not null)
                    {
                        int colon = reference.IndexOf(':');
                        string shown = colon >= 0 ? reference.Substring(colon + 1) : reference;
                        text.Append(shown.Substring(shown.LastIndexOf('.') + 1));
                    }
                }
            }

            string normalised = string.Join(" ", text.ToString().Split(new[] { ' ', '\n', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries));
            return normalised.Length == 0 ? null : normalised;
        }
    }
}
