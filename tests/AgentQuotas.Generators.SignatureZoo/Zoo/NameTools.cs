using AgentQuotas;

namespace Zoo;

/// <summary>
/// Parameter names that frameworks use (Semantic Kernel's cancellationToken and kernel, Microsoft.Extensions.AI's
/// arguments and serviceProvider, MCP's context and cancellation) and names the generator itself uses or used
/// (__ticket, __result, @this, s_tool_0, its own class name...). Each tool is also an [AgentTool], so its
/// generated AIFunction is compiled with the same names.
/// </summary>
[QuotaCategory("zoo")]
public sealed class NameTools
{
    [AgentTool("Sync_cancellationToken", "Zoo tool Sync_cancellationToken."), Cost(1)]
    public string Sync_cancellationToken(string cancellationToken) => global::Zoo.Probe.Hit(cancellationToken);

    [AgentTool("Async_cancellationToken", "Zoo tool Async_cancellationToken."), Cost(1)]
    public async Task<string> Async_cancellationToken(string cancellationToken)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(cancellationToken);
    }

    [AgentTool("Sync_kernel", "Zoo tool Sync_kernel."), Cost(1)]
    public string Sync_kernel(string kernel) => global::Zoo.Probe.Hit(kernel);

    [AgentTool("Async_kernel", "Zoo tool Async_kernel."), Cost(1)]
    public async Task<string> Async_kernel(string kernel)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(kernel);
    }

    [AgentTool("Sync_arguments", "Zoo tool Sync_arguments."), Cost(1)]
    public string Sync_arguments(string arguments) => global::Zoo.Probe.Hit(arguments);

    [AgentTool("Async_arguments", "Zoo tool Async_arguments."), Cost(1)]
    public async Task<string> Async_arguments(string arguments)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(arguments);
    }

    [AgentTool("Sync_serviceProvider", "Zoo tool Sync_serviceProvider."), Cost(1)]
    public string Sync_serviceProvider(string serviceProvider) => global::Zoo.Probe.Hit(serviceProvider);

    [AgentTool("Async_serviceProvider", "Zoo tool Async_serviceProvider."), Cost(1)]
    public async Task<string> Async_serviceProvider(string serviceProvider)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(serviceProvider);
    }

    [AgentTool("Sync_context", "Zoo tool Sync_context."), Cost(1)]
    public string Sync_context(string context) => global::Zoo.Probe.Hit(context);

    [AgentTool("Async_context", "Zoo tool Async_context."), Cost(1)]
    public async Task<string> Async_context(string context)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(context);
    }

    [AgentTool("Sync_cancellation", "Zoo tool Sync_cancellation."), Cost(1)]
    public string Sync_cancellation(string cancellation) => global::Zoo.Probe.Hit(cancellation);

    [AgentTool("Async_cancellation", "Zoo tool Async_cancellation."), Cost(1)]
    public async Task<string> Async_cancellation(string cancellation)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(cancellation);
    }

    [AgentTool("Sync___ticket", "Zoo tool Sync___ticket."), Cost(1)]
    public string Sync___ticket(string __ticket) => global::Zoo.Probe.Hit(__ticket);

    [AgentTool("Async___ticket", "Zoo tool Async___ticket."), Cost(1)]
    public async Task<string> Async___ticket(string __ticket)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__ticket);
    }

    [AgentTool("Sync___result", "Zoo tool Sync___result."), Cost(1)]
    public string Sync___result(string __result) => global::Zoo.Probe.Hit(__result);

    [AgentTool("Async___result", "Zoo tool Async___result."), Cost(1)]
    public async Task<string> Async___result(string __result)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__result);
    }

    [AgentTool("Sync___pending", "Zoo tool Sync___pending."), Cost(1)]
    public string Sync___pending(string __pending) => global::Zoo.Probe.Hit(__pending);

    [AgentTool("Async___pending", "Zoo tool Async___pending."), Cost(1)]
    public async Task<string> Async___pending(string __pending)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__pending);
    }

    [AgentTool("Sync___e", "Zoo tool Sync___e."), Cost(1)]
    public string Sync___e(string __e) => global::Zoo.Probe.Hit(__e);

    [AgentTool("Async___e", "Zoo tool Async___e."), Cost(1)]
    public async Task<string> Async___e(string __e)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__e);
    }

    [AgentTool("Sync___task", "Zoo tool Sync___task."), Cost(1)]
    public string Sync___task(string __task) => global::Zoo.Probe.Hit(__task);

    [AgentTool("Async___task", "Zoo tool Async___task."), Cost(1)]
    public async Task<string> Async___task(string __task)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__task);
    }

    [AgentTool("Sync___child", "Zoo tool Sync___child."), Cost(1)]
    public string Sync___child(string __child) => global::Zoo.Probe.Hit(__child);

    [AgentTool("Async___child", "Zoo tool Async___child."), Cost(1)]
    public async Task<string> Async___child(string __child)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__child);
    }

    [AgentTool("Sync___degraded", "Zoo tool Sync___degraded."), Cost(1)]
    public string Sync___degraded(string __degraded) => global::Zoo.Probe.Hit(__degraded);

    [AgentTool("Async___degraded", "Zoo tool Async___degraded."), Cost(1)]
    public async Task<string> Async___degraded(string __degraded)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__degraded);
    }

    [AgentTool("Sync___r", "Zoo tool Sync___r."), Cost(1)]
    public string Sync___r(string __r) => global::Zoo.Probe.Hit(__r);

    [AgentTool("Async___r", "Zoo tool Async___r."), Cost(1)]
    public async Task<string> Async___r(string __r)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__r);
    }

    [AgentTool("Sync___target", "Zoo tool Sync___target."), Cost(1)]
    public string Sync___target(string __target) => global::Zoo.Probe.Hit(__target);

    [AgentTool("Async___target", "Zoo tool Async___target."), Cost(1)]
    public async Task<string> Async___target(string __target)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__target);
    }

    [AgentTool("Sync___s", "Zoo tool Sync___s."), Cost(1)]
    public string Sync___s(string __s) => global::Zoo.Probe.Hit(__s);

    [AgentTool("Async___s", "Zoo tool Async___s."), Cost(1)]
    public async Task<string> Async___s(string __s)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__s);
    }

    [AgentTool("Sync___arguments", "Zoo tool Sync___arguments."), Cost(1)]
    public string Sync___arguments(string __arguments) => global::Zoo.Probe.Hit(__arguments);

    [AgentTool("Async___arguments", "Zoo tool Async___arguments."), Cost(1)]
    public async Task<string> Async___arguments(string __arguments)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__arguments);
    }

    [AgentTool("Sync___cancellationToken", "Zoo tool Sync___cancellationToken."), Cost(1)]
    public string Sync___cancellationToken(string __cancellationToken) => global::Zoo.Probe.Hit(__cancellationToken);

    [AgentTool("Async___cancellationToken", "Zoo tool Async___cancellationToken."), Cost(1)]
    public async Task<string> Async___cancellationToken(string __cancellationToken)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__cancellationToken);
    }

    [AgentTool("Sync___kernel", "Zoo tool Sync___kernel."), Cost(1)]
    public string Sync___kernel(string __kernel) => global::Zoo.Probe.Hit(__kernel);

    [AgentTool("Async___kernel", "Zoo tool Async___kernel."), Cost(1)]
    public async Task<string> Async___kernel(string __kernel)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(__kernel);
    }

    [AgentTool("Sync_this", "Zoo tool Sync_this."), Cost(1)]
    public string Sync_this(string @this) => global::Zoo.Probe.Hit(@this);

    [AgentTool("Async_this", "Zoo tool Async_this."), Cost(1)]
    public async Task<string> Async_this(string @this)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@this);
    }

    [AgentTool("Sync_class", "Zoo tool Sync_class."), Cost(1)]
    public string Sync_class(string @class) => global::Zoo.Probe.Hit(@class);

    [AgentTool("Async_class", "Zoo tool Async_class."), Cost(1)]
    public async Task<string> Async_class(string @class)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@class);
    }

    [AgentTool("Sync_event", "Zoo tool Sync_event."), Cost(1)]
    public string Sync_event(string @event) => global::Zoo.Probe.Hit(@event);

    [AgentTool("Async_event", "Zoo tool Async_event."), Cost(1)]
    public async Task<string> Async_event(string @event)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@event);
    }

    [AgentTool("Sync_base", "Zoo tool Sync_base."), Cost(1)]
    public string Sync_base(string @base) => global::Zoo.Probe.Hit(@base);

    [AgentTool("Async_base", "Zoo tool Async_base."), Cost(1)]
    public async Task<string> Async_base(string @base)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@base);
    }

    [AgentTool("Sync_params", "Zoo tool Sync_params."), Cost(1)]
    public string Sync_params(string @params) => global::Zoo.Probe.Hit(@params);

    [AgentTool("Async_params", "Zoo tool Async_params."), Cost(1)]
    public async Task<string> Async_params(string @params)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@params);
    }

    [AgentTool("Sync_default", "Zoo tool Sync_default."), Cost(1)]
    public string Sync_default(string @default) => global::Zoo.Probe.Hit(@default);

    [AgentTool("Async_default", "Zoo tool Async_default."), Cost(1)]
    public async Task<string> Async_default(string @default)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(@default);
    }

    [AgentTool("Sync_value", "Zoo tool Sync_value."), Cost(1)]
    public string Sync_value(string value) => global::Zoo.Probe.Hit(value);

    [AgentTool("Async_value", "Zoo tool Async_value."), Cost(1)]
    public async Task<string> Async_value(string value)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(value);
    }

    [AgentTool("Sync_result", "Zoo tool Sync_result."), Cost(1)]
    public string Sync_result(string result) => global::Zoo.Probe.Hit(result);

    [AgentTool("Async_result", "Zoo tool Async_result."), Cost(1)]
    public async Task<string> Async_result(string result)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(result);
    }

    [AgentTool("Sync_ticket", "Zoo tool Sync_ticket."), Cost(1)]
    public string Sync_ticket(string ticket) => global::Zoo.Probe.Hit(ticket);

    [AgentTool("Async_ticket", "Zoo tool Async_ticket."), Cost(1)]
    public async Task<string> Async_ticket(string ticket)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(ticket);
    }

    [AgentTool("Sync_tools", "Zoo tool Sync_tools."), Cost(1)]
    public string Sync_tools(string tools) => global::Zoo.Probe.Hit(tools);

    [AgentTool("Async_tools", "Zoo tool Async_tools."), Cost(1)]
    public async Task<string> Async_tools(string tools)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(tools);
    }

    [AgentTool("Sync_target", "Zoo tool Sync_target."), Cost(1)]
    public string Sync_target(string target) => global::Zoo.Probe.Hit(target);

    [AgentTool("Async_target", "Zoo tool Async_target."), Cost(1)]
    public async Task<string> Async_target(string target)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(target);
    }

    [AgentTool("Sync__target", "Zoo tool Sync__target."), Cost(1)]
    public string Sync__target(string _target) => global::Zoo.Probe.Hit(_target);

    [AgentTool("Async__target", "Zoo tool Async__target."), Cost(1)]
    public async Task<string> Async__target(string _target)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(_target);
    }

    [AgentTool("Sync_s_schema", "Zoo tool Sync_s_schema."), Cost(1)]
    public string Sync_s_schema(string s_schema) => global::Zoo.Probe.Hit(s_schema);

    [AgentTool("Async_s_schema", "Zoo tool Async_s_schema."), Cost(1)]
    public async Task<string> Async_s_schema(string s_schema)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(s_schema);
    }

    [AgentTool("Sync_ParseSchema", "Zoo tool Sync_ParseSchema."), Cost(1)]
    public string Sync_ParseSchema(string ParseSchema) => global::Zoo.Probe.Hit(ParseSchema);

    [AgentTool("Async_ParseSchema", "Zoo tool Async_ParseSchema."), Cost(1)]
    public async Task<string> Async_ParseSchema(string ParseSchema)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(ParseSchema);
    }

    [AgentTool("Sync_Name", "Zoo tool Sync_Name."), Cost(1)]
    public string Sync_Name(string Name) => global::Zoo.Probe.Hit(Name);

    [AgentTool("Async_Name", "Zoo tool Async_Name."), Cost(1)]
    public async Task<string> Async_Name(string Name)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(Name);
    }

    [AgentTool("Sync_Description", "Zoo tool Sync_Description."), Cost(1)]
    public string Sync_Description(string Description) => global::Zoo.Probe.Hit(Description);

    [AgentTool("Async_Description", "Zoo tool Async_Description."), Cost(1)]
    public async Task<string> Async_Description(string Description)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(Description);
    }

    [AgentTool("Sync_JsonSchema", "Zoo tool Sync_JsonSchema."), Cost(1)]
    public string Sync_JsonSchema(string JsonSchema) => global::Zoo.Probe.Hit(JsonSchema);

    [AgentTool("Async_JsonSchema", "Zoo tool Async_JsonSchema."), Cost(1)]
    public async Task<string> Async_JsonSchema(string JsonSchema)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(JsonSchema);
    }

    [AgentTool("Sync_s_tool_0", "Zoo tool Sync_s_tool_0."), Cost(1)]
    public string Sync_s_tool_0(string s_tool_0) => global::Zoo.Probe.Hit(s_tool_0);

    [AgentTool("Async_s_tool_0", "Zoo tool Async_s_tool_0."), Cost(1)]
    public async Task<string> Async_s_tool_0(string s_tool_0)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(s_tool_0);
    }

    [AgentTool("Sync_s_loop_0", "Zoo tool Sync_s_loop_0."), Cost(1)]
    public string Sync_s_loop_0(string s_loop_0) => global::Zoo.Probe.Hit(s_loop_0);

    [AgentTool("Async_s_loop_0", "Zoo tool Async_s_loop_0."), Cost(1)]
    public async Task<string> Async_s_loop_0(string s_loop_0)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(s_loop_0);
    }

    [AgentTool("Sync_Guards_Zoo_NameTools", "Zoo tool Sync_Guards_Zoo_NameTools."), Cost(1)]
    public string Sync_Guards_Zoo_NameTools(string Guards_Zoo_NameTools) => global::Zoo.Probe.Hit(Guards_Zoo_NameTools);

    [AgentTool("Async_Guards_Zoo_NameTools", "Zoo tool Async_Guards_Zoo_NameTools."), Cost(1)]
    public async Task<string> Async_Guards_Zoo_NameTools(string Guards_Zoo_NameTools)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(Guards_Zoo_NameTools);
    }

    [AgentTool("Sync_global", "Zoo tool Sync_global."), Cost(1)]
    public string Sync_global(string global) => global::Zoo.Probe.Hit(global);

    [AgentTool("Async_global", "Zoo tool Async_global."), Cost(1)]
    public async Task<string> Async_global(string global)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(global);
    }

    [AgentTool("Sync_T", "Zoo tool Sync_T."), Cost(1)]
    public string Sync_T(string T) => global::Zoo.Probe.Hit(T);

    [AgentTool("Async_T", "Zoo tool Async_T."), Cost(1)]
    public async Task<string> Async_T(string T)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(T);
    }

    [AgentTool("Sync_e", "Zoo tool Sync_e."), Cost(1)]
    public string Sync_e(string e) => global::Zoo.Probe.Hit(e);

    [AgentTool("Async_e", "Zoo tool Async_e."), Cost(1)]
    public async Task<string> Async_e(string e)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(e);
    }

    [AgentTool("Sync_task", "Zoo tool Sync_task."), Cost(1)]
    public string Sync_task(string task) => global::Zoo.Probe.Hit(task);

    [AgentTool("Async_task", "Zoo tool Async_task."), Cost(1)]
    public async Task<string> Async_task(string task)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(task);
    }

    [AgentTool("Sync_InvokeCoreAsync", "Zoo tool Sync_InvokeCoreAsync."), Cost(1)]
    public string Sync_InvokeCoreAsync(string InvokeCoreAsync) => global::Zoo.Probe.Hit(InvokeCoreAsync);

    [AgentTool("Async_InvokeCoreAsync", "Zoo tool Async_InvokeCoreAsync."), Cost(1)]
    public async Task<string> Async_InvokeCoreAsync(string InvokeCoreAsync)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(InvokeCoreAsync);
    }

    [AgentTool("Sync_ChatUsage", "Zoo tool Sync_ChatUsage."), Cost(1)]
    public string Sync_ChatUsage(string ChatUsage) => global::Zoo.Probe.Hit(ChatUsage);

    [AgentTool("Async_ChatUsage", "Zoo tool Async_ChatUsage."), Cost(1)]
    public async Task<string> Async_ChatUsage(string ChatUsage)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(ChatUsage);
    }

    [AgentTool("Sync_nameof", "Zoo tool Sync_nameof."), Cost(1)]
    public string Sync_nameof(string nameof) => global::Zoo.Probe.Hit(nameof);

    [AgentTool("Async_nameof", "Zoo tool Async_nameof."), Cost(1)]
    public async Task<string> Async_nameof(string nameof)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(nameof);
    }

    [AgentTool("Sync_var", "Zoo tool Sync_var."), Cost(1)]
    public string Sync_var(string var) => global::Zoo.Probe.Hit(var);

    [AgentTool("Async_var", "Zoo tool Async_var."), Cost(1)]
    public async Task<string> Async_var(string var)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(var);
    }

    [AgentTool("Sync_dynamic", "Zoo tool Sync_dynamic."), Cost(1)]
    public string Sync_dynamic(string dynamic) => global::Zoo.Probe.Hit(dynamic);

    [AgentTool("Async_dynamic", "Zoo tool Async_dynamic."), Cost(1)]
    public async Task<string> Async_dynamic(string dynamic)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(dynamic);
    }

    [AgentTool("Sync_async", "Zoo tool Sync_async."), Cost(1)]
    public string Sync_async(string async) => global::Zoo.Probe.Hit(async);

    [AgentTool("Async_async", "Zoo tool Async_async."), Cost(1)]
    public async Task<string> Async_async(string async)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(async);
    }

    [AgentTool("Sync_Probe", "Zoo tool Sync_Probe."), Cost(1)]
    public string Sync_Probe(string Probe) => global::Zoo.Probe.Hit(Probe);

    [AgentTool("Async_Probe", "Zoo tool Async_Probe."), Cost(1)]
    public async Task<string> Async_Probe(string Probe)
    {
        await Task.Yield();
        return global::Zoo.Probe.Hit(Probe);
    }
}

