using System.Globalization;

namespace KojiProvisioner.Koji;

/// <summary>A Koji user as `getUser` and `getUserPerms` show it.</summary>
/// <param name="UserType">0 a person or robot, 1 a builder host, 2 a group (Koji's USERTYPES).</param>
public sealed record KojiAccount(string Name, bool Enabled, int UserType, IReadOnlyList<string> Permissions)
{
    public const int Normal = 0, Host = 1, Group = 2;

    public string Status => Enabled ? "enabled" : "blocked";
}

/// <summary>The hub calls of `koji-farm user`: read users, create one with permissions, block or unblock one.</summary>
public static class KojiUsers
{
    /// <summary>The users of <paramref name="names"/> that exist: getUser for each in one multicall, then getUserPerms of those found (a call for a missing user would fault, and the hub logs every fault).</summary>
    public static async Task<IReadOnlyDictionary<string, KojiAccount>> GetAsync(IKojiHub hub, IReadOnlyList<string> names, CancellationToken ct)
    {
        if (names.Count == 0)
            return new Dictionary<string, KojiAccount>();
        var infos = (await hub.BatchCallAsync(names.Select(n => new KojiCall("getUser", n)).ToList(), ct))
            .Select((r, i) => (Name: names[i], Info: r.GetValueOrThrow() as IReadOnlyDictionary<string, object?>))
            .Where(x => x.Info is not null).ToList();
        var perms = infos.Count == 0 ? [] : await hub.BatchCallAsync(infos.Select(x => new KojiCall("getUserPerms", x.Name)).ToList(), ct);
        return infos.Select((x, i) => new KojiAccount(x.Name,
                Convert.ToInt32(x.Info!.GetValueOrDefault("status") ?? 0, CultureInfo.InvariantCulture) == 0,
                Convert.ToInt32(x.Info!.GetValueOrDefault("usertype") ?? 0, CultureInfo.InvariantCulture),
                (perms[i].GetValueOrThrow() as IEnumerable<object?> ?? []).OfType<string>().ToList()))
            .ToDictionary(u => u.Name, StringComparer.Ordinal);
    }

    public static async Task<KojiAccount?> GetAsync(IKojiHub hub, string name, CancellationToken ct) =>
        (await GetAsync(hub, [name], ct)).GetValueOrDefault(name);

    /// <summary>Every permission the hub knows (getAllPerms).</summary>
    public static async Task<IReadOnlySet<string>> PermissionsAsync(IKojiHub hub, CancellationToken ct) =>
        ((await hub.CallAsync(new KojiCall("getAllPerms"), ct)) as IEnumerable<object?> ?? [])
            .OfType<IReadOnlyDictionary<string, object?>>().Select(p => p.GetValueOrDefault("name") as string).OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Creates the user when it is missing, unblocks it when blocked, and grants what it lacks of <paramref name="permissions"/>.</summary>
    public static async Task EnsureAsync(IKojiHub hub, string name, IReadOnlyList<string> permissions, CancellationToken ct)
    {
        var existing = await GetAsync(hub, name, ct);
        await hub.EnsureLoggedInAsync(ct);
        if (existing is null)
            await hub.CallAsync(new KojiCall("createUser", name), ct);
        else if (!existing.Enabled)
            await hub.CallAsync(new KojiCall("enableUser", name), ct);
        var hubHas = await PermissionsAsync(hub, ct);
        foreach (var permission in permissions.Where(p => existing?.Permissions.Contains(p) != true).Distinct(StringComparer.Ordinal))
            await hub.CallAsync(hubHas.Contains(permission)
                ? new KojiCall("grantPermission", name, permission)
                : new KojiCall("grantPermission", name, permission, new KojiKwargs { { "create", true } }), ct);
    }

    /// <summary>Blocks the user's logins (disableUser); a user already blocked stays so.</summary>
    public static async Task DisableAsync(IKojiHub hub, string name, CancellationToken ct)
    {
        await hub.EnsureLoggedInAsync(ct);
        await hub.CallAsync(new KojiCall("disableUser", name), ct);
    }
}
