using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

/// <summary>Reads the hub once and compares: the plan is what <c>content diff</c> prints and
/// <c>content apply</c> runs. Makes no writes and does not log in.</summary>
public static class ContentPlanner
{
    public static Task<ContentPlan> PlanAsync(IKojiHub hub, KojiContent desired, bool prune, CancellationToken cancellationToken = default) =>
        PlanAsync(hub, desired, PruneScope.From(prune), cancellationToken);

    public static async Task<ContentPlan> PlanAsync(IKojiHub hub, KojiContent desired, PruneScope prune, CancellationToken cancellationToken = default)
    {
        // undeclared tags are only ever deleted whole, so their details are not needed
        var state = await HubStateReader.ReadAsync(hub,
            desired.Tags.Select(t => t.Name), desired.Users.Select(u => u.Name),
            desired.Hosts.Where(h => h.Channels is not null).Select(h => h.Name), cancellationToken).ConfigureAwait(false);
        return Plan(desired, state, prune);
    }

    /// <summary>The pure half, for callers that already hold the hub's state.</summary>
    public static ContentPlan Plan(KojiContent desired, HubState state, bool prune) => Plan(desired, state, PruneScope.From(prune));

    public static ContentPlan Plan(KojiContent desired, HubState state, PruneScope prune) => new()
    {
        Changes = ContentDiff.Compute(desired, state, prune),
        Scope = prune,
        Kept = ContentDiff.Kept(desired, state, prune),
        TagIds = state.TagIds,
    };
}
