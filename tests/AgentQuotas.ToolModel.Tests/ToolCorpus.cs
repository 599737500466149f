namespace AgentQuotas.ToolModel.Tests;

/// <summary>
/// Tool shapes the generator and the analyzers must judge alike: valid and invalid costs, estimators and
/// fallbacks, categories on methods, types and interfaces, privilege, annotations inherited from interface and
/// base members, framework tools, local functions, and shapes generated code cannot reach. Every method name is
/// unique within its type, so "Type.Method" names one method on both sides. Calls to every public method are
/// added by <see cref="AgreementRun"/>, so the generator describes each one.
/// </summary>
internal static class ToolCorpus
{
    /// <summary>The policy: "small" admits at most 5 units, so a tool costing 10 in it can never run (AQ0009).</summary>
    public const string Policy = """
        {
          "version": "agreement.1",
          "tiers": {
            "standard": {
              "categories": {
                "search":   { "capacity": 100, "refillPerSecond": 1 },
                "payments": { "capacity": 100, "refillPerSecond": 1 },
                "small":    { "capacity": 5,   "refillPerSecond": 1 }
              }
            }
          },
          "defaultTier": "standard"
        }
        """;

    /// <summary>Framework tool attributes, declared by metadata name as Semantic Kernel and the MCP SDK declare them.</summary>
    public const string Frameworks = """
        namespace Microsoft.SemanticKernel
        {
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KernelFunctionAttribute : System.Attribute
            {
                public KernelFunctionAttribute() { }
                public KernelFunctionAttribute(string name) { }
            }
        }

        namespace ModelContextProtocol.Server
        {
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class McpServerToolAttribute : System.Attribute
            {
                public string? Name { get; set; }
            }
        }
        """;

