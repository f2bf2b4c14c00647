using KojiProvisioner.Config;
using KojiProvisioner.Content;

namespace KojiProvisioner.Operations;

/// <summary>`content diff`: what apply would write; reads only, no login.</summary>
public sealed class DiffContent(Stack stack)
{
    public async Task<ContentPlan> RunAsync(string? file, bool prune, CancellationToken ct)
    {
        var content = StackContent.Require(stack, file);
        using var hub = AdminHub.FromState(stack);
        return await ContentPlanner.PlanAsync(hub, content, prune, ct);
    }
}

/// <summary>`content apply`: writes only the difference between the content file and the hub.</summary>
public sealed class ApplyContent(Stack stack)
{
    public async Task<(ContentPlan Plan, ContentApplyResult Applied)> RunAsync(string? file, bool prune, CancellationToken ct)
    {
        var content = StackContent.Require(stack, file);
        using var hub = AdminHub.FromState(stack);
        var plan = await ContentPlanner.PlanAsync(hub, content, prune, ct);
        return (plan, await ContentApplier.ApplyAsync(hub, plan, ct));
    }
}

/// <summary>`content export`: the hub's content in the content-file format.</summary>
public sealed class ExportContent(Stack stack)
{
    public async Task<string> RunAsync(CancellationToken ct)
    {
        using var hub = AdminHub.FromState(stack);
        return await ContentExporter.ExportAsync(hub, ct);
    }
}
