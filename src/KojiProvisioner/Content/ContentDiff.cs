using System.Collections;
using System.Globalization;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

/// <summary>
/// Desired content against a hub's state → typed changes. Pure: no I/O, so preview and apply
/// share it and tests pin it without a hub. Without prune nothing is removed; a tag's
/// inheritance and external repo list are settings of the tag and are made exactly as written.
/// </summary>
public static partial class ContentDiff
{
    public static IReadOnlyList<ContentChange> Compute(KojiContent desired, HubState actual, bool prune) =>
        Compute(desired, actual, PruneScope.From(prune));

    public static IReadOnlyList<ContentChange> Compute(KojiContent desired, HubState actual, PruneScope prune)
    {
        var changes = new List<ContentChange>();
        Users(desired, actual, prune, changes);
        Channels(desired, actual, changes);
        Hosts(desired, actual, changes);
        ExternalRepos(desired, actual, prune.Has(PruneKind.ExternalRepos), changes);
        foreach (var tag in desired.Tags) Tag(tag, actual, changes);
        foreach (var tag in desired.Tags) Inheritance(tag, actual, changes);
        foreach (var tag in desired.Tags) TagExternalRepos(tag, actual, changes);
        foreach (var tag in desired.Tags) Groups(tag, actual, prune.Has(PruneKind.Groups), changes);
        Targets(desired, actual, prune.Has(PruneKind.Targets), changes);
        foreach (var tag in desired.Tags) Packages(tag, desired, actual, prune.Has(PruneKind.Packages), changes);
        if (prune.Has(PruneKind.Tags)) RemoveTags(desired, actual, changes);
        return changes;
    }

    /// <summary>What prune leaves although the content does not list it, and why.</summary>
    public static IReadOnlyList<string> Kept(KojiContent desired, HubState actual, PruneScope prune)
    {
        if (!prune.Has(PruneKind.Permissions)) return [];
        var kept = new List<string>();
        if (prune.KeepAdminOf is { } me)
        {
            var user = desired.Users.FirstOrDefault(u => u.Name == me);
            var held = actual.Users.TryGetValue(me, out var u) && u.Permissions.Contains("admin");
            if (user is not null && held && !user.Permissions.Contains("admin"))
                kept.Add($"kept admin of {me}: apply logs in as {me}, and without it nobody could administer the hub");
        }
        foreach (var user in desired.Users)
        {
            var held = actual.Users.TryGetValue(user.Name, out var u) ? u.Permissions : [];
            var granted = GrantedByUserAdd(prune, user.Name).Where(p => held.Contains(p) && !user.Permissions.Contains(p)).ToList();
            if (granted.Count > 0)
                kept.Add($"kept {string.Join(", ", granted)} of {user.Name}: granted by `koji-farm user add`");
        }
        return kept;
    }

    // ---- users and permissions ----

