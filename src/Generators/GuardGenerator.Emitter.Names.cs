using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;

namespace AgentQuotas.Generators
{
    public sealed partial class GuardGenerator
    {
        internal static partial class Emitter
        {
            /// <summary>
            /// The identifiers of one method's generated code (its interceptor and helpers share them). The user's
            /// parameter names are kept unless they would shadow a member of the generated class (then they are
            /// renamed: an interceptor's parameter names need not match the intercepted method's); every local,
            /// parameter and lambda parameter the generator adds takes the reserved <c>__</c> prefix and is renamed
            /// in turn when a user name already has it (a parameter called <c>__ticket</c> gives <c>__ticket_1</c>).
            /// </summary>
            internal sealed class MethodNames
            {
                private string[] _parameters;

                private MethodNames(NameScope scope, IReadOnlyList<string> parameters)
                {
                    _parameters = parameters.Select(scope.Claim).ToArray();
                    Receiver = scope.Claim("this");
                    Ticket = scope.Claim("__ticket");
                    Pending = scope.Claim("__pending");
                    Exception = scope.Claim("__e");
                    Task = scope.Claim("__task");
                    Result = scope.Claim("__result");
                    Child = scope.Claim("__child");
                    Degraded = scope.Claim("__degraded");
                    Lambda = scope.Claim("__r");
                    Target = scope.Claim("__target");
                    State = scope.Claim("__s");
                }

                public string Receiver { get; private set; }

                public string Ticket { get; }

                public string Pending { get; }

                public string Exception { get; }

                public string Task { get; }

                public string Result { get; }

                public string Child { get; }

                public string Degraded { get; }

                public string Lambda { get; }

                public string Target { get; }

                public string State { get; }

                /// <summary>The names for a method whose generated code lives among <paramref name="members"/>.</summary>
                public static MethodNames For(MethodModel m, IEnumerable<string> members) =>
                    new(new NameScope(members.Concat(m.TypeParameters.Select(t => t.Name))), m.Parameters.Select(p => p.Name).ToList());

                /// <summary>The generated names of the user's parameters, in order.</summary>
                public IReadOnlyList<string> Parameters => _parameters;

                /// <summary>
                /// The same names, except that the receiver and the parameters are read from <paramref name="receiver"/> and
                /// <paramref name="parameters"/> (the items of a lambda's state value).
                /// </summary>
                public MethodNames Reading(string receiver, IReadOnlyList<string> parameters)
                {
                    var copy = (MethodNames)MemberwiseClone();
                    copy._parameters = parameters.ToArray();
                    copy.Receiver = receiver;
                    return copy;
                }

                /// <summary>The generated name of the user's parameter at <paramref name="index"/>.</summary>
                public string Parameter(int index) => _parameters[index];
            }
        }
    }
}
