using System.Globalization;

namespace KojiProvisioner.Content;

public static partial class ContentDiff
{
    /// <summary>Koji puts every new host in this channel (kojihub <c>addHost</c>).</summary>
    public const string DefaultChannel = "default";

    // ---- builder hosts: created, edited, enabled or disabled, never deleted (Koji keeps their task history) ----

    private static void Hosts(KojiContent desired, HubState actual, List<ContentChange> changes)
    {
        foreach (var host in desired.Hosts)
        {
            if (!actual.Hosts.TryGetValue(host.Name, out var hub))
            {
                if (host.Arches is null) continue; // a host to retire that Koji never knew
                changes.Add(NewHost(host));
                continue;
            }
            var edits = new List<(string, object?)>();
            var diffs = new List<string>();
            if (host.Arches is { } arches && string.Join(' ', arches) != string.Join(' ', hub.Arches ?? []))
            {
                edits.Add(("arches", string.Join(' ', arches)));
                diffs.Add($"arches '{string.Join(' ', hub.Arches ?? [])}' -> '{string.Join(' ', arches)}'");
            }
            if (host.Capacity is { } capacity && (hub.Capacity is not { } had || Math.Abs(had - capacity) > 1e-9))
            {
                edits.Add(("capacity", capacity));
                diffs.Add($"capacity {Number(hub.Capacity)} -> {Number(capacity)}");
            }
            if (edits.Count > 0)
                changes.Add(Change(ContentKind.Host, host.Name, ContentAction.Change, $"change host {host.Name}: {string.Join(", ", diffs)}",
                    Call(ApplyPhase.Hosts, "editHost", host.Name, Kw(edits.ToArray()))));
            if (host.Enabled != hub.Enabled)
                changes.Add(Enabling(host));
            if (host.Channels is { } channels && hub.Channels is { } held)
                HostChannels(host.Name, channels, held, changes);
        }
    }

    private static ContentChange NewHost(HostSpec host)
    {
        var arches = string.Join(' ', host.Arches!);
        var calls = new List<PlannedCall> { Call(ApplyPhase.Hosts, "addHost", host.Name, host.Arches!.ToList<object?>()) };
        var notes = new List<string> { arches };
        if (host.Capacity is { } capacity)
        {
            // sent always: the hub's default capacity is not part of its API
            calls.Add(Call(ApplyPhase.Hosts, "editHost", host.Name, Kw(("capacity", capacity))));
            notes.Add($"capacity {Number(capacity)}");
        }
        if (host.Channels is { } channels)
        {
            calls.AddRange(channels.Where(c => c != DefaultChannel).Select(c => JoinChannel(host.Name, c)));
            if (!channels.Contains(DefaultChannel))
                calls.Add(Call(ApplyPhase.Hosts, "removeHostFromChannel", host.Name, DefaultChannel));
            notes.Add($"channels {string.Join(", ", channels)}");
        }
        if (!host.Enabled)
        {
            calls.Add(Call(ApplyPhase.Hosts, "disableHost", host.Name));
            notes.Add("disabled");
        }
        return new ContentChange(ContentKind.Host, host.Name, ContentAction.Create, $"add host {host.Name} ({string.Join("; ", notes)})", calls);
    }

    private static ContentChange Enabling(HostSpec host) => host.Enabled
        ? Change(ContentKind.Host, host.Name, ContentAction.Change, $"enable host {host.Name}", Call(ApplyPhase.Hosts, "enableHost", host.Name))
        : Change(ContentKind.Host, host.Name, ContentAction.Change, $"disable host {host.Name} (kept in Koji with its task history)",
            Call(ApplyPhase.Hosts, "disableHost", host.Name));

    private static void HostChannels(string host, IReadOnlyList<string> wanted, IReadOnlyList<string> held, List<ContentChange> changes)
    {
        foreach (var channel in wanted.Where(c => !held.Contains(c)))
            changes.Add(Change(ContentKind.Host, $"{host}/{channel}", ContentAction.Create, $"host {host} joins channel {channel}", JoinChannel(host, channel)));
        foreach (var channel in held.Where(c => !wanted.Contains(c)).Order(StringComparer.Ordinal))
            changes.Add(Change(ContentKind.Host, $"{host}/{channel}", ContentAction.Remove, $"host {host} leaves channel {channel}",
                Call(ApplyPhase.Hosts, "removeHostFromChannel", host, channel)));
    }

    /// <summary>A channel a host joins is made if missing, as <c>koji add-host-to-channel --new</c> does.</summary>
    private static PlannedCall JoinChannel(string host, string channel) =>
        Call(ApplyPhase.Hosts, "addHostToChannel", host, channel, Kw(("create", true)));

    private static string Number(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "none";
}