    public const string Costs = """
        using AgentQuotas;

        namespace Corpus;

        [QuotaCategory("search")]
        public class Costs
        {
            [Cost(2)] public string Fixed(string q) => q;
            [Cost(0.25)] public string Fraction(string q) => q;
            [Cost(0)] public string Zero(string q) => q;
            [Cost(-1)] public string Negative(string q) => q;
            [Cost(double.NaN)] public string NotANumber(string q) => q;
            [Cost(double.PositiveInfinity)] public string Infinite(string q) => q;
            [Cost] public string NoUnits(string q) => q;
            [Cost(3, Estimator = nameof(EstimateQuery))] public string UnitsAndEstimator(string q) => q;
            [Cost(Estimator = "")] public string EmptyEstimator(string q) => q;
            [Cost(Estimator = nameof(EstimateQuery))] public string Estimated(string q) => q;
            [Cost(Estimator = nameof(EstimateQuery))] public string EstimatedPrefix(string q, int pages) => q;
            [Cost(Estimator = nameof(EstimateNothing))] public string EstimatedFromNothing(string q) => q;
            [Cost(Estimator = nameof(EstimateInstance))] public string EstimatorNotStatic(string q) => q;
            [Cost(Estimator = nameof(EstimateInt))] public string EstimatorNotDouble(string q) => q;
            [Cost(Estimator = nameof(EstimateGeneric))] public string EstimatorGeneric(string q) => q;
            [Cost(Estimator = nameof(EstimatePages))] public string EstimatorWrongParameters(string q) => q;
            [Cost(Estimator = nameof(EstimateQuery))] public string EstimatorTooManyParameters() => "";
            [Cost(Estimator = "EstimateMissing")] public string EstimatorMissing(string q) => q;
            [Cost(Estimator = "EstimateQuerry")] public string EstimatorMisspelt(string q) => q;
            [Cost(Estimator = nameof(EstimatePrivate))] public string EstimatorPrivate(string q) => q;
            [Cost(Estimator = nameof(EstimateProtected))] public string EstimatorProtected(string q) => q;
            [Cost(Estimator = nameof(EstimateOverloaded))] public string EstimatorOverloaded(string q, int pages) => q;
            [Cost(Estimator = nameof(CostBase.EstimateInBase))] public string EstimatorInBaseOnly(string q) => q;

            public static double EstimateQuery(string q) => 1 + q.Length;
            public static double EstimateNothing() => 1;
            public double EstimateInstance(string q) => 1;
            public static int EstimateInt(string q) => 1;
            public static double EstimateGeneric<T>(string q) => 1;
            public static double EstimatePages(int pages) => pages;
            private static double EstimatePrivate(string q) => 1;
            protected static double EstimateProtected(string q) => 1;
            public static double EstimateOverloaded(int pages) => pages;
            public static double EstimateOverloaded(string q) => 1;
        }

        public class CostBase
        {
            public static double EstimateInBase(string q) => 1;
        }

        public class Budgets
        {
            [Cost(1)] public string NoCategory(string q) => q;
            [QuotaCategory("search")] public string CategoryWithoutCost(string q) => q;
            [QuotaCategory("")] public string EmptyCategory(string q) => q;
            [QuotaCategory("search"), Cost(1)] public string MethodCategory(string q) => q;
            [AgentTool("only_tool", "A tool without a budget")] public string AgentToolOnly(string q) => q;
            [AgentTool("budgeted_tool", "A tool with a budget"), QuotaCategory("search"), Cost(1)] public string AgentToolBudgeted(string q) => q;
            [Privileged] public string PrivilegedOnly(string q) => q;
            [Privileged(RequiresApproval = true), QuotaCategory("payments"), Cost(1)] public string PrivilegedBudgeted(string q) => q;
            [Privileged, Cost(1)] public string PrivilegedWithoutCategory(string q) => q;
            [QuotaCategory("small"), Cost(10)] public string NeverAdmitted(string q) => q;
            [QuotaCategory("small"), Cost(2)] public string SmallButFits(string q) => q;
            [QuotaCategory("search"), Cost(10)] public string SearchTen(string q) => q;
        }

        [QuotaCategory("small")]
        public class SmallByType
        {
            [Cost(10)] public string TypeCategoryNeverAdmitted(string q) => q;
            [QuotaCategory("search"), Cost(10)] public string MethodCategoryWins(string q) => q;
        }

        [QuotaCategory("search")]
        public static class StaticTools
        {
            [Cost(Estimator = nameof(Estimate))] public static string PrivateEstimatorOfStaticType(string q) => q;
            [Cost(1), Fallback(nameof(Draft))] public static string PrivateFallbackOfStaticType(string q) => q;
            [Cost(1), Fallback(nameof(PublicDraft))] public static string PublicFallbackOfStaticType(string q) => q;
            [Cost(1)] public static string Extension(this string q) => q;
            private static double Estimate(string q) => 1;
            private static string Draft(string q) => q;
            public static string PublicDraft(string q) => q;
        }

        [QuotaCategory("search")]
        public class Box<T>
        {
            [Cost(1), Fallback(nameof(Draft))] public T PrivateFallbackOfGenericType(T value) => value;
            [Cost(1), Fallback(nameof(PublicDraft))] public T PublicFallbackOfGenericType(T value) => value;
            [Cost(Estimator = nameof(Estimate))] public T PrivateEstimatorOfGenericType(T value) => value;
            [Cost(Estimator = nameof(PublicEstimate))] public T PublicEstimatorOfGenericType(T value) => value;
            private T Draft(T value) => value;
            public T PublicDraft(T value) => value;
            private static double Estimate(T value) => 1;
            public static double PublicEstimate(T value) => 1;
        }

        [QuotaCategory("search")]
        public struct Counter
        {
            [Cost(1)] public int Next() => 1;
            [Cost(1)] public static int StaticNext() => 1;
        }
        """;

