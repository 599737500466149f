using System.Reflection;

namespace AgentQuotas.Generators.Tests.Harness;

/// <summary>Calls the static methods of a loaded test assembly's types.</summary>
internal static class Scenario
{
    public static object? Call(Assembly assembly, string type, string method, params object?[] args)
    {
        MethodInfo target = assembly.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"No public static {type}.{method}.");
        try
        {
            return target.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public static async Task<object?> CallAsync(Assembly assembly, string type, string method, params object?[] args)
    {
        object? result = Call(assembly, type, method, args);
        switch (result)
        {
            case Task task:
                await task;
                return task.GetType().GetProperty("Result")?.GetValue(task) is var value && task.GetType().IsGenericType ? value : null;
            default:
                return result;
        }
    }
}
