using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

/// <summary>
/// What a hub holds, read once and brought into the content model's shapes, so desired and
/// actual compare field by field. Tags keep both views Koji has: their own entries and the
/// effective (inherited) ones, because Koji skips an add that inheritance already satisfies.
/// </summary>
public sealed record HubState
{
    public IReadOnlyDictionary<string, HubTag> Tags { get; init; } = new Dictionary<string, HubTag>();
    /// <summary>Names of every tag on the hub (read in detail only when needed).</summary>
    public IReadOnlyDictionary<string, int> TagIds { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, BuildTarget> Targets { get; init; } = new Dictionary<string, BuildTarget>();
    public IReadOnlyDictionary<string, ExternalRepoSpec> ExternalRepos { get; init; } = new Dictionary<string, ExternalRepoSpec>();
    public IReadOnlyDictionary<string, ChannelSpec> Channels { get; init; } = new Dictionary<string, ChannelSpec>();
    /// <summary>Normal users with the permissions granted to them directly (read for the users asked about).</summary>
    public IReadOnlyDictionary<string, UserSpec> Users { get; init; } = new Dictionary<string, UserSpec>();
    public IReadOnlySet<string> UserNames { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> Permissions { get; init; } = new HashSet<string>();
    /// <summary>Every builder host; channels are read only for the hosts asked about (null otherwise).</summary>
    public IReadOnlyDictionary<string, HostSpec> Hosts { get; init; } = new Dictionary<string, HostSpec>();
}

/// <summary>One tag as the hub holds it.</summary>
public sealed record HubTag
{
    public required int Id { get; init; }
    /// <summary>The tag's own settings and entries (no inherited ones).</summary>
    public required TagSpec Own { get; init; }
    /// <summary>Package list including inheritance, by package name; blocked entries included.</summary>
    public IReadOnlyDictionary<string, HubPackage> EffectivePackages { get; init; } = new Dictionary<string, HubPackage>();
    /// <summary>Groups including inheritance, by name; blocked ones included.</summary>
    public IReadOnlyDictionary<string, HubGroup> EffectiveGroups { get; init; } = new Dictionary<string, HubGroup>();
}

public sealed record HubPackage(PackageEntry Entry, string FromTag);

public sealed record HubGroup(BuildGroup Group, bool Blocked, string FromTag, IReadOnlyDictionary<string, HubGroupPackage> Packages);

public sealed record HubGroupPackage(GroupPackage Package, bool Blocked, string FromTag);

/// <summary>Reads a hub in two rounds of multicall batches: the global lists, then per tag.</summary>
public static class HubStateReader
{
    /// <param name="tagNames">Tags to read in detail; null reads every tag (for prune and export).</param>
    /// <param name="userNames">Users whose permissions to read; null reads every user.</param>
    /// <param name="hostNames">Hosts whose channels to read (none when null).</param>
    public static async Task<HubState> ReadAsync(IKojiHub hub, IEnumerable<string>? tagNames, IEnumerable<string>? userNames,
        CancellationToken cancellationToken) => await ReadAsync(hub, tagNames, userNames, null, cancellationToken).ConfigureAwait(false);

    public static async Task<HubState> ReadAsync(IKojiHub hub, IEnumerable<string>? tagNames, IEnumerable<string>? userNames,
        IEnumerable<string>? hostNames, CancellationToken cancellationToken)
    {
        var round1 = await hub.MultiCallAsync(
        [
            new KojiCall("listTags"),
            new KojiCall("getBuildTargets"),
            new KojiCall("listExternalRepos"),
            new KojiCall("listChannels"),
            new KojiCall("getAllPerms"),
            new KojiCall("listUsers"),
            new KojiCall("listHosts"),
        ], cancellationToken).ConfigureAwait(false);
        var values = round1.Select(r => r.GetValueOrThrow()).ToList();
        Timings.Mark("hub read: tags, targets, repos, channels, users, hosts listed");

        var tagIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in Rows(values[0])) tagIds[Str(t, "name")] = Int(t, "id");

        var targets = Rows(values[1]).Select(t => new BuildTarget
        {
            Name = Str(t, "name"), BuildTag = Str(t, "build_tag_name"), DestTag = Str(t, "dest_tag_name"),
        }).ToDictionary(t => t.Name, StringComparer.Ordinal);

        var repos = Rows(values[2]).Select(r => new ExternalRepoSpec { Name = Str(r, "name"), Url = Str(r, "url") })
            .ToDictionary(r => r.Name, StringComparer.Ordinal);

        var channels = Rows(values[3]).Select(c => new ChannelSpec
        {
            Name = Str(c, "name"), Description = OptStr(c, "description"), Comment = OptStr(c, "comment"),
            Enabled = Bool(c, "enabled", true),
        }).ToDictionary(c => c.Name, StringComparer.Ordinal);

        var perms = Rows(values[4]).Select(p => Str(p, "name")).ToHashSet(StringComparer.Ordinal);
        var users = Rows(values[5]).Select(u => Str(u, "name")).ToHashSet(StringComparer.Ordinal);
        var hosts = Rows(values[6]).Select(h => new HostSpec
        {
            Name = Str(h, "name"), Arches = Arches(OptStr(h, "arches")), Enabled = Bool(h, "enabled", true),
            Capacity = h.GetValueOrDefault("capacity") is { } capacity ? Convert.ToDouble(capacity, System.Globalization.CultureInfo.InvariantCulture) : null,
        }).ToDictionary(h => h.Name, StringComparer.Ordinal);

        var tagsToRead = (tagNames ?? tagIds.Keys).Where(tagIds.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var usersToRead = (userNames ?? users).Where(users.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hostsToRead = (hostNames ?? []).Where(hosts.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var calls = new List<KojiCall>();
        foreach (var tag in tagsToRead) calls.AddRange(TagCalls(tag));
        foreach (var user in usersToRead)
            calls.Add(new KojiCall("getUserPerms", user, new KojiKwargs { { "with_groups", false } }));
        foreach (var host in hostsToRead)
            calls.Add(new KojiCall("listChannels", host));
        // Only names the listings hold: the hub logs a warning with a traceback for every call of
        // a multicall that fails, so asking ahead for names it may not have (one round trip
        // instead of two, 45 ms) would fill a company hub's log on every first apply.
        var round2 = await hub.BatchCallAsync(calls, cancellationToken).ConfigureAwait(false);
        Timings.Mark($"hub read: {calls.Count} detail calls answered");

        var tags = new Dictionary<string, HubTag>(StringComparer.Ordinal);
        var i = 0;
        foreach (var name in tagsToRead)
        {
            tags[name] = ParseTag(name, round2, i);
            i += TagCallCount;
        }
        var userSpecs = new Dictionary<string, UserSpec>(StringComparer.Ordinal);
        foreach (var user in usersToRead)
        {
            var held = List(round2[i++].GetValueOrThrow()).OfType<string>().Order(StringComparer.Ordinal).ToList();
            userSpecs[user] = new UserSpec { Name = user, Permissions = held };
        }
        foreach (var host in hostsToRead)
            hosts[host] = hosts[host] with { Channels = Rows(round2[i++].GetValueOrThrow()).Select(c => Str(c, "name")).Order(StringComparer.Ordinal).ToList() };

        return new HubState
        {
            Tags = tags, TagIds = tagIds, Targets = targets, ExternalRepos = repos, Channels = channels,
            Users = userSpecs, UserNames = users, Permissions = perms, Hosts = hosts,
        };
    }

    /// <summary>Reads some tags in detail (as <see cref="ReadAsync"/> does), for callers that read a
    /// big hub a slice at a time.</summary>
    public static async Task<IReadOnlyList<HubTag>> ReadTagsAsync(IKojiHub hub, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var results = await hub.BatchCallAsync(names.SelectMany(TagCalls).ToList(), cancellationToken).ConfigureAwait(false);
        return names.Select((name, n) => ParseTag(name, results, n * TagCallCount)).ToList();
    }

    private const int TagCallCount = 5;

    private static IEnumerable<KojiCall> TagCalls(string tag) =>
    [
        new KojiCall("getTag", tag),
        new KojiCall("getInheritanceData", tag),
        new KojiCall("getTagExternalRepos", tag),
        new KojiCall("getTagGroups", tag, new KojiKwargs { { "incl_blocked", true } }),
        new KojiCall("listPackages", new KojiKwargs { { "tagID", tag }, { "inherited", true } }),
    ];

    private static HubTag ParseTag(string name, IReadOnlyList<KojiCallResult> results, int at) =>
        ReadTag(name, Map(results[at].GetValueOrThrow()), Rows(results[at + 1].GetValueOrThrow()), Rows(results[at + 2].GetValueOrThrow()),
            Rows(results[at + 3].GetValueOrThrow()), Rows(results[at + 4].GetValueOrThrow()));

    /// <summary>A tag's parents as <c>getInheritanceData</c> rows, for ordering tags parents first.</summary>
    public static IReadOnlyList<string> Parents(object? inheritanceData) => Rows(inheritanceData).Select(l => Str(l, "name")).ToList();

    private static HubTag ReadTag(string name, IReadOnlyDictionary<string, object?> tag,
        IEnumerable<IReadOnlyDictionary<string, object?>> inheritance,
        IEnumerable<IReadOnlyDictionary<string, object?>> tagRepos,
        IEnumerable<IReadOnlyDictionary<string, object?>> groups,
        IEnumerable<IReadOnlyDictionary<string, object?>> packages)
    {
        var id = Int(tag, "id");
        var effectivePackages = new Dictionary<string, HubPackage>(StringComparer.Ordinal);
        foreach (var p in packages)
        {
            var entry = new PackageEntry
            {
                Name = Str(p, "package_name"), Owner = OptStr(p, "owner_name") ?? "",
                Blocked = Bool(p, "blocked", false), ExtraArches = Arches(OptStr(p, "extra_arches")),
            };
            effectivePackages[entry.Name] = new HubPackage(entry, OptStr(p, "tag_name") ?? name);
        }

        var effectiveGroups = new Dictionary<string, HubGroup>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            var fromTag = Int(g, "tag_id") == id ? name : $"#{Int(g, "tag_id")}";
            var groupPackages = new Dictionary<string, HubGroupPackage>(StringComparer.Ordinal);
            foreach (var gp in g.TryGetValue("packagelist", out var list) ? Rows(list) : [])
            {
                var pkg = new GroupPackage(Str(gp, "package"), OptStr(gp, "type") ?? "mandatory");
                groupPackages[pkg.Name] = new HubGroupPackage(pkg, Bool(gp, "blocked", false), Int(gp, "tag_id") == id ? name : $"#{Int(gp, "tag_id")}");
            }
            var group = new BuildGroup
            {
                Name = Str(g, "name"), DisplayName = OptStr(g, "display_name"), Description = OptStr(g, "description"),
                IsDefault = OptBool(g, "is_default"), UserVisible = OptBool(g, "uservisible"),
                Packages = groupPackages.Values.Where(p => !p.Blocked).Select(p => p.Package).OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
            };
            effectiveGroups[group.Name] = new HubGroup(group, Bool(g, "blocked", false), fromTag, groupPackages);
        }

        var own = new TagSpec
        {
            Name = name,
            Arches = Arches(OptStr(tag, "arches")),
            Perm = OptStr(tag, "perm"),
            Locked = Bool(tag, "locked", false),
            MavenSupport = Bool(tag, "maven_support", false),
            MavenIncludeAll = Bool(tag, "maven_include_all", false),
            Extra = tag.TryGetValue("extra", out var extra) && extra is IReadOnlyDictionary<string, object?> e
                ? new SortedDictionary<string, object?>(e.ToDictionary(), StringComparer.Ordinal) : new Dictionary<string, object?>(),
            Inheritance = inheritance.Select(l => new InheritanceLink
            {
                Parent = Str(l, "name"), Priority = Int(l, "priority"),
                MaxDepth = l.GetValueOrDefault("maxdepth") is null ? null : Int(l, "maxdepth"),
                Intransitive = Bool(l, "intransitive", false), NoConfig = Bool(l, "noconfig", false),
                PkgFilter = OptStr(l, "pkg_filter") ?? "",
            }).OrderBy(l => l.Priority).ToList(),
            ExternalRepos = tagRepos.Select(r => new TagExternalRepo
            {
                Name = Str(r, "external_repo_name"), Priority = Int(r, "priority"),
                MergeMode = OptStr(r, "merge_mode") ?? "koji",
                Arches = OptStr(r, "arches") is { } a ? Arches(a) : null,
            }).OrderBy(r => r.Priority).ToList(),
            Groups = effectiveGroups.Values.Where(g => g.FromTag == name && !g.Blocked)
                .Select(g => g.Group with
                {
                    Packages = g.Packages.Values.Where(p => p.FromTag == name && !p.Blocked).Select(p => p.Package)
                        .OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
                })
                .OrderBy(g => g.Name, StringComparer.Ordinal).ToList(),
            Packages = effectivePackages.Values.Where(p => p.FromTag == name).Select(p => p.Entry)
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
        };
        return new HubTag { Id = id, Own = own, EffectivePackages = effectivePackages, EffectiveGroups = effectiveGroups };
    }

    internal static IReadOnlyList<string> Arches(string? arches) =>
        string.IsNullOrWhiteSpace(arches) ? [] : arches.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Rows(object? value) =>
        List(value).Select(Map);

    private static IReadOnlyList<object?> List(object? value) =>
        value as IReadOnlyList<object?> ?? throw new XmlRpcFormatException($"expected a list from the hub, got {XmlRpc.Describe(value)}");

    private static IReadOnlyDictionary<string, object?> Map(object? value) =>
        value as IReadOnlyDictionary<string, object?> ?? throw new XmlRpcFormatException($"expected a struct from the hub, got {XmlRpc.Describe(value)}");

    private static string Str(IReadOnlyDictionary<string, object?> row, string key) =>
        row.GetValueOrDefault(key) as string ?? throw new XmlRpcFormatException($"hub row lacks '{key}': {XmlRpc.Describe(row)}");

    private static string? OptStr(IReadOnlyDictionary<string, object?> row, string key) => row.GetValueOrDefault(key) as string;

    private static int Int(IReadOnlyDictionary<string, object?> row, string key) => row.GetValueOrDefault(key) switch
    {
        int i => i,
        long l => checked((int)l),
        _ => throw new XmlRpcFormatException($"hub row lacks integer '{key}': {XmlRpc.Describe(row)}"),
    };

    private static bool Bool(IReadOnlyDictionary<string, object?> row, string key, bool fallback) => OptBool(row, key) ?? fallback;

    private static bool? OptBool(IReadOnlyDictionary<string, object?> row, string key) => row.GetValueOrDefault(key) switch
    {
        bool b => b,
        int i => i != 0,
        _ => null,
    };
}