    public const string Fallbacks = """
        using System;
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Corpus;

        public class FallbackBase
        {
            internal string BaseInternalDraft(string q) => q;
            protected string BaseProtectedDraft(string q) => q;
            private protected string BasePrivateProtectedDraft(string q) => q;
            public static string BaseStaticDraft(string q) => q;
            [Privileged] public virtual string PrivilegedVirtualDraft(string q) => q;
        }

        [QuotaCategory("search")]
        public class Fallbacks : FallbackBase
        {
            [Cost(1), Fallback(nameof(DraftAsync))] public Task<string> GoodAsync(string id, decimal amount) => Task.FromResult(id);
            [Cost(1), Fallback("DraftMissing")] public string Missing(string q) => q;
            [Cost(1), Fallback("")] public string EmptyName(string q) => q;
            [Cost(1), Fallback(nameof(DraftOtherParameters))] public string OtherParameters(string q) => q;
            [Cost(1), Fallback(nameof(DraftOtherReturn))] public string OtherReturn(string q) => q;
            [Cost(1), Fallback(nameof(DraftRef))] public string OtherRefKind(string q) => q;
            [Cost(1), Fallback(nameof(ItSelf))] public string ItSelf(string q) => q;
            [Cost(1), Fallback(nameof(DraftPrivileged))] public string PrivilegedTarget(string q) => q;
            [Cost(1), Fallback(nameof(PrivilegedVirtualDraft))] public string InheritedPrivilegeTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftPrivate))] public string PrivateTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftProtected))] public string ProtectedTarget(string q) => q;
            [Cost(1), Fallback(nameof(BaseInternalDraft))] public string BaseInternalTarget(string q) => q;
            [Cost(1), Fallback(nameof(BaseProtectedDraft))] public string BaseProtectedTarget(string q) => q;
            [Cost(1), Fallback(nameof(BasePrivateProtectedDraft))] public string BasePrivateProtectedTarget(string q) => q;
            [Cost(1), Fallback(nameof(BaseStaticDraft))] public string BaseStaticTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftInstance))] public static string StaticToolInstanceTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftStatic))] public string InstanceToolStaticTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftStatic))] public static string StaticToolStaticTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftGeneric))] public T GenericTool<T>(T value) => value;
            [Cost(1), Fallback(nameof(DraftGenericPrivate))] public T GenericToolPrivateTarget<T>(T value) => value;
            [Cost(1), Fallback(nameof(DraftOtherArity))] public T GenericToolOtherArity<T>(T value) => value;
            [Cost(1), Fallback(nameof(DraftOverloaded))] public string OverloadedTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftGuarded))] public string GuardedTarget(string q) => q;
            [Cost(1), Fallback(nameof(DraftSpan))] public ReadOnlySpan<char> RefStructResult(string q) => q.AsSpan();
            [Cost(1), Fallback(nameof(DraftNullable))] public string? NullableResult(string q) => q;
            [Fallback(nameof(DraftStatic))] public string FallbackWithoutBudget(string q) => q;
            [Cost(0), Fallback(nameof(DraftStatic))] public string FallbackWithInvalidCost(string q) => q;
            [Cost(1), Fallback(nameof(DraftInstance), nameof(DraftStatic))] public string OrderedChain(string q) => q;
            [Cost(1), Fallback(nameof(DraftPrivileged), nameof(DraftStatic), "DraftMissing")] public string ChainWithBadEntries(string q) => q;

            public Task<string> DraftAsync(string id, decimal amount) => Task.FromResult(id);
            public string DraftOtherParameters(int q) => "";
            public int DraftOtherReturn(string q) => 0;
            public string DraftRef(ref string q) => q;
            [Privileged] public string DraftPrivileged(string q) => q;
            public override string PrivilegedVirtualDraft(string q) => q;
            private string DraftPrivate(string q) => q;
            protected string DraftProtected(string q) => q;
            public string DraftInstance(string q) => q;
            public static string DraftStatic(string q) => q;
            public T DraftGeneric<T>(T value) => value;
            private T DraftGenericPrivate<T>(T value) => value;
            public T DraftOtherArity<T, U>(T value) => value;
            public string DraftOverloaded(int q) => "";
            public string DraftOverloaded(string q) => q;
            [Cost(1)] public string DraftGuarded(string q) => q;
            public ReadOnlySpan<char> DraftSpan(string q) => q.AsSpan();
            public string DraftNullable(string q) => q;
        }
        """;

