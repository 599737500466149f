using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Analyzers.Reporting
{
    /// <summary>Locations of an attribute and of its arguments in source, for precise diagnostics.</summary>
    internal static class AttributeLocations
    {
        public static AttributeSyntax? Syntax(AttributeData attribute, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

        public static Location Of(AttributeData attribute, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? Location.None;

        /// <summary>The expression of the constructor argument at <paramref name="index"/>, or the attribute when it is not written.</summary>
        public static Location ConstructorArgument(AttributeData attribute, int index, CancellationToken cancellationToken)
        {
            AttributeSyntax? syntax = Syntax(attribute, cancellationToken);
            if (syntax?.ArgumentList == null)
            {
                return Of(attribute, cancellationToken);
            }

            int position = 0;
            foreach (AttributeArgumentSyntax argument in syntax.ArgumentList.Arguments)
            {
                if (argument.NameEquals != null)
                {
                    continue;
                }

                if (position == index)
                {
                    return argument.Expression.GetLocation();
                }

                position++;
            }

            return Of(attribute, cancellationToken);
        }

        /// <summary>The expression of the named argument <paramref name="name"/>, or the attribute when it is not written.</summary>
        public static Location NamedArgument(AttributeData attribute, string name, CancellationToken cancellationToken)
        {
            AttributeSyntax? syntax = Syntax(attribute, cancellationToken);
            if (syntax?.ArgumentList != null)
            {
                foreach (AttributeArgumentSyntax argument in syntax.ArgumentList.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    {
                        return argument.Expression.GetLocation();
                    }
                }
            }

            return Of(attribute, cancellationToken);
        }
    }
}
