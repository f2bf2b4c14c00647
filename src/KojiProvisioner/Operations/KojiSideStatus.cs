using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>A builder as Koji sees it.</summary>
public sealed record KojiBuilderStatus(string Name, bool Enabled, bool Ready, bool InStack);

/// <summary>kojira's user in Koji: whether it exists, can log in, and holds `repo`.</summary>
public sealed record KojiraUserStatus(string Name, bool Exists, bool Enabled, IReadOnlyList<string> Permissions)
{
    public bool Ok => Exists && Enabled && Permissions.Contains("repo");
}

/// <summary>
/// The farm from Koji's side for `status`: the hub's version, each builder's enabled/ready flags,
/// and kojira's user. Read anonymously, so it works with the hub's CA alone. <see cref="Problem"/>
/// is set when the hub could not be asked.
/// </summary>
public sealed record KojiSideStatus(string? HubVersion, IReadOnlyList<KojiBuilderStatus> Builders, KojiraUserStatus? Kojira, string? Problem)
{
    /// <summary>Shown, not part of status's exit code: a busy kojid reports itself not ready for a while.</summary>
    public bool Ok => Problem is null && Builders.Where(b => b.InStack).All(b => b.Enabled && b.Ready) && Kojira?.Ok != false;

    public static async Task<KojiSideStatus> ReadAsync(IKojiHub hub, IReadOnlySet<string> stackBuilders, bool kojiraEnabled, CancellationToken ct)
    {
        try
        {
            var version = await hub.GetKojiVersionAsync(ct);
            var hosts = (await hub.ListHostsAsync(ct))
                .Select(h => new KojiBuilderStatus(h.Name, h.Enabled, h.Ready, stackBuilders.Contains(h.Name)))
                .Where(h => h.InStack || h.Enabled)
                .OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
            // A builder of the stack that Koji does not know at all is a problem too.
            foreach (var missing in stackBuilders.Where(n => hosts.All(h => h.Name != n)).Order(StringComparer.Ordinal))
                hosts.Add(new KojiBuilderStatus(missing, false, false, true));
            KojiraUserStatus? kojira = null;
            if (kojiraEnabled)
            {
                var user = await hub.GetUserAsync("kojira", ct);
                var perms = user is null ? [] : await hub.GetUserPermsAsync(user.Id, ct);
                kojira = new KojiraUserStatus("kojira", user is not null, user?.Enabled == true, perms);
            }
            return new KojiSideStatus(version, hosts, kojira, null);
        }
        catch (Exception e) when (e is KojiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new KojiSideStatus(null, [], null, $"the hub does not answer: {e.Message}");
        }
    }
}