    public const string Inheritance = """
        using AgentQuotas;

        namespace Corpus;

        public interface IRefunds
        {
            [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true), Fallback(nameof(DraftRefund))]
            string Refund(string id);

            string DraftRefund(string id);
        }

        public class Refunds : IRefunds
        {
            public string Refund(string id) => id;
            public string DraftRefund(string id) => id;
        }

        public class ExplicitRefunds : IRefunds
        {
            string IRefunds.Refund(string id) => id;
            string IRefunds.DraftRefund(string id) => id;
            public string Direct(string id) => ((IRefunds)this).Refund(id);
        }

        public interface IPriced
        {
            [QuotaCategory("search"), Cost(Estimator = nameof(Price))]
            string Quote(string q);

            static double Price(string q) => 1;
        }

        public class Priced : IPriced
        {
            public string Quote(string q) => q;
        }

        public interface IEstimatedByImplementation
        {
            [QuotaCategory("search"), Cost(Estimator = "Weigh")]
            string Measure(string q);
        }

        public class Weighed : IEstimatedByImplementation
        {
            public string Measure(string q) => q;
            public static double Weigh(string q) => 1;
        }

        [QuotaCategory("search")]
        public interface ICategorised
        {
            [Cost(2)] string Lookup(string q);
        }

        public class Categorised : ICategorised
        {
            public string Lookup(string q) => q;
        }

        public interface IFallbackElsewhere
        {
            [QuotaCategory("search"), Cost(1), Fallback("Spare")]
            string Work(string q);
        }

        public class SpareOnClass : IFallbackElsewhere
        {
            public string Work(string q) => q;
            public string Spare(string q) => q;
        }

        public class NoSpare : IFallbackElsewhere
        {
            public string Work(string q) => q;
        }

        [QuotaCategory("search")]
        public abstract class ToolBase
        {
            [Cost(2)] public abstract string Run(string q);
            [Cost(Estimator = nameof(EstimateBase))] public virtual string Weigh(string q) => q;
            [Cost(1), Fallback(nameof(BaseDraft))] public virtual string Degrade(string q) => q;
            private static double EstimateBase(string q) => 1;
            private string BaseDraft(string q) => q;
        }

        public class ToolImpl : ToolBase
        {
            public override string Run(string q) => q;
            public override string Weigh(string q) => q;
            public override string Degrade(string q) => q;
        }

        public class AgentToolOnInterfaceImpl : IAgentToolOnInterface
        {
            [QuotaCategory("search")] public string Ask(string q) => q;
        }

        public interface IAgentToolOnInterface
        {
            [AgentTool("ask", "Asks"), Cost(1)] string Ask(string q);
        }
        """;

    public const string FrameworkTools = """
        using AgentQuotas;
        using Microsoft.SemanticKernel;
        using ModelContextProtocol.Server;

        namespace Corpus;

        public class SkPlugin
        {
            [KernelFunction] public string SearchWithoutBudget(string q) => q;
            [KernelFunction, QuotaCategory("search"), Cost(1)] public string SearchBudgeted(string q) => q;
            [KernelFunction("named"), QuotaCategory("search"), Cost(0)] public string SearchZeroCost(string q) => q;
            [KernelFunction, QuotaCategory("search"), Cost(1), Fallback(nameof(SearchDraft))] public string SearchWithFallback(string q) => q;
            public string SearchDraft(string q) => q;
        }

        public class McpTools
        {
            [McpServerTool(Name = "lookup")] public string LookupWithoutBudget(string q) => q;
            [McpServerTool, Cost(1)] public string LookupWithoutCategory(string q) => q;
            [McpServerTool, QuotaCategory("search"), Cost(Estimator = nameof(EstimateLookup))] public string LookupEstimated(string q) => q;
            [McpServerTool, AgentTool("both", "Both attributes"), QuotaCategory("search"), Cost(1)] public string LookupBoth(string q) => q;
            public static double EstimateLookup(string q) => 1;
        }

        public class LocalFunctions
        {
            public void Host()
            {
                [Cost(1), QuotaCategory("search")] string FixedLocal(string c) => c;
                [Cost(Estimator = nameof(EstimateLocal)), QuotaCategory("search")] string EstimatedLocal(string c) => c;
                [Cost(1), QuotaCategory("search"), Fallback(nameof(Host))] string FallbackLocal(string c) => c;
                [AgentLoop(MaxIterations = 3)] void LoopLocal() { }
                System.Func<string, string> a = FixedLocal, b = EstimatedLocal, c = FallbackLocal;
                System.Action d = LoopLocal;
            }

            public static double EstimateLocal(string c) => 1;
        }
        """;

    public static readonly string[] Sources = [Frameworks, Costs, Fallbacks, Inheritance, FrameworkTools];
}
