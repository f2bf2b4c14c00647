using KojiProvisioner.Config;
using KojiProvisioner.Content;

namespace KojiProvisioner.Farm;

/// <summary>
/// The farm's own parts as Koji must know them, as desired content: its builders (arches,
/// channels, capacity, enabled), kojira's user with the <c>repo</c> permission, and disabled
/// entries for builders that left the stack. Pure: planned and applied with the content file by
/// the one content path, so `preview` shows these writes and `up` batches them.
/// </summary>
public static class FarmRegistration
{
    public const string KojiraUser = "kojira";
    public const string KojiraPermission = "repo";

    /// <param name="retired">Remote builders recorded as set up that the stack no longer lists.</param>
    /// <param name="hubHosts">The hosts the hub knows: local builders of a larger farm are found among them.</param>
    /// <param name="formerStacks">Stacks this farm was restored from (a backup of another stack): their local builders are retired too.</param>
    public static KojiContent Content(StackSpec spec, IEnumerable<string> retired, IEnumerable<string> hubHosts, IReadOnlyList<string>? formerStacks = null)
    {
        var names = new FarmNames(spec);
        var b = spec.Builders;
        var local = Enumerable.Range(1, b.Count).Select(i => Builder(names.Builder(i), b.Arches, b.Channels, b.Capacity));
        // Remote builders are known to Koji before their kojid first logs in.
        var remote = b.Remote.Select(r => Builder(r.Name, r.Arches, r.Channels, r.Capacity));
        var hosts = local.Concat(remote).ToList();
        var keep = hosts.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        // Builders that left the stack: disabled, never deleted (Koji keeps their history).
        var stacks = (formerStacks ?? []).Prepend(spec.Name).ToList();
        var stale = hubHosts.Where(h => stacks.Any(s => StackValidator.IsLocalBuilderName(s, h))).Order(StringComparer.Ordinal);
        var gone = retired.Concat(stale).Where(h => !keep.Contains(h)).Distinct(StringComparer.Ordinal)
            .Select(Retired);
        return new KojiContent
        {
            Hosts = [.. hosts, .. gone],
            Users = spec.Kojira.Enabled ? [new UserSpec { Name = KojiraUser, Permissions = [KojiraPermission] }] : [],
        };
    }

    /// <summary>Disables <paramref name="hosts"/> where Koji has them enabled (`down` of remote builders).</summary>
    public static KojiContent Disabled(IEnumerable<string> hosts) => new() { Hosts = hosts.Select(Retired).ToList() };

    /// <summary>Whether a planned change is one of the farm's own parts, as opposed to the content file's.</summary>
    public static bool IsRegistration(ContentChange change) =>
        change.Kind == ContentKind.Host
        || (change.Kind is ContentKind.User or ContentKind.Permission
            && (change.Object == KojiraUser || change.Object == $"{KojiraUser}/{KojiraPermission}"));

    private static HostSpec Builder(string name, IReadOnlyList<string> arches, IReadOnlyList<string> channels, double capacity) =>
        new() { Name = name, Arches = arches, Channels = channels, Capacity = capacity };

    private static HostSpec Retired(string name) => new() { Name = name, Enabled = false };
}
