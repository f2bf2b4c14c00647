using System.Globalization;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Farm;

/// <summary>A builder as Koji should know it.</summary>
public sealed record BuilderHost(string Name, IReadOnlyList<string> Arches, IReadOnlyList<string> Channels, double Capacity);

/// <summary>
/// Registers the farm's own parts with the hub through its API, as the admin: builders (arches,
/// channels, capacity, enabled) and kojira's user with the `repo` permission. Reads first and writes
/// only the difference, so every run is idempotent. Builders that left the stack are disabled, never
/// deleted: Koji keeps their task history.
/// </summary>
public sealed class KojiRegistration(IKojiHub hub)
{
    public async Task<IReadOnlyList<string>> EnsureBuildersAsync(IEnumerable<BuilderHost> builders, CancellationToken ct)
    {
        var changes = new List<string>();
        foreach (var builder in builders)
        {
            var host = await hub.CallAsync(new KojiCall("getHost", builder.Name), ct) as IReadOnlyDictionary<string, object?>;
            var arches = string.Join(' ', builder.Arches);
            if (host is null)
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("addHost", builder.Name, builder.Arches.ToList<object?>()), ct);
                changes.Add($"added host {builder.Name} ({arches})");
                host = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("getHost", builder.Name), ct))!;
            }
            var hostId = Convert.ToInt32(host["id"], CultureInfo.InvariantCulture);

            var edits = new KojiKwargs();
            if (!string.Equals(host["arches"] as string, arches, StringComparison.Ordinal))
                edits.Add("arches", arches);
            if (Math.Abs(Convert.ToDouble(host["capacity"], CultureInfo.InvariantCulture) - builder.Capacity) > 1e-9)
                edits.Add("capacity", builder.Capacity);
            if (edits.Count > 0)
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("editHost", builder.Name, edits), ct);
                changes.Add($"changed host {builder.Name}: {string.Join(", ", edits.Select(e => $"{e.Key}={e.Value}"))}");
            }
            if (host["enabled"] is false)
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("enableHost", builder.Name), ct);
                changes.Add($"enabled host {builder.Name}");
            }

            var channels = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listChannels", hostId), ct))!)
                .Cast<IReadOnlyDictionary<string, object?>>()
                .Select(c => (string)c["name"]!)
                .ToHashSet(StringComparer.Ordinal);
            foreach (var channel in builder.Channels.Where(c => !channels.Contains(c)))
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("addHostToChannel", builder.Name, channel, new KojiKwargs { { "create", true } }), ct);
                changes.Add($"host {builder.Name} joined channel {channel}");
            }
            foreach (var channel in channels.Where(c => !builder.Channels.Contains(c)).Order(StringComparer.Ordinal))
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("removeHostFromChannel", builder.Name, channel), ct);
                changes.Add($"host {builder.Name} left channel {channel}");
            }
        }
        return changes;
    }

    /// <summary>Disables the hosts named, where they exist and are enabled.</summary>
    public async Task<IReadOnlyList<string>> DisableHostsAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var changes = new List<string>();
        foreach (var name in names)
        {
            if (await hub.CallAsync(new KojiCall("getHost", name), ct) is IReadOnlyDictionary<string, object?> { } host && host["enabled"] is true)
            {
                await hub.EnsureLoggedInAsync(ct);
                await hub.CallAsync(new KojiCall("disableHost", name), ct);
                changes.Add($"disabled host {name} (kept in Koji with its task history)");
            }
        }
        return changes;
    }

    /// <summary>The names of enabled hosts that match <paramref name="isOurs"/> but are not in <paramref name="keep"/>.</summary>
    public async Task<IReadOnlyList<string>> StaleHostsAsync(Func<string, bool> isOurs, IReadOnlySet<string> keep, CancellationToken ct)
    {
        var hosts = (IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listHosts"), ct))!;
        return hosts.Cast<IReadOnlyDictionary<string, object?>>()
            .Where(h => h["enabled"] is true)
            .Select(h => (string)h["name"]!)
            .Where(n => isOurs(n) && !keep.Contains(n))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<string>> EnsureUserPermissionAsync(string user, string permission, CancellationToken ct)
    {
        var changes = new List<string>();
        if (await hub.CallAsync(new KojiCall("getUser", user), ct) is null)
        {
            await hub.EnsureLoggedInAsync(ct);
            await hub.CallAsync(new KojiCall("createUser", user), ct);
            changes.Add($"created user {user}");
        }
        var userInfo = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("getUser", user), ct))!;
        var perms = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("getUserPerms", userInfo["id"]), ct))!)
            .Select(p => (string)p!).ToHashSet(StringComparer.Ordinal);
        if (!perms.Contains(permission) && !perms.Contains("admin"))
        {
            await hub.EnsureLoggedInAsync(ct);
            await hub.CallAsync(new KojiCall("grantPermission", user, permission), ct);
            changes.Add($"granted {permission} to {user}");
        }
        return changes;
    }
}
