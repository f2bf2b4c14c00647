using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>What Koji must get: the farm's own registration and the content file, as one plan.</summary>
public sealed record FarmKojiPlan(ContentPlan Plan)
{
    /// <summary>The farm's own parts: builders, kojira.</summary>
    public ContentPlan Registration => Plan with { Changes = Plan.Changes.Where(FarmRegistration.IsRegistration).ToList() };

    /// <summary>What the content file adds.</summary>
    public ContentPlan Content => Plan with { Changes = Plan.Changes.Where(c => !FarmRegistration.IsRegistration(c)).ToList() };
}

/// <summary>Observe the hub once, plan registration and content together: the one content path.</summary>
public static class FarmKoji
{
    /// <param name="formerStacks">Stacks the farm was restored from: their builders are disabled.</param>
    public static async Task<FarmKojiPlan> PlanAsync(IKojiHub hub, StackSpec spec, KojiContent? content,
        IReadOnlyList<string> retired, CancellationToken ct, IReadOnlyList<string>? formerStacks = null)
    {
        var file = content ?? new KojiContent();
        var wanted = file.Merge(FarmRegistration.Content(spec, retired, [], formerStacks));
        var state = await HubStateReader.ReadAsync(hub, wanted.Tags.Select(t => t.Name), wanted.Users.Select(u => u.Name),
            wanted.Hosts.Where(h => h.Channels is not null).Select(h => h.Name), ct);
        return Plan(spec, file, retired, state, formerStacks);
    }

    /// <summary>The pure half: against a hub's state (or <see cref="NewHub"/> for a farm not made yet).</summary>
    public static FarmKojiPlan Plan(StackSpec spec, KojiContent? content, IReadOnlyList<string> retired, HubState state,
        IReadOnlyList<string>? formerStacks = null) =>
        new(ContentPlanner.Plan((content ?? new KojiContent()).Merge(FarmRegistration.Content(spec, retired, state.Hosts.Keys, formerStacks)), state, prune: false));

    /// <summary>A hub as Koji 1.35's schema makes it: its permissions and channels, no hosts.</summary>
    public static HubState NewHub(StackSpec spec) => new()
    {
        Permissions = new HashSet<string>(["admin", "appliance", "dist-repo", "host", "image", "image-import", "livecd",
            "maven-import", "repo", "sign", "tag", "target", "win-admin", "win-import", "draft-promoter"], StringComparer.Ordinal),
        Channels = new[] { "default", "createrepo", "maven", "livecd", "appliance", "vm", "image", "livemedia" }
            .ToDictionary(c => c, c => new ChannelSpec { Name = c, Enabled = true }, StringComparer.Ordinal),
        UserNames = new HashSet<string>([spec.Admin.Name], StringComparer.Ordinal),
    };
}