public static class NameShapes
{
    public static IEnumerable<Shape> All(NameTools tools) =>
    [
        new("names/cancellationToken/sync", () => tools.Sync_cancellationToken("x")),
        new("names/cancellationToken/Task<T>", () => tools.Async_cancellationToken("x")),
        new("names/kernel/sync", () => tools.Sync_kernel("x")),
        new("names/kernel/Task<T>", () => tools.Async_kernel("x")),
        new("names/arguments/sync", () => tools.Sync_arguments("x")),
        new("names/arguments/Task<T>", () => tools.Async_arguments("x")),
        new("names/serviceProvider/sync", () => tools.Sync_serviceProvider("x")),
        new("names/serviceProvider/Task<T>", () => tools.Async_serviceProvider("x")),
        new("names/context/sync", () => tools.Sync_context("x")),
        new("names/context/Task<T>", () => tools.Async_context("x")),
        new("names/cancellation/sync", () => tools.Sync_cancellation("x")),
        new("names/cancellation/Task<T>", () => tools.Async_cancellation("x")),
        new("names/__ticket/sync", () => tools.Sync___ticket("x")),
        new("names/__ticket/Task<T>", () => tools.Async___ticket("x")),
        new("names/__result/sync", () => tools.Sync___result("x")),
        new("names/__result/Task<T>", () => tools.Async___result("x")),
        new("names/__pending/sync", () => tools.Sync___pending("x")),
        new("names/__pending/Task<T>", () => tools.Async___pending("x")),
        new("names/__e/sync", () => tools.Sync___e("x")),
        new("names/__e/Task<T>", () => tools.Async___e("x")),
        new("names/__task/sync", () => tools.Sync___task("x")),
        new("names/__task/Task<T>", () => tools.Async___task("x")),
        new("names/__child/sync", () => tools.Sync___child("x")),
        new("names/__child/Task<T>", () => tools.Async___child("x")),
        new("names/__degraded/sync", () => tools.Sync___degraded("x")),
        new("names/__degraded/Task<T>", () => tools.Async___degraded("x")),
        new("names/__r/sync", () => tools.Sync___r("x")),
        new("names/__r/Task<T>", () => tools.Async___r("x")),
        new("names/__target/sync", () => tools.Sync___target("x")),
        new("names/__target/Task<T>", () => tools.Async___target("x")),
        new("names/__s/sync", () => tools.Sync___s("x")),
        new("names/__s/Task<T>", () => tools.Async___s("x")),
        new("names/__arguments/sync", () => tools.Sync___arguments("x")),
        new("names/__arguments/Task<T>", () => tools.Async___arguments("x")),
        new("names/__cancellationToken/sync", () => tools.Sync___cancellationToken("x")),
        new("names/__cancellationToken/Task<T>", () => tools.Async___cancellationToken("x")),
        new("names/__kernel/sync", () => tools.Sync___kernel("x")),
        new("names/__kernel/Task<T>", () => tools.Async___kernel("x")),
        new("names/this/sync", () => tools.Sync_this("x")),
        new("names/this/Task<T>", () => tools.Async_this("x")),
        new("names/class/sync", () => tools.Sync_class("x")),
        new("names/class/Task<T>", () => tools.Async_class("x")),
        new("names/event/sync", () => tools.Sync_event("x")),
        new("names/event/Task<T>", () => tools.Async_event("x")),
        new("names/base/sync", () => tools.Sync_base("x")),
        new("names/base/Task<T>", () => tools.Async_base("x")),
        new("names/params/sync", () => tools.Sync_params("x")),
        new("names/params/Task<T>", () => tools.Async_params("x")),
        new("names/default/sync", () => tools.Sync_default("x")),
        new("names/default/Task<T>", () => tools.Async_default("x")),
        new("names/value/sync", () => tools.Sync_value("x")),
        new("names/value/Task<T>", () => tools.Async_value("x")),
        new("names/result/sync", () => tools.Sync_result("x")),
        new("names/result/Task<T>", () => tools.Async_result("x")),
        new("names/ticket/sync", () => tools.Sync_ticket("x")),
        new("names/ticket/Task<T>", () => tools.Async_ticket("x")),
        new("names/tools/sync", () => tools.Sync_tools("x")),
        new("names/tools/Task<T>", () => tools.Async_tools("x")),
        new("names/target/sync", () => tools.Sync_target("x")),
        new("names/target/Task<T>", () => tools.Async_target("x")),
        new("names/_target/sync", () => tools.Sync__target("x")),
        new("names/_target/Task<T>", () => tools.Async__target("x")),
        new("names/s_schema/sync", () => tools.Sync_s_schema("x")),
        new("names/s_schema/Task<T>", () => tools.Async_s_schema("x")),
        new("names/ParseSchema/sync", () => tools.Sync_ParseSchema("x")),
        new("names/ParseSchema/Task<T>", () => tools.Async_ParseSchema("x")),
        new("names/Name/sync", () => tools.Sync_Name("x")),
        new("names/Name/Task<T>", () => tools.Async_Name("x")),
        new("names/Description/sync", () => tools.Sync_Description("x")),
        new("names/Description/Task<T>", () => tools.Async_Description("x")),
        new("names/JsonSchema/sync", () => tools.Sync_JsonSchema("x")),
        new("names/JsonSchema/Task<T>", () => tools.Async_JsonSchema("x")),
        new("names/s_tool_0/sync", () => tools.Sync_s_tool_0("x")),
        new("names/s_tool_0/Task<T>", () => tools.Async_s_tool_0("x")),
        new("names/s_loop_0/sync", () => tools.Sync_s_loop_0("x")),
        new("names/s_loop_0/Task<T>", () => tools.Async_s_loop_0("x")),
        new("names/Guards_Zoo_NameTools/sync", () => tools.Sync_Guards_Zoo_NameTools("x")),
        new("names/Guards_Zoo_NameTools/Task<T>", () => tools.Async_Guards_Zoo_NameTools("x")),
        new("names/global/sync", () => tools.Sync_global("x")),
        new("names/global/Task<T>", () => tools.Async_global("x")),
        new("names/T/sync", () => tools.Sync_T("x")),
        new("names/T/Task<T>", () => tools.Async_T("x")),
        new("names/e/sync", () => tools.Sync_e("x")),
        new("names/e/Task<T>", () => tools.Async_e("x")),
        new("names/task/sync", () => tools.Sync_task("x")),
        new("names/task/Task<T>", () => tools.Async_task("x")),
        new("names/InvokeCoreAsync/sync", () => tools.Sync_InvokeCoreAsync("x")),
        new("names/InvokeCoreAsync/Task<T>", () => tools.Async_InvokeCoreAsync("x")),
        new("names/ChatUsage/sync", () => tools.Sync_ChatUsage("x")),
        new("names/ChatUsage/Task<T>", () => tools.Async_ChatUsage("x")),
        new("names/nameof/sync", () => tools.Sync_nameof("x")),
        new("names/nameof/Task<T>", () => tools.Async_nameof("x")),
        new("names/var/sync", () => tools.Sync_var("x")),
        new("names/var/Task<T>", () => tools.Async_var("x")),
        new("names/dynamic/sync", () => tools.Sync_dynamic("x")),
        new("names/dynamic/Task<T>", () => tools.Async_dynamic("x")),
        new("names/async/sync", () => tools.Sync_async("x")),
        new("names/async/Task<T>", () => tools.Async_async("x")),
        new("names/Probe/sync", () => tools.Sync_Probe("x")),
        new("names/Probe/Task<T>", () => tools.Async_Probe("x")),
    ];
}