    private static void Users(KojiContent desired, HubState actual, PruneScope prune, List<ContentChange> changes)
    {
        // packageListAdd needs its owner to exist: an owner the hub lacks (an export of another hub
        // lists owners, not every user) is created with no permissions
        var declared = desired.Users.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var owner in desired.Tags.SelectMany(t => t.Packages).Select(p => p.Owner).Distinct(StringComparer.Ordinal)
                     .Where(o => o.Length > 0 && !declared.Contains(o) && !actual.UserNames.Contains(o)).Order(StringComparer.Ordinal))
            changes.Add(Change(ContentKind.User, owner, ContentAction.Create, $"create user {owner} (owns packages in the content)",
                Call(ApplyPhase.Users, "createUser", owner)) with { After = Fields(("name", owner)) });
        foreach (var user in desired.Users)
        {
            if (!actual.UserNames.Contains(user.Name))
                changes.Add(Change(ContentKind.User, user.Name, ContentAction.Create, $"create user {user.Name}",
                    Call(ApplyPhase.Users, "createUser", user.Name)) with { After = Fields(("name", user.Name)) });
            var held = actual.Users.TryGetValue(user.Name, out var u) ? u.Permissions.ToHashSet(StringComparer.Ordinal) : [];
            foreach (var perm in user.Permissions.Where(p => !held.Contains(p)))
            {
                var isNew = !actual.Permissions.Contains(perm);
                var call = isNew
                    ? Call(ApplyPhase.Permissions, "grantPermission", user.Name, perm, Kw(("create", true)))
                    : Call(ApplyPhase.Permissions, "grantPermission", user.Name, perm);
                changes.Add(Change(ContentKind.Permission, $"{user.Name}/{perm}", ContentAction.Create,
                    $"grant {perm} to {user.Name}" + (isNew ? " (new permission)" : ""), call)
                    with { After = Fields(("granted", true)) });
            }
            if (!prune.Has(PruneKind.Permissions)) continue;
            foreach (var perm in held.Where(p => !user.Permissions.Contains(p)).Order(StringComparer.Ordinal))
            {
                // never lock the hub's administrator out: apply logs in as this user
                if (perm == "admin" && user.Name == prune.KeepAdminOf) continue;
                // `user add` granted it: the farm's user records own it
                if (GrantedByUserAdd(prune, user.Name).Contains(perm)) continue;
                changes.Add(Change(ContentKind.Permission, $"{user.Name}/{perm}", ContentAction.Remove,
                    $"revoke {perm} from {user.Name} (not in the content)",
                    Call(ApplyPhase.RevokePermissions, "revokePermission", user.Name, perm))
                    with { Before = Fields(("granted", true)), Pruned = true });
            }
        }
    }

    private static IReadOnlyList<string> GrantedByUserAdd(PruneScope prune, string user) =>
        prune.KeepGranted.TryGetValue(user, out var granted) ? granted : [];

    // ---- channels (Koji 1.35 has no call to remove one, so prune leaves them) ----

    private static void Channels(KojiContent desired, HubState actual, List<ContentChange> changes)
    {
        foreach (var channel in desired.Channels)
        {
            if (!actual.Channels.TryGetValue(channel.Name, out var hub))
            {
                var calls = new List<PlannedCall> { Call(ApplyPhase.Channels, "addChannel", channel.Name, channel.Description) };
                if (channel.Comment is not null)
                    calls.Add(Call(ApplyPhase.Channels, "editChannel", channel.Name, Kw(("comment", channel.Comment))));
                if (channel.Enabled == false) calls.Add(Call(ApplyPhase.Channels, "disableChannel", channel.Name));
                changes.Add(new ContentChange(ContentKind.Channel, channel.Name, ContentAction.Create, $"create channel {channel.Name}", calls)
                    { After = Fields(("description", channel.Description), ("comment", channel.Comment), ("enabled", channel.Enabled ?? true)) });
                continue;
            }
            var edits = new List<(string, object?)>();
            var diffs = new List<string>();
            var before = new List<(string, object?)>();
            var after = new List<(string, object?)>();
            if (channel.Description is not null && channel.Description != (hub.Description ?? ""))
            {
                before.Add(("description", hub.Description)); after.Add(("description", channel.Description));
                edits.Add(("description", channel.Description));
                diffs.Add($"description '{hub.Description}' -> '{channel.Description}'");
            }
            if (channel.Comment is not null && channel.Comment != (hub.Comment ?? ""))
            {
                before.Add(("comment", hub.Comment)); after.Add(("comment", channel.Comment));
                edits.Add(("comment", channel.Comment));
                diffs.Add($"comment '{hub.Comment}' -> '{channel.Comment}'");
            }
            var changeCalls = new List<PlannedCall>();
            if (edits.Count > 0) changeCalls.Add(Call(ApplyPhase.Channels, "editChannel", channel.Name, Kw(edits.ToArray())));
            if (channel.Enabled is { } enabled && enabled != (hub.Enabled ?? true))
            {
                changeCalls.Add(Call(ApplyPhase.Channels, enabled ? "enableChannel" : "disableChannel", channel.Name));
                diffs.Add(enabled ? "enable" : "disable");
                before.Add(("enabled", hub.Enabled ?? true)); after.Add(("enabled", enabled));
            }
            if (changeCalls.Count > 0)
                changes.Add(new ContentChange(ContentKind.Channel, channel.Name, ContentAction.Change,
                    $"change channel {channel.Name}: {string.Join(", ", diffs)}", changeCalls)
                    { Before = Fields(before.ToArray()), After = Fields(after.ToArray()) });
        }
    }

    // ---- external repos ----

    /// <summary>Koji stores external repo URLs with a trailing slash.</summary>
    public static string NormaliseUrl(string url) => url.EndsWith('/') ? url : url + "/";

    private static void ExternalRepos(KojiContent desired, HubState actual, bool prune, List<ContentChange> changes)
    {
        foreach (var repo in desired.ExternalRepos)
        {
            var url = NormaliseUrl(repo.Url);
            if (!actual.ExternalRepos.TryGetValue(repo.Name, out var hub))
                changes.Add(Change(ContentKind.ExternalRepo, repo.Name, ContentAction.Create, $"create external repo {repo.Name} ({url})",
                    Call(ApplyPhase.ExternalRepos, "createExternalRepo", repo.Name, url)) with { After = Fields(("url", url)) });
            else if (hub.Url != url)
                changes.Add(Change(ContentKind.ExternalRepo, repo.Name, ContentAction.Change, $"change external repo {repo.Name}: url {hub.Url} -> {url}",
                    Call(ApplyPhase.ExternalRepos, "editExternalRepo", repo.Name, Kw(("url", url))))
                    with { Before = Fields(("url", hub.Url)), After = Fields(("url", url)) });
        }
        if (!prune) return;
        var wanted = desired.ExternalRepos.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in actual.ExternalRepos.Keys.Where(n => !wanted.Contains(n)).Order(StringComparer.Ordinal))
            changes.Add(Change(ContentKind.ExternalRepo, name, ContentAction.Remove, $"delete external repo {name} (not in the content)",
                Call(ApplyPhase.RemoveExternalRepos, "deleteExternalRepo", name)) with { Before = Fields(("url", actual.ExternalRepos[name].Url)), Pruned = true });
    }

    // ---- tags ----

    private static void Tag(TagSpec tag, HubState actual, List<ContentChange> changes)
    {
        var arches = string.Join(' ', tag.Arches);
        if (!actual.TagIds.ContainsKey(tag.Name))
        {
            var kw = new List<(string, object?)>();
            var notes = new List<string>();
            if (arches.Length > 0) { kw.Add(("arches", arches)); notes.Add($"arches {arches}"); }
            if (tag.Perm is not null) { kw.Add(("perm", tag.Perm)); notes.Add($"perm {tag.Perm}"); }
            if (tag.Locked) { kw.Add(("locked", true)); notes.Add("locked"); }
            // sent only when set: a hub without EnableMaven refuses the keys even when false
            if (tag.MavenSupport) { kw.Add(("maven_support", true)); notes.Add("maven"); }
            if (tag.MavenIncludeAll) { kw.Add(("maven_include_all", true)); notes.Add("maven include all"); }
            if (tag.Extra.Count > 0)
            {
                kw.Add(("extra", ToWire(tag.Extra)));
                notes.Add("extra " + string.Join(", ", tag.Extra.Keys));
            }
            var args = new List<object?> { tag.Name };
            if (kw.Count > 0) args.Add(Kw(kw.ToArray()));
            changes.Add(Change(ContentKind.Tag, tag.Name, ContentAction.Create,
                $"create tag {tag.Name}" + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : ""),
                new PlannedCall(ApplyPhase.Tags, new KojiCall("createTag", args))) with { After = TagFields(tag) });
            return;
        }
        if (!actual.Tags.TryGetValue(tag.Name, out var hubTag)) return;
        var own = hubTag.Own;
        var edits = new List<(string, object?)>();
        var diffs = new List<string>();
        if (!tag.Arches.ToHashSet(StringComparer.Ordinal).SetEquals(own.Arches))
        {
            edits.Add(("arches", arches));
            diffs.Add($"arches '{string.Join(' ', own.Arches)}' -> '{arches}'");
        }
        if (tag.Perm != own.Perm) { edits.Add(("perm", tag.Perm)); diffs.Add($"perm {own.Perm ?? "none"} -> {tag.Perm ?? "none"}"); }
        if (tag.Locked != own.Locked) { edits.Add(("locked", tag.Locked)); diffs.Add(tag.Locked ? "lock" : "unlock"); }
        if (tag.MavenSupport != own.MavenSupport) { edits.Add(("maven_support", tag.MavenSupport)); diffs.Add($"maven_support {tag.MavenSupport}"); }
        if (tag.MavenIncludeAll != own.MavenIncludeAll) { edits.Add(("maven_include_all", tag.MavenIncludeAll)); diffs.Add($"maven_include_all {tag.MavenIncludeAll}"); }
        var changedExtra = tag.Extra.Where(kv => !own.Extra.TryGetValue(kv.Key, out var v) || !ValueEquals(v, kv.Value))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var removedExtra = own.Extra.Keys.Where(k => !tag.Extra.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (changedExtra.Count > 0)
        {
            edits.Add(("extra", ToWire(changedExtra)));
            diffs.AddRange(changedExtra.Select(kv => $"extra {kv.Key}={XmlRpc.Describe(kv.Value)}"));
        }
        if (removedExtra.Count > 0)
        {
            edits.Add(("remove_extra", removedExtra));
            diffs.AddRange(removedExtra.Select(k => $"remove extra {k}"));
        }
        if (edits.Count > 0)
        {
            var was = TagFields(own);
            var becomes = TagFields(tag);
            var changed = becomes.Keys.Where(k => !ValueEquals(was[k], becomes[k])).ToList();
            changes.Add(Change(ContentKind.Tag, tag.Name, ContentAction.Change, $"change tag {tag.Name}: {string.Join(", ", diffs)}",
                Call(ApplyPhase.Tags, "editTag2", tag.Name, Kw(edits.ToArray())))
                with { Before = changed.ToDictionary(k => k, k => was[k]), After = changed.ToDictionary(k => k, k => becomes[k]) });
        }
    }

    private static void RemoveTags(KojiContent desired, HubState actual, List<ContentChange> changes)
    {
        var wanted = desired.Tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in actual.TagIds.Keys.Where(n => !wanted.Contains(n)).Order(StringComparer.Ordinal))
            changes.Add(Change(ContentKind.Tag, name, ContentAction.Remove, $"delete tag {name} (not in the content)",
                Call(ApplyPhase.RemoveTags, "deleteTag", name))
                with { Before = actual.Tags.TryGetValue(name, out var t) ? TagFields(t.Own) : Fields(("id", actual.TagIds[name])), Pruned = true });
    }

    // ---- inheritance: one setInheritanceData(clear=True) makes the whole list exact ----

    private static void Inheritance(TagSpec tag, HubState actual, List<ContentChange> changes)
    {
        var current = actual.Tags.TryGetValue(tag.Name, out var hub) ? hub.Own.Inheritance : [];
        var want = tag.Inheritance.OrderBy(l => l.Priority).ToList();
        if (want.Select(LinkKey).SequenceEqual(current.Select(LinkKey))) return;
        var data = want.Select(l => (object?)new Dictionary<string, object?>
        {
            ["parent_id"] = new TagIdRef(l.Parent),
            ["priority"] = l.Priority,
            ["maxdepth"] = l.MaxDepth,
            ["intransitive"] = l.Intransitive,
            ["noconfig"] = l.NoConfig,
            ["pkg_filter"] = l.PkgFilter,
        }).ToList();
        var summary = want.Count == 0
            ? $"clear inheritance of {tag.Name} (was {string.Join(", ", current.Select(LinkText))})"
            : $"inheritance of {tag.Name}: {string.Join(", ", want.Select(LinkText))}" +
              (current.Count > 0 ? $" (was {string.Join(", ", current.Select(LinkText))})" : "");
        changes.Add(Change(ContentKind.Inheritance, tag.Name, current.Count == 0 ? ContentAction.Create : ContentAction.Change, summary,
            Call(ApplyPhase.Inheritance, "setInheritanceData", tag.Name, data, Kw(("clear", true))))
            with
            {
                Before = current.Count == 0 ? null : Fields(("parents", current.Select(LinkText).ToList())),
                After = Fields(("parents", want.Select(LinkText).ToList())),
            });
    }

    private static string LinkKey(InheritanceLink l) =>
        $"{l.Parent}|{l.Priority}|{l.MaxDepth}|{l.Intransitive}|{l.NoConfig}|{l.PkgFilter}";

    private static string LinkText(InheritanceLink l)
    {
        var text = $"{l.Parent}@{l.Priority}";
        if (l.MaxDepth is { } depth) text += $" maxdepth {depth}";
        if (l.Intransitive) text += " intransitive";
        if (l.NoConfig) text += " noconfig";
        if (l.PkgFilter.Length > 0) text += $" filter {l.PkgFilter}";
        return text;
    }

    // ---- external repos of a tag ----

    private static void TagExternalRepos(TagSpec tag, HubState actual, List<ContentChange> changes)
    {
        var current = actual.Tags.TryGetValue(tag.Name, out var hub) ? hub.Own.ExternalRepos.ToDictionary(r => r.Name, StringComparer.Ordinal) : [];
        foreach (var repo in tag.ExternalRepos.OrderBy(r => r.Priority))
        {
            var add = Call(ApplyPhase.LinkExternalRepos, "addExternalRepoToTag", tag.Name, repo.Name, repo.Priority,
                repo.Arches is null ? Kw(("merge_mode", repo.MergeMode)) : Kw(("merge_mode", repo.MergeMode), ("arches", string.Join(' ', repo.Arches))));
            var obj = $"{tag.Name}/{repo.Name}";
            if (!current.TryGetValue(repo.Name, out var have))
            {
                changes.Add(Change(ContentKind.TagExternalRepo, obj, ContentAction.Create,
                    $"add external repo {repo.Name} to {tag.Name} at priority {repo.Priority} ({repo.MergeMode})", add)
                    with { After = RepoLinkFields(repo) });
            }
            else if (RepoLinkKey(have) != RepoLinkKey(repo))
            {
                // remove, then add: priorities are unique per tag, so a swap must free them first
                changes.Add(new ContentChange(ContentKind.TagExternalRepo, obj, ContentAction.Change,
                    $"change external repo {repo.Name} of {tag.Name}: {RepoLinkText(have)} -> {RepoLinkText(repo)}",
                    [Call(ApplyPhase.UnlinkExternalRepos, "removeExternalRepoFromTag", tag.Name, repo.Name), add])
                    { Before = RepoLinkFields(have), After = RepoLinkFields(repo) });
            }
        }
        var wanted = tag.ExternalRepos.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in current.Values.Where(r => !wanted.Contains(r.Name)).OrderBy(r => r.Priority))
            changes.Add(Change(ContentKind.TagExternalRepo, $"{tag.Name}/{stale.Name}", ContentAction.Remove,
                $"remove external repo {stale.Name} from {tag.Name}",
                Call(ApplyPhase.UnlinkExternalRepos, "removeExternalRepoFromTag", tag.Name, stale.Name))
                with { Before = RepoLinkFields(stale) });
    }

    private static Dictionary<string, object?> RepoLinkFields(TagExternalRepo r) =>
        Fields(("priority", r.Priority), ("merge_mode", r.MergeMode), ("arches", r.Arches?.ToList()));

    private static string RepoLinkKey(TagExternalRepo r) =>
        $"{r.Priority}|{r.MergeMode}|{(r.Arches is null ? "*" : string.Join(' ', r.Arches.Order(StringComparer.Ordinal)))}";

    private static string RepoLinkText(TagExternalRepo r) =>
        $"priority {r.Priority} {r.MergeMode}" + (r.Arches is null ? "" : $" arches {string.Join(' ', r.Arches)}");

    // ---- targets ----

    private static void Targets(KojiContent desired, HubState actual, bool prune, List<ContentChange> changes)
    {
        foreach (var target in desired.Targets)
        {
            if (!actual.Targets.TryGetValue(target.Name, out var hub))
                changes.Add(Change(ContentKind.Target, target.Name, ContentAction.Create,
                    $"create target {target.Name} ({target.BuildTag} -> {target.DestTag})",
                    Call(ApplyPhase.Targets, "createBuildTarget", target.Name, target.BuildTag, target.DestTag))
                    with { After = Fields(("build_tag", target.BuildTag), ("dest_tag", target.DestTag)) });
            else if (hub.BuildTag != target.BuildTag || hub.DestTag != target.DestTag)
                changes.Add(Change(ContentKind.Target, target.Name, ContentAction.Change,
                    $"change target {target.Name}: {hub.BuildTag} -> {hub.DestTag} becomes {target.BuildTag} -> {target.DestTag}",
                    Call(ApplyPhase.Targets, "editBuildTarget", target.Name, target.Name, target.BuildTag, target.DestTag))
                    with
                    {
                        Before = Fields(("build_tag", hub.BuildTag), ("dest_tag", hub.DestTag)),
                        After = Fields(("build_tag", target.BuildTag), ("dest_tag", target.DestTag)),
                    });
        }
        if (!prune) return;
        var wanted = desired.Targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in actual.Targets.Keys.Where(n => !wanted.Contains(n)).Order(StringComparer.Ordinal))
            changes.Add(Change(ContentKind.Target, name, ContentAction.Remove, $"delete target {name} (not in the content)",
                Call(ApplyPhase.RemoveTargets, "deleteBuildTarget", name))
                with { Before = Fields(("build_tag", actual.Targets[name].BuildTag), ("dest_tag", actual.Targets[name].DestTag)), Pruned = true });
    }

    // ---- building calls and comparing values ----

    internal static PlannedCall Call(ApplyPhase phase, string method, params object?[] args) => new(phase, new KojiCall(method, args));

    internal static ContentChange Change(ContentKind kind, string obj, ContentAction action, string summary, PlannedCall call) =>
        new(kind, obj, action, summary, [call]);

    /// <summary>Fields of an object before or after a change, for the JSON document.</summary>
    internal static Dictionary<string, object?> Fields(params (string Name, object? Value)[] values)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in values) fields[name] = value;
        return fields;
    }

    private static Dictionary<string, object?> TagFields(TagSpec t) => Fields(
        ("arches", t.Arches.Order(StringComparer.Ordinal).ToList()), ("perm", t.Perm), ("locked", t.Locked), ("maven_support", t.MavenSupport),
        ("maven_include_all", t.MavenIncludeAll), ("extra", ToWire(t.Extra)));

    internal static KojiKwargs Kw(params (string Name, object? Value)[] values)
    {
        var kw = new KojiKwargs();
        foreach (var (name, value) in values) kw.Add(name, value);
        return kw;
    }

    /// <summary>Extra values as XML-RPC carries them (sorted maps become plain dictionaries).</summary>
    private static object? ToWire(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => ToWire(kv.Value), StringComparer.Ordinal),
        string s => s,
        IEnumerable list => list.Cast<object?>().Select(ToWire).ToList(),
        _ => value,
    };

    /// <summary>JSON-style equality: 1 and 1L and 1.0 are the same number; maps ignore key order.</summary>
    public static bool ValueEquals(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, null): return true;
            case (null, _) or (_, null): return false;
            case (bool x, bool y): return x == y;
            case (bool, _) or (_, bool): return false;
            case (string x, string y): return x == y;
            case (string, _) or (_, string): return false;
            case (IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y):
                return x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && ValueEquals(kv.Value, v));
            case (IReadOnlyDictionary<string, object?>, _) or (_, IReadOnlyDictionary<string, object?>): return false;
            case (IEnumerable x, IEnumerable y):
                var xs = x.Cast<object?>().ToList();
                var ys = y.Cast<object?>().ToList();
                return xs.Count == ys.Count && xs.Zip(ys).All(p => ValueEquals(p.First, p.Second));
            case (IConvertible x, IConvertible y):
                return Convert.ToDecimal(x, CultureInfo.InvariantCulture) == Convert.ToDecimal(y, CultureInfo.InvariantCulture);
            default:
                return Equals(a, b);
        }
    }
}
