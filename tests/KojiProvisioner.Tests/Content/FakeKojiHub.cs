using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// An in-memory Koji hub for the calls content planning and applying use, with the hub's own
/// rules and error texts (kojihub.py 1.35): duplicate creates fail, adds that inheritance
/// already satisfies change nothing, groups must exist before their packages, inheritance takes
/// parent IDs. Every call crosses the XML-RPC codec, so only wire-able values get through.
/// Simplification: inheritance is followed in priority order, without maxdepth or filters.
/// </summary>
internal sealed partial class FakeKojiHub : IKojiHub
{
    private int _nextId = 100;
    private readonly Dictionary<string, FakeUser> _users = new(StringComparer.Ordinal);
    private readonly List<string> _perms = ["admin", "appliance", "dist-repo", "host", "image", "image-import", "livecd",
        "maven-import", "repo", "sign", "tag", "target", "win-admin", "win-import", "draft-promoter"];
    private readonly Dictionary<string, FakeChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeTag> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Build, int Dest)> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeHost> _hosts = new(StringComparer.Ordinal);

    public FakeKojiHub()
    {
        _users["kojiadmin"] = new FakeUser(1, "kojiadmin") { Perms = { "admin" } };
        foreach (var name in new[] { "default", "createrepo", "maven", "livecd", "appliance", "vm", "image", "livemedia" })
            _channels[name] = new FakeChannel(NextId(), name);
    }

    public int BatchSize { get; set; } = 100;
    public bool LoggedIn { get; private set; }
    public int Logins { get; private set; }
    public bool EnableMaven { get; set; }
    /// <summary>Every call, in order, as sent (after decoding).</summary>
    public List<(string Method, IReadOnlyList<object?> Args)> Calls { get; } = [];
    public List<int> MultiCallSizes { get; } = [];
    /// <summary>Calls that answered with a fault (a real hub logs each with a traceback).</summary>
    public int FailedCalls { get; private set; }
    public IEnumerable<string> WriteMethods => Calls.Select(c => c.Method).Where(m => !KojiMethods.IsReadOnly(m));
    public int Writes => WriteMethods.Count();

    public Task EnsureLoggedInAsync(CancellationToken cancellationToken = default)
    {
        if (!LoggedIn) Logins++;
        LoggedIn = true;
        return Task.CompletedTask;
    }

    public Task<object?> CallAsync(KojiCall call, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (method, args) = Wire(call);
        try
        {
            return Task.FromResult(Wire(Dispatch(method, args)));
        }
        catch (KojiFaultException ex)
        {
            FailedCalls++;
            throw new KojiFaultException(ex.FaultCode, ex.FaultString, method);
        }
    }

    public Task<IReadOnlyList<KojiCallResult>> MultiCallAsync(IReadOnlyList<KojiCall> calls, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MultiCallSizes.Add(calls.Count);
        var results = new List<KojiCallResult>();
        foreach (var call in calls)
        {
            var (method, args) = Wire(call);
            try
            {
                results.Add(new KojiCallResult(call, Wire(Dispatch(method, args)), null));
            }
            catch (KojiFaultException ex)
            {
                FailedCalls++;
                results.Add(new KojiCallResult(call, null, new KojiFaultException(ex.FaultCode, ex.FaultString, method)));
            }
        }
        return Task.FromResult<IReadOnlyList<KojiCallResult>>(results);
    }

    /// <summary>Takes a call through the codec, as the hub would receive it.</summary>
    private static (string, IReadOnlyList<object?>) Wire(KojiCall call) =>
        XmlRpc.ReadMethodCall(new MemoryStream(XmlRpc.SerializeMethodCall(call.Method, call.Args)));

    private static object? Wire(object? value)
    {
        using var stream = new MemoryStream();
        XmlRpc.WriteMethodResponse(stream, value);
        return XmlRpc.ReadMethodResponse(stream.ToArray());
    }

    // ---- dispatch ----

    public object? Dispatch(string method, IReadOnlyList<object?> args)
    {
        Calls.Add((method, args));
        if (!KojiMethods.IsReadOnly(method) && !LoggedIn)
            throw Fault(1004, "admin permission required (logged in as None)");
        return method switch
        {
            "getAPIVersion" => 1,
            "listTags" => _tags.Values.OrderBy(t => t.Id).Select(t => (object?)TagInfo(t, withExtra: false)).ToList(),
            "getTag" => GetTag(Bind(args, "tagInfo", "strict", "event", "blocked")),
            "getBuildTargets" => _targets.Select(kv => (object?)TargetInfo(kv.Key, kv.Value)).ToList(),
            "listExternalRepos" => _repos.Values.OrderBy(r => r.Id).Select(r => (object?)Row(("id", r.Id), ("name", r.Name), ("url", r.Url))).ToList(),
            "listChannels" => ListChannels(Bind(args, "hostID", "event", "enabled")),
            "listHosts" => _hosts.Values.OrderBy(h => h.Id).Select(h => (object?)HostInfo(h)).ToList(),
            "getHost" => Bind(args, "hostInfo", "strict", "event").GetValueOrDefault("hostInfo") is string n && _hosts.TryGetValue(n, out var found) ? HostInfo(found) : null,
            "getAllPerms" => _perms.Select((p, i) => (object?)Row(("id", i + 1), ("name", p), ("description", null))).ToList(),
            "listUsers" => _users.Values.OrderBy(u => u.Id).Select(u => (object?)Row(("id", u.Id), ("name", u.Name), ("status", 0),
                ("usertype", 0), ("krb_principals", new List<object?>()))).ToList(),
            "getUserPerms" => GetUserPerms(Bind(args, "userID", "with_groups")),
            "getInheritanceData" => GetInheritance(Bind(args, "tag", "event")),
            "getTagExternalRepos" => GetTagExternalRepos(Bind(args, "tag_info", "repo_info", "event")),
            "getTagGroups" => GetTagGroups(Bind(args, "tag", "event", "inherit", "incl_pkgs", "incl_reqs", "incl_blocked")),
            "listPackages" => ListPackages(Bind(args, "tagID", "userID", "pkgID", "prefix", "inherited", "with_dups")),

            "createUser" => CreateUser(Bind(args, "username", "status", "krb_principal")),
            "grantPermission" => GrantPermission(Bind(args, "userinfo", "permission", "create", "description")),
            "revokePermission" => RevokePermission(Bind(args, "userinfo", "permission")),
            "addChannel" => AddChannel(Bind(args, "channel_name", "description")),
            "editChannel" => EditChannel(Bind(args, "channelInfo")),
            "enableChannel" => SetChannel(Bind(args, "channelname", "comment"), true),
            "disableChannel" => SetChannel(Bind(args, "channelname", "comment"), false),
            "addHost" => AddHost(Bind(args, "hostname", "arches", "krb_principal", "force")),
            "editHost" => EditHost(Bind(args, "hostInfo")),
            "enableHost" => SetHost(Bind(args, "hostname"), true),
            "disableHost" => SetHost(Bind(args, "hostname"), false),
            "addHostToChannel" => AddHostToChannel(Bind(args, "hostname", "channel_name", "create", "force")),
            "removeHostFromChannel" => RemoveHostFromChannel(Bind(args, "hostname", "channel_name")),
            "createExternalRepo" => CreateExternalRepo(Bind(args, "name", "url")),
            "editExternalRepo" => EditExternalRepo(Bind(args, "info", "name", "url")),
            "deleteExternalRepo" => DeleteExternalRepo(Bind(args, "info")),
            "createTag" => CreateTag(Bind(args, "name", "parent", "arches", "perm", "locked", "maven_support", "maven_include_all", "extra")),
            "editTag2" => EditTag(Bind(args, "tagInfo")),
            "deleteTag" => DeleteTag(Bind(args, "tagInfo")),
            "setInheritanceData" => SetInheritance(Bind(args, "tag", "data", "clear")),
            "addExternalRepoToTag" => AddExternalRepoToTag(Bind(args, "tag_info", "repo_info", "priority", "merge_mode", "arches")),
            "removeExternalRepoFromTag" => RemoveExternalRepoFromTag(Bind(args, "tag_info", "repo_info")),
            "groupListAdd" => GroupListAdd(Bind(args, "taginfo", "grpinfo", "block", "force")),
            "groupListUnblock" => GroupListUnblock(Bind(args, "taginfo", "grpinfo")),
            "groupListRemove" => GroupListRemove(Bind(args, "taginfo", "grpinfo", "force")),
            "groupPackageListAdd" => GroupPackageListAdd(Bind(args, "taginfo", "grpinfo", "pkg_name", "block", "force")),
            "groupPackageListUnblock" => GroupPackageListUnblock(Bind(args, "taginfo", "grpinfo", "pkg_name")),
            "groupPackageListRemove" => GroupPackageListRemove(Bind(args, "taginfo", "grpinfo", "pkg_name")),
            "createBuildTarget" => CreateBuildTarget(Bind(args, "name", "build_tag", "dest_tag")),
            "editBuildTarget" => EditBuildTarget(Bind(args, "buildTargetInfo", "name", "build_tag", "dest_tag")),
            "deleteBuildTarget" => DeleteBuildTarget(Bind(args, "buildTargetInfo")),
            "packageListAdd" => PackageListAdd(Bind(args, "taginfo", "pkginfo", "owner", "block", "extra_arches", "force", "update")),
            "packageListBlock" => PackageListBlock(Bind(args, "taginfo", "pkginfo", "force")),
            "packageListUnblock" => PackageListUnblock(Bind(args, "taginfo", "pkginfo", "force")),
            "packageListRemove" => PackageListRemove(Bind(args, "taginfo", "pkginfo", "force")),
            _ => DispatchBuildsAndRepos(method, args),
        };
    }

    /// <summary>Python's binding of positional args and a trailing __starstar struct.</summary>
    private static Dictionary<string, object?> Bind(IReadOnlyList<object?> args, params string[] names)
    {
        var bound = new Dictionary<string, object?>(StringComparer.Ordinal);
        var positional = args.ToList();
        if (positional.Count > 0 && positional[^1] is IReadOnlyDictionary<string, object?> kw && kw.GetValueOrDefault("__starstar") is true)
        {
            positional.RemoveAt(positional.Count - 1);
            foreach (var (k, v) in kw) if (k != "__starstar") bound[k] = v;
        }
        if (positional.Count > names.Length && names.Length > 1)
            throw Fault(1, $"<class 'TypeError'>: takes at most {names.Length} arguments ({positional.Count} given)");
        for (var i = 0; i < positional.Count; i++)
        {
            if (i >= names.Length) break;
            if (bound.ContainsKey(names[i])) throw Fault(1, $"<class 'TypeError'>: got multiple values for argument '{names[i]}'");
            bound[names[i]] = positional[i];
        }
        return bound;
    }

    private static KojiFaultException Fault(int code, string text) => new(code, text);
    private static KojiFaultException Generic(string text) => new(1000, text);

    private int NextId() => _nextId++;

    private static string? S(Dictionary<string, object?> a, string key) => a.GetValueOrDefault(key) as string;
    private static bool B(Dictionary<string, object?> a, string key) => a.GetValueOrDefault(key) is true;

    private static Dictionary<string, object?> Row(params (string Key, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    // ---- lookups ----

    private FakeTag? FindTag(object? info) => info switch
    {
        string name => _tags.GetValueOrDefault(name),
        int id => _tags.Values.FirstOrDefault(t => t.Id == id),
        _ => null,
    };

    private FakeTag StrictTag(object? info) => FindTag(info) ?? throw Generic($"No such tagInfo: {XmlRpc.Describe(info)}");

    private FakeRepo StrictRepo(object? info) =>
        (info switch { string n => _repos.GetValueOrDefault(n), int id => _repos.Values.FirstOrDefault(r => r.Id == id), _ => null })
        ?? throw Generic($"No such repo: {info}");

    private FakeUser StrictUser(object? info) =>
        (info is string name ? _users.GetValueOrDefault(name) : null) ?? throw Generic($"No such user: {XmlRpc.Describe(info)}");

    private static string ParseArches(object? arches)
    {
        var list = arches switch
        {
            null => [],
            string s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            IReadOnlyList<object?> l => l.Select(x => x as string ?? "").ToArray(),
            _ => throw Generic("Invalid arches"),
        };
        if (list.Any(a => !System.Text.RegularExpressions.Regex.IsMatch(a, "^[a-zA-Z0-9_-]*$")))
            throw Generic("Architecture can be only [a-zA-Z0-9_-]");
        return string.Join(' ', list);
    }

    /// <summary>The tag and its ancestors in priority order (readFullInheritance without filters).</summary>
    private List<FakeTag> Chain(FakeTag tag)
    {
        var order = new List<FakeTag> { tag };
        void Walk(FakeTag t)
        {
            foreach (var link in t.Inheritance.OrderBy(l => l.Priority))
            {
                var parent = _tags.Values.FirstOrDefault(p => p.Id == link.ParentId);
                if (parent is null || order.Contains(parent)) continue;
                order.Add(parent);
                Walk(parent);
            }
        }
        Walk(tag);
        return order;
    }

    // ---- reads ----

    private Dictionary<string, object?> TagInfo(FakeTag t, bool withExtra)
    {
        var row = Row(("id", t.Id), ("name", t.Name), ("perm_id", t.Perm is null ? null : _perms.IndexOf(t.Perm) + 1), ("perm", t.Perm),
            ("arches", t.Arches), ("locked", t.Locked), ("maven_support", t.MavenSupport), ("maven_include_all", t.MavenIncludeAll));
        if (withExtra) row["extra"] = new Dictionary<string, object?>(t.Extra);
        return row;
    }

    private object? GetTag(Dictionary<string, object?> a)
    {
        var tag = FindTag(a.GetValueOrDefault("tagInfo"));
        if (tag is null && B(a, "strict")) throw Generic($"No such tagInfo: {XmlRpc.Describe(a["tagInfo"])}");
        return tag is null ? null : TagInfo(tag, withExtra: true);
    }

    private Dictionary<string, object?> TargetInfo(string name, (int Build, int Dest) t)
    {
        var build = _tags.Values.First(x => x.Id == t.Build);
        var dest = _tags.Values.First(x => x.Id == t.Dest);
        return Row(("id", name.GetHashCode() & 0xffff), ("name", name), ("build_tag", build.Id), ("dest_tag", dest.Id),
            ("build_tag_name", build.Name), ("dest_tag_name", dest.Name));
    }

    private object? GetUserPerms(Dictionary<string, object?> a) =>
        StrictUser(a.GetValueOrDefault("userID")).Perms.Order(StringComparer.Ordinal).Select(p => (object?)p).ToList();

    private object? GetInheritance(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tag"));
        return tag.Inheritance.OrderBy(l => l.Priority).Select(l => (object?)Row(("parent_id", l.ParentId),
            ("name", _tags.Values.First(p => p.Id == l.ParentId).Name), ("priority", l.Priority), ("maxdepth", l.MaxDepth),
            ("intransitive", l.Intransitive), ("noconfig", l.NoConfig), ("pkg_filter", l.PkgFilter), ("child_id", tag.Id))).ToList();
    }

    private object? GetTagExternalRepos(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tag_info"));
        return tag.Repos.OrderBy(r => r.Priority).Select(r =>
        {
            var repo = _repos.Values.First(x => x.Id == r.RepoId);
            return (object?)Row(("external_repo_id", repo.Id), ("external_repo_name", repo.Name), ("priority", r.Priority),
                ("tag_id", tag.Id), ("tag_name", tag.Name), ("url", repo.Url), ("merge_mode", r.MergeMode), ("arches", r.Arches));
        }).ToList();
    }

    private Dictionary<string, (FakeGroup Group, FakeTag From)> EffectiveGroups(FakeTag tag, bool inherit)
    {
        var groups = new Dictionary<string, (FakeGroup, FakeTag)>(StringComparer.Ordinal);
        foreach (var t in inherit ? Chain(tag) : [tag])
            foreach (var g in t.Groups.Values) groups.TryAdd(g.Name, (g, t));
        return groups;
    }

    private object? GetTagGroups(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tag"));
        var inherit = a.GetValueOrDefault("inherit") is not false;
        var inclBlocked = B(a, "incl_blocked");
        var chain = inherit ? Chain(tag) : [tag];
        var result = new List<object?>();
        foreach (var (group, from) in EffectiveGroups(tag, inherit).Values)
        {
            if (group.Blocked && !inclBlocked) continue;
            var packages = new Dictionary<string, (FakeGroupPackage, FakeTag)>(StringComparer.Ordinal);
            if (!group.Blocked)
                foreach (var t in chain)
                    if (t.Groups.TryGetValue(group.Name, out var g))
                        foreach (var p in g.Packages.Values) packages.TryAdd(p.Name, (p, t));
            result.Add(Row(("name", group.Name), ("group_id", group.Name.GetHashCode() & 0xffff), ("tag_id", from.Id), ("blocked", group.Blocked),
                ("exported", true), ("display_name", group.DisplayName), ("is_default", group.IsDefault), ("uservisible", group.UserVisible),
                ("description", group.Description), ("langonly", null), ("biarchonly", false),
                ("packagelist", packages.Values.Where(p => inclBlocked || !p.Item1.Blocked).Select(p => (object?)Row(("group_id", 0), ("tag_id", p.Item2.Id),
                    ("package", p.Item1.Name), ("blocked", p.Item1.Blocked), ("type", p.Item1.Type), ("basearchonly", null), ("requires", null))).ToList()),
                ("grouplist", new List<object?>())));
        }
        return result;
    }

    private Dictionary<string, (FakePackage Package, FakeTag From)> EffectivePackages(FakeTag tag)
    {
        var packages = new Dictionary<string, (FakePackage, FakeTag)>(StringComparer.Ordinal);
        foreach (var t in Chain(tag))
            foreach (var p in t.Packages.Values) packages.TryAdd(p.Name, (p, t));
        return packages;
    }

    private object? ListPackages(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tagID"));
        var rows = B(a, "inherited") ? EffectivePackages(tag).Values.ToList() : tag.Packages.Values.Select(p => (p, tag)).ToList();
        return rows.OrderBy(r => r.Item1.Name, StringComparer.Ordinal).Select(r => (object?)Row(
            ("package_id", r.Item1.Name.GetHashCode() & 0xffff), ("package_name", r.Item1.Name), ("tag_id", r.Item2.Id), ("tag_name", r.Item2.Name),
            ("owner_id", _users.GetValueOrDefault(r.Item1.Owner)?.Id), ("owner_name", r.Item1.Owner),
            ("extra_arches", r.Item1.ExtraArches), ("blocked", r.Item1.Blocked))).ToList();
    }

    // ---- users, permissions, channels ----

    private object? CreateUser(Dictionary<string, object?> a)
    {
        var name = S(a, "username")!;
        if (_users.ContainsKey(name)) throw Generic($"user already exists: {name}");
        var user = new FakeUser(NextId(), name);
        _users[name] = user;
        return user.Id;
    }

    private object? GrantPermission(Dictionary<string, object?> a)
    {
        var user = StrictUser(a.GetValueOrDefault("userinfo"));
        var perm = S(a, "permission")!;
        if (!_perms.Contains(perm))
        {
            if (!B(a, "create")) throw Generic($"No such permission: {perm}");
            _perms.Add(perm);
        }
        if (!user.Perms.Add(perm)) throw Generic($"user {user.Name} already has permission: {perm}");
        return null;
    }

    private object? RevokePermission(Dictionary<string, object?> a)
    {
        var user = StrictUser(a.GetValueOrDefault("userinfo"));
        var perm = S(a, "permission")!;
        if (!user.Perms.Remove(perm)) throw Generic($"user {user.Name} does not have permission: {perm}");
        return null;
    }

    private object? AddChannel(Dictionary<string, object?> a)
    {
        var name = S(a, "channel_name")!;
        if (_channels.TryGetValue(name, out var dup)) throw Generic($"channel {name} already exists (id={dup.Id})");
        var channel = new FakeChannel(NextId(), name) { Description = S(a, "description") };
        _channels[name] = channel;
        return channel.Id;
    }

    private object? EditChannel(Dictionary<string, object?> a)
    {
        var channel = _channels.GetValueOrDefault(S(a, "channelInfo") ?? "") ?? throw Generic($"No such channel: {a.GetValueOrDefault("channelInfo")}");
        var changed = false;
        if (a.TryGetValue("description", out var d) && !Equals(d, channel.Description)) { channel.Description = d as string; changed = true; }
        if (a.TryGetValue("comment", out var c) && !Equals(c, channel.Comment)) { channel.Comment = c as string; changed = true; }
        return changed;
    }

    private object? SetChannel(Dictionary<string, object?> a, bool enabled)
    {
        var channel = _channels.GetValueOrDefault(S(a, "channelname") ?? "") ?? throw Generic($"No such channel: {a.GetValueOrDefault("channelname")}");
        channel.Enabled = enabled;
        return null;
    }

    // ---- builder hosts (kojihub add_host, edit_host, set_host_enabled, add/remove_host_to/from_channel) ----

    /// <summary>Hosts as <c>listHosts</c> returns them, for tests that look at the hub directly.</summary>
    public IReadOnlyDictionary<string, object?> Host(string name) => HostInfo(_hosts[name]);

    public IReadOnlyList<string> HostChannels(string name) =>
        _hosts[name].Channels.Select(id => _channels.Values.Single(c => c.Id == id).Name).Order(StringComparer.Ordinal).ToList();

    private static Dictionary<string, object?> HostInfo(FakeHost h) => Row(("id", h.Id), ("name", h.Name), ("arches", h.Arches),
        ("capacity", h.Capacity), ("enabled", h.Enabled), ("ready", false), ("task_load", 0.0), ("description", null), ("comment", null));

    private FakeHost StrictHost(object? name) =>
        name is string n && _hosts.TryGetValue(n, out var host) ? host : throw Generic($"host does not exist: {XmlRpc.Describe(name)}");

    private object? ListChannels(Dictionary<string, object?> a)
    {
        var channels = _channels.Values.AsEnumerable();
        if (a.GetValueOrDefault("hostID") is { } info)
        {
            var host = info is string n ? _hosts.GetValueOrDefault(n) ?? throw Generic($"No such host: {n}") : _hosts.Values.Single(h => Equals(h.Id, info));
            channels = channels.Where(c => host.Channels.Contains(c.Id));
        }
        return channels.OrderBy(c => c.Id).Select(c => (object?)Row(("id", c.Id), ("name", c.Name),
            ("description", c.Description), ("enabled", c.Enabled), ("comment", c.Comment))).ToList();
    }

    private object? AddHost(Dictionary<string, object?> a)
    {
        var name = S(a, "hostname")!;
        var arches = string.Join(' ', ((IEnumerable<object?>)a["arches"]!).Cast<string>());
        if (_hosts.ContainsKey(name)) throw Generic($"host already exists: {name}");
        if (_users.ContainsKey(name)) throw Generic($"user {name} already exists and it is not a host");
        // a new host is in the default channel, as the hub puts it there
        var host = new FakeHost(NextId(), name) { Arches = arches, Channels = { _channels["default"].Id } };
        _hosts[name] = host;
        return host.Id;
    }

    private object? EditHost(Dictionary<string, object?> a)
    {
        var host = StrictHost(a.GetValueOrDefault("hostInfo"));
        var changed = false;
        if (a.TryGetValue("arches", out var arches) && !Equals(arches, host.Arches)) { host.Arches = (string)arches!; changed = true; }
        if (a.TryGetValue("capacity", out var capacity) && Convert.ToDouble(capacity, System.Globalization.CultureInfo.InvariantCulture) != host.Capacity)
        {
            host.Capacity = Convert.ToDouble(capacity, System.Globalization.CultureInfo.InvariantCulture);
            changed = true;
        }
        return changed;
    }

    private object? SetHost(Dictionary<string, object?> a, bool enabled)
    {
        StrictHost(a.GetValueOrDefault("hostname")).Enabled = enabled;
        return null;
    }

    private object? AddHostToChannel(Dictionary<string, object?> a)
    {
        var host = StrictHost(a.GetValueOrDefault("hostname"));
        var name = S(a, "channel_name")!;
        if (!_channels.TryGetValue(name, out var channel))
        {
            if (!B(a, "create")) throw Generic($"channel does not exist: {name}");
            channel = _channels[name] = new FakeChannel(NextId(), name);
        }
        if (!B(a, "force") && channel.Enabled == false) throw Generic($"channel {name} is disabled");
        if (!host.Channels.Add(channel.Id)) throw Generic($"host {host.Name} is already subscribed to the {name} channel");
        return null;
    }

    private object? RemoveHostFromChannel(Dictionary<string, object?> a)
    {
        var host = StrictHost(a.GetValueOrDefault("hostname"));
        var name = S(a, "channel_name")!;
        var channel = _channels.GetValueOrDefault(name) ?? throw Generic($"channel does not exist: {name}");
        if (!host.Channels.Remove(channel.Id)) throw Generic($"host {host.Name} is not subscribed to the {name} channel");
        return null;
    }

    // ---- external repos ----

    private object? CreateExternalRepo(Dictionary<string, object?> a)
    {
        var name = S(a, "name")!;
        if (_repos.ContainsKey(name)) throw Generic($"An external repo named \"{name}\" already exists");
        var url = S(a, "url")!;
        if (!url.EndsWith('/')) url += "/";
        var repo = new FakeRepo(NextId(), name) { Url = url };
        _repos[name] = repo;
        return Row(("id", repo.Id), ("name", name), ("url", url));
    }

    private object? EditExternalRepo(Dictionary<string, object?> a)
    {
        var repo = StrictRepo(a.GetValueOrDefault("info"));
        if (S(a, "url") is { Length: > 0 } url) repo.Url = url.EndsWith('/') ? url : url + "/";
        return null;
    }

    private object? DeleteExternalRepo(Dictionary<string, object?> a)
    {
        var repo = StrictRepo(a.GetValueOrDefault("info"));
        foreach (var tag in _tags.Values) tag.Repos.RemoveAll(r => r.RepoId == repo.Id);
        _repos.Remove(repo.Name);
        return null;
    }

    // ---- tags ----

    private object? CreateTag(Dictionary<string, object?> a)
    {
        var name = S(a, "name")!;
        var arches = ParseArches(a.GetValueOrDefault("arches"));
        if (!EnableMaven && (B(a, "maven_support") || B(a, "maven_include_all"))) throw Generic("Maven support not enabled");
        if (_tags.ContainsKey(name)) throw Generic($"A tag with the name '{name}' already exists");
        if (S(a, "perm") is { } perm && !_perms.Contains(perm)) throw Generic($"No such permission: {perm}");
        var tag = new FakeTag(NextId(), name)
        {
            Arches = arches, Perm = S(a, "perm"), Locked = B(a, "locked"),
            MavenSupport = B(a, "maven_support"), MavenIncludeAll = B(a, "maven_include_all"),
        };
        if (a.GetValueOrDefault("extra") is IReadOnlyDictionary<string, object?> extra)
            foreach (var (k, v) in extra) tag.Extra[k] = v;
        _tags[name] = tag;
        return tag.Id;
    }

    private object? EditTag(Dictionary<string, object?> a)
    {
        // same checks as _edit_tag: the maven keys are refused when present at all
        if (!EnableMaven && (a.ContainsKey("maven_support") || a.ContainsKey("maven_include_all"))) throw Generic("Maven support not enabled");
        var tag = StrictTag(a.GetValueOrDefault("tagInfo"));
        if (a.TryGetValue("arches", out var arches)) tag.Arches = ParseArches(arches);
        if (a.TryGetValue("perm", out var perm))
        {
            if (perm is string p && !_perms.Contains(p)) throw Generic($"No such permission: {p}");
            tag.Perm = perm as string;
        }
        if (a.TryGetValue("locked", out var locked)) tag.Locked = locked is true;
        if (a.TryGetValue("maven_support", out var ms)) tag.MavenSupport = ms is true;
        if (a.TryGetValue("maven_include_all", out var mi)) tag.MavenIncludeAll = mi is true;
        var extra = a.GetValueOrDefault("extra") as IReadOnlyDictionary<string, object?>;
        var remove = (a.GetValueOrDefault("remove_extra") as IReadOnlyList<object?>)?.Cast<string>().ToList() ?? [];
        if (extra is not null && remove.FirstOrDefault(extra.ContainsKey) is { } both)
            throw Generic($"Can not both add/update and remove tag-extra: '{both}'");
        var missing = remove.Where(k => !tag.Extra.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw Generic($"Tag: {tag.Name} doesn't have extra: {string.Join(", ", missing)}");
        if (extra is not null) foreach (var (k, v) in extra) tag.Extra[k] = v;
        foreach (var k in remove) tag.Extra.Remove(k);
        return null;
    }

    private object? DeleteTag(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tagInfo"));
        _tags.Remove(tag.Name);
        foreach (var other in _tags.Values) other.Inheritance.RemoveAll(l => l.ParentId == tag.Id);
        foreach (var target in _targets.Where(t => t.Value.Build == tag.Id || t.Value.Dest == tag.Id).Select(t => t.Key).ToList())
            _targets.Remove(target);
        return null;
    }

    private object? SetInheritance(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tag"));
        var data = a.GetValueOrDefault("data") switch
        {
            IReadOnlyList<object?> list => list.Cast<IReadOnlyDictionary<string, object?>>().ToList(),
            IReadOnlyDictionary<string, object?> one => [one],
            _ => throw Generic("Invalid inheritance data"),
        };
        string[] fields = ["parent_id", "priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"];
        var links = tag.Inheritance.ToDictionary(l => l.ParentId);
        var updated = new HashSet<int>();
        foreach (var link in data)
        {
            var delete = link.GetValueOrDefault("delete link") is true;
            foreach (var f in delete ? ["parent_id"] : fields)
                if (!link.ContainsKey(f)) throw Generic($"No value for {f}");
            // the hub keys links by parent ID: a name here would never match (and fail in SQL)
            if (link["parent_id"] is not int parentId) throw Fault(1, $"<class 'psycopg2.errors.InvalidTextRepresentation'>: invalid input syntax for type integer: \"{link["parent_id"]}\"");
            StrictTag(parentId);
            updated.Add(parentId);
            if (delete) { links.Remove(parentId); continue; }
            links[parentId] = new FakeLink(parentId, (int)link["priority"]!, link["maxdepth"] as int?, link["intransitive"] is true,
                link["noconfig"] is true, link["pkg_filter"] as string ?? "");
        }
        if (B(a, "clear")) foreach (var id in links.Keys.Where(id => !updated.Contains(id)).ToList()) links.Remove(id);
        var duplicate = links.Values.GroupBy(l => l.Priority).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Generic($"Multiple parent tags ([{string.Join(", ", duplicate.Select(l => l.ParentId))}]) cannot have the same priority value ({duplicate.Key}) on child tag {tag.Id}");
        tag.Inheritance.Clear();
        tag.Inheritance.AddRange(links.Values);
        return null;
    }

    private object? AddExternalRepoToTag(Dictionary<string, object?> a)
    {
        var mode = S(a, "merge_mode") ?? "koji";
        if (mode is not ("koji" or "simple" or "bare")) throw Generic($"No such merge mode: {mode}");
        var tag = StrictTag(a.GetValueOrDefault("tag_info"));
        var repo = StrictRepo(a.GetValueOrDefault("repo_info"));
        var priority = a.GetValueOrDefault("priority") as int? ?? throw Generic("Invalid priority");
        if (tag.Repos.Any(r => r.RepoId == repo.Id)) throw Generic($"tag {tag.Name} already associated with external repo {repo.Name}");
        if (tag.Repos.Any(r => r.Priority == priority)) throw Generic($"tag {tag.Name} already associated with an external repo at priority {priority}");
        tag.Repos.Add(new FakeTagRepo(repo.Id, priority, mode, a.GetValueOrDefault("arches") is { } arches ? ParseArches(arches) : null));
        return null;
    }

    private object? RemoveExternalRepoFromTag(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("tag_info"));
        var repo = StrictRepo(a.GetValueOrDefault("repo_info"));
        if (tag.Repos.RemoveAll(r => r.RepoId == repo.Id) == 0) throw Generic($"external repo {repo.Name} not associated with tag {tag.Name}");
        return null;
    }

    // ---- groups ----

    private object? GroupListAdd(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var name = S(a, "grpinfo")!;
        var block = B(a, "block");
        EffectiveGroups(tag, inherit: true).TryGetValue(name, out var previous);
        string[] fields = ["display_name", "description", "is_default", "uservisible"];
        if (previous.Group is { } prev)
        {
            if (prev.Blocked && !B(a, "force")) throw Generic($"group {name} is blocked in tag {tag.Name}");
            var changed = prev.Blocked != block || fields.Any(f => a.ContainsKey(f) && !Equals(a[f], prev.Get(f)));
            if (!changed) return null;
        }
        var group = tag.Groups.TryGetValue(name, out var own) ? own : previous.Group?.CopyWithoutPackages() ?? new FakeGroup(name) { DisplayName = name, UserVisible = true };
        group.Blocked = block;
        foreach (var f in fields) if (a.ContainsKey(f)) group.Set(f, a[f]);
        tag.Groups[name] = group;
        return null;
    }

    private object? GroupListUnblock(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var name = S(a, "grpinfo")!;
        if (!tag.Groups.TryGetValue(name, out var g) || !g.Blocked) throw Generic($"group {name} is NOT blocked in tag {tag.Name}");
        tag.Groups.Remove(name);
        return null;
    }

    private object? GroupListRemove(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var name = S(a, "grpinfo")!;
        if (!tag.Groups.Remove(name) && !B(a, "force")) throw Generic($"No group: {name} found for tag: {tag.Name}");
        return null;
    }

    private object? GroupPackageListAdd(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var name = S(a, "grpinfo")!;
        var pkg = S(a, "pkg_name")!;
        var block = B(a, "block");
        if (!EffectiveGroups(tag, inherit: true).TryGetValue(name, out var grp)) throw Generic($"group {name} not present in tag {tag.Name}");
        if (grp.Group.Blocked) throw Generic($"group {name} is blocked in tag {tag.Name}");
        FakeGroupPackage? previous = null;
        foreach (var t in Chain(tag))
            if (t.Groups.TryGetValue(name, out var g) && g.Packages.TryGetValue(pkg, out var p)) { previous = p; break; }
        var type = S(a, "type") ?? previous?.Type ?? "mandatory";
        if (previous is not null)
        {
            if (previous.Blocked && !B(a, "force")) throw Generic($"package {pkg} blocked in group {name}, tag {tag.Name}");
            if (previous.Type == type && !block && !B(a, "force") && !previous.Blocked) return null;
        }
        if (!tag.Groups.TryGetValue(name, out var own))
        {
            own = grp.Group.CopyWithoutPackages();
            tag.Groups[name] = own;
        }
        own.Packages[pkg] = new FakeGroupPackage(pkg) { Type = type, Blocked = block };
        return null;
    }

    private object? GroupPackageListUnblock(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var name = S(a, "grpinfo")!;
        var pkg = S(a, "pkg_name")!;
        if (!tag.Groups.TryGetValue(name, out var g) || !g.Packages.TryGetValue(pkg, out var p) || !p.Blocked)
            throw Generic($"package {pkg} is NOT blocked in group {name}, tag {tag.Name}");
        g.Packages.Remove(pkg);
        return null;
    }

    private object? GroupPackageListRemove(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        if (tag.Groups.TryGetValue(S(a, "grpinfo")!, out var g)) g.Packages.Remove(S(a, "pkg_name")!);
        return null;
    }

    // ---- targets ----

    private object? CreateBuildTarget(Dictionary<string, object?> a)
    {
        var name = S(a, "name")!;
        if (_targets.ContainsKey(name)) throw Generic($"A build target with the name '{name}' already exists");
        var build = FindTag(a.GetValueOrDefault("build_tag")) ?? throw Generic($"build tag '{a.GetValueOrDefault("build_tag")}' does not exist");
        var dest = FindTag(a.GetValueOrDefault("dest_tag")) ?? throw Generic($"destination tag '{a.GetValueOrDefault("dest_tag")}' does not exist");
        _targets[name] = (build.Id, dest.Id);
        return null;
    }

    private object? EditBuildTarget(Dictionary<string, object?> a)
    {
        var info = S(a, "buildTargetInfo")!;
        if (!_targets.ContainsKey(info)) throw Generic($"No such build target: {info}");
        var build = FindTag(a.GetValueOrDefault("build_tag")) ?? throw Generic($"build tag '{a.GetValueOrDefault("build_tag")}' does not exist");
        var dest = FindTag(a.GetValueOrDefault("dest_tag")) ?? throw Generic($"destination tag '{a.GetValueOrDefault("dest_tag")}' does not exist");
        var name = S(a, "name")!;
        if (name != info && _targets.ContainsKey(name)) throw Generic($"name \"{name}\" is already taken by build target");
        _targets.Remove(info);
        _targets[name] = (build.Id, dest.Id);
        return null;
    }

    private object? DeleteBuildTarget(Dictionary<string, object?> a)
    {
        var info = S(a, "buildTargetInfo")!;
        if (!_targets.Remove(info)) throw Generic($"No such build target: {info}");
        return null;
    }

    // ---- package lists (pkglist_add and friends) ----

    private object? PackageListAdd(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var pkg = S(a, "pkginfo")!;
        var owner = a.GetValueOrDefault("owner") is { } o ? StrictUser(o).Name : null;
        var force = B(a, "force");
        bool? block = a.GetValueOrDefault("block") is { } b ? b is true : null;
        var arches = a.TryGetValue("extra_arches", out var ea) && ea is not null ? ParseArches(ea) : null;
        EffectivePackages(tag).TryGetValue(pkg, out var found);
        var previous = found.Package;
        if (previous is null)
        {
            if (B(a, "update") && !force) throw Generic($"cannot update: tag {tag.Name} has no data for package {pkg}");
            if (owner is null) throw Generic("owner not specified");
            tag.Packages[pkg] = new FakePackage(pkg) { Owner = owner, Blocked = block ?? false, ExtraArches = arches };
            return null;
        }
        owner ??= previous.Owner;
        var newBlock = block ?? previous.Blocked;
        arches ??= previous.ExtraArches;
        var changed = previous.Blocked != newBlock || !Equals(previous.ExtraArches, arches);
        if (!changed && previous.Owner == owner && !force) return null;
        // pkglist_add only writes an owner row then: invisible while the entry is inherited
        if (!changed && found.From != tag) return null;
        if (previous.Blocked && !newBlock && !force) throw Generic($"package {pkg} is blocked in tag {tag.Name}");
        tag.Packages[pkg] = new FakePackage(pkg) { Owner = owner, Blocked = newBlock, ExtraArches = arches };
        return null;
    }

    private object? PackageListBlock(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var pkg = S(a, "pkginfo")!;
        if (!EffectivePackages(tag).ContainsKey(pkg)) throw Generic($"Package {pkg} is not in tag listing for {tag.Name}");
        return PackageListAdd(new Dictionary<string, object?> { ["taginfo"] = tag.Name, ["pkginfo"] = pkg, ["block"] = true, ["force"] = a.GetValueOrDefault("force") });
    }

    private object? PackageListUnblock(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        var pkg = S(a, "pkginfo")!;
        if (!EffectivePackages(tag).TryGetValue(pkg, out var previous)) throw Generic($"no data (blocked or otherwise) for package {pkg} in tag {tag.Name}");
        if (!previous.Package.Blocked) throw Generic($"package {pkg} NOT blocked in tag {tag.Name}");
        if (previous.From != tag)
        {
            tag.Packages[pkg] = new FakePackage(pkg) { Owner = previous.Package.Owner, ExtraArches = previous.Package.ExtraArches };
            return null;
        }
        tag.Packages.Remove(pkg);
        if (!EffectivePackages(tag).TryGetValue(pkg, out var next) || next.Package.Blocked)
            tag.Packages[pkg] = new FakePackage(pkg) { Owner = previous.Package.Owner, ExtraArches = previous.Package.ExtraArches };
        return null;
    }

    private object? PackageListRemove(Dictionary<string, object?> a)
    {
        var tag = StrictTag(a.GetValueOrDefault("taginfo"));
        tag.Packages.Remove(S(a, "pkginfo")!);
        return null;
    }

    // ---- state ----

    private sealed class FakeHost(int id, string name)
    {
        public int Id { get; } = id;
        public string Name { get; } = name;
        public string Arches { get; set; } = "";
        public double Capacity { get; set; } = 2.0;
        public bool Enabled { get; set; } = true;
        public HashSet<int> Channels { get; } = [];
    }

    private sealed class FakeUser(int id, string name)
    {
        public int Id { get; } = id;
        public string Name { get; } = name;
        public HashSet<string> Perms { get; } = new(StringComparer.Ordinal);
    }

    private sealed class FakeChannel(int id, string name)
    {
        public int Id { get; } = id;
        public string Name { get; } = name;
        public string? Description { get; set; }
        public string? Comment { get; set; }
        public bool Enabled { get; set; } = true;
    }

    private sealed class FakeRepo(int id, string name)
    {
        public int Id { get; } = id;
        public string Name { get; } = name;
        public string Url { get; set; } = "";
    }

    private sealed class FakeTag(int id, string name)
    {
        public int Id { get; } = id;
        public string Name { get; } = name;
        public string Arches { get; set; } = "";
        public string? Perm { get; set; }
        public bool Locked { get; set; }
        public bool MavenSupport { get; set; }
        public bool MavenIncludeAll { get; set; }
        public Dictionary<string, object?> Extra { get; } = new(StringComparer.Ordinal);
        public List<FakeLink> Inheritance { get; } = [];
        public List<FakeTagRepo> Repos { get; } = [];
        public Dictionary<string, FakeGroup> Groups { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, FakePackage> Packages { get; } = new(StringComparer.Ordinal);
    }

    private sealed record FakeLink(int ParentId, int Priority, int? MaxDepth, bool Intransitive, bool NoConfig, string PkgFilter);

    private sealed record FakeTagRepo(int RepoId, int Priority, string MergeMode, string? Arches);

    private sealed class FakeGroup(string name)
    {
        public string Name { get; } = name;
        public bool Blocked { get; set; }
        public string? DisplayName { get; set; }
        public string? Description { get; set; }
        public bool? IsDefault { get; set; }
        public bool? UserVisible { get; set; }
        public Dictionary<string, FakeGroupPackage> Packages { get; } = new(StringComparer.Ordinal);

        public object? Get(string field) => field switch
        {
            "display_name" => DisplayName, "description" => Description, "is_default" => IsDefault, _ => UserVisible,
        };

        public void Set(string field, object? value)
        {
            switch (field)
            {
                case "display_name": DisplayName = value as string; break;
                case "description": Description = value as string; break;
                case "is_default": IsDefault = value as bool?; break;
                default: UserVisible = value as bool?; break;
            }
        }

        public FakeGroup CopyWithoutPackages() => new(Name)
        {
            Blocked = Blocked, DisplayName = DisplayName, Description = Description, IsDefault = IsDefault, UserVisible = UserVisible,
        };
    }

    private sealed class FakeGroupPackage(string name)
    {
        public string Name { get; } = name;
        public string Type { get; set; } = "mandatory";
        public bool Blocked { get; set; }
    }

    private sealed class FakePackage(string name)
    {
        public string Name { get; } = name;
        public string Owner { get; set; } = "";
        public bool Blocked { get; set; }
        public string? ExtraArches { get; set; }
    }
}
