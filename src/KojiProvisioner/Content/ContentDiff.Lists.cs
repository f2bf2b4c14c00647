namespace KojiProvisioner.Content;

public static partial class ContentDiff
{
    // ---- build groups: compared with the inherited view, as groupListAdd itself does ----

    private static void Groups(TagSpec tag, HubState actual, bool prune, List<ContentChange> changes)
    {
        var effective = actual.Tags.TryGetValue(tag.Name, out var hub) ? hub.EffectiveGroups : new Dictionary<string, HubGroup>();
        foreach (var group in tag.Groups)
        {
            var obj = $"{tag.Name}/{group.Name}";
            var calls = new List<PlannedCall>();
            var notes = new List<string>();
            effective.TryGetValue(group.Name, out var have);
            var settings = GroupSettings(group, have is { Blocked: false } ? have.Group : null, notes);

            if (have is null || have.Blocked)
            {
                if (have is { Blocked: true } && have.FromTag == tag.Name)
                    calls.Add(Call(ApplyPhase.Groups, "groupListUnblock", tag.Name, group.Name));
                else if (have is { Blocked: true })
                    settings.Add(("force", true));
                calls.Add(Call(ApplyPhase.Groups, "groupListAdd", tag.Name, group.Name, Kw(settings.ToArray())));
                calls.AddRange(group.Packages.Select(p => GroupPackageAdd(tag.Name, group.Name, p)));
                changes.Add(new ContentChange(ContentKind.Group, obj, ContentAction.Create,
                    $"create group {group.Name} in {tag.Name} ({Count(group.Packages.Count, "package")})", calls)
                    { After = GroupFields(group, group.Packages.Select(p => p.Name)) });
                continue;
            }

            if (settings.Count > 0) calls.Add(Call(ApplyPhase.Groups, "groupListAdd", tag.Name, group.Name, Kw(settings.ToArray())));
            var added = new List<string>();
            foreach (var package in group.Packages)
            {
                if (!have.Packages.TryGetValue(package.Name, out var hp))
                {
                    calls.Add(GroupPackageAdd(tag.Name, group.Name, package));
                    added.Add(package.Name);
                }
                else if (hp.Blocked)
                {
                    if (hp.FromTag == tag.Name) calls.Add(Call(ApplyPhase.Groups, "groupPackageListUnblock", tag.Name, group.Name, package.Name));
                    if (hp.FromTag != tag.Name || hp.Package.Type != package.Type)
                        calls.Add(Call(ApplyPhase.Groups, "groupPackageListAdd", tag.Name, group.Name, package.Name,
                            Kw(("type", package.Type), ("force", true))));
                    added.Add(package.Name);
                }
                else if (hp.Package.Type != package.Type)
                {
                    calls.Add(GroupPackageAdd(tag.Name, group.Name, package));
                    notes.Add($"{package.Name} {hp.Package.Type} -> {package.Type}");
                }
            }
            var removed = new List<string>();
            if (prune)
            {
                var wanted = group.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var stale in have.Packages.Values.Where(p => p.FromTag == tag.Name && !p.Blocked && !wanted.Contains(p.Package.Name))
                             .OrderBy(p => p.Package.Name, StringComparer.Ordinal))
                {
                    calls.Add(Call(ApplyPhase.Groups, "groupPackageListRemove", tag.Name, group.Name, stale.Package.Name));
                    removed.Add(stale.Package.Name);
                }
            }
            if (calls.Count == 0) continue;
            if (added.Count > 0) notes.Add("add " + string.Join(' ', added));
            if (removed.Count > 0) notes.Add("remove " + string.Join(' ', removed));
            var had = have.Packages.Values.Where(p => !p.Blocked).Select(p => p.Package.Name).ToList();
            var has = had.Except(removed).Union(group.Packages.Select(p => p.Name)).ToList();
            changes.Add(new ContentChange(ContentKind.Group, obj, ContentAction.Change,
                $"change group {group.Name} in {tag.Name}: {string.Join(", ", notes)}", calls)
                { Before = GroupFields(have.Group, had), After = GroupFields(group, has), Pruned = removed.Count > 0 });
        }

        if (!prune) return;
        var declared = tag.Groups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in effective.Values.Where(g => g.FromTag == tag.Name && !g.Blocked && !declared.Contains(g.Group.Name))
                     .OrderBy(g => g.Group.Name, StringComparer.Ordinal))
            changes.Add(Change(ContentKind.Group, $"{tag.Name}/{stale.Group.Name}", ContentAction.Remove,
                $"remove group {stale.Group.Name} from {tag.Name} (not in the content)",
                Call(ApplyPhase.RemoveGroups, "groupListRemove", tag.Name, stale.Group.Name))
                with { Before = GroupFields(stale.Group, stale.Packages.Values.Where(p => !p.Blocked).Select(p => p.Package.Name)), Pruned = true });
    }

    private static Dictionary<string, object?> GroupFields(BuildGroup g, IEnumerable<string> packages) => Fields(
        ("display_name", g.DisplayName), ("description", g.Description), ("is_default", g.IsDefault), ("uservisible", g.UserVisible),
        ("packages", packages.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()));

    private static Dictionary<string, object?> PackageFields(PackageEntry p) => Fields(
        ("owner", p.Owner), ("blocked", p.Blocked), ("extra_arches", p.ExtraArches.Order(StringComparer.Ordinal).ToList()));

    /// <summary>Only settings the content states are sent; the hub keeps the rest.</summary>
    private static List<(string, object?)> GroupSettings(BuildGroup want, BuildGroup? have, List<string> notes)
    {
        var settings = new List<(string, object?)>();
        void Compare(string key, object? wanted, object? current)
        {
            if (wanted is null || (have is not null && Equals(wanted, current))) return;
            settings.Add((key, wanted));
            if (have is not null) notes.Add($"{key} {Show(current)} -> {Show(wanted)}");
        }
        Compare("display_name", want.DisplayName, have?.DisplayName);
        Compare("description", want.Description, have?.Description);
        Compare("is_default", want.IsDefault, have?.IsDefault);
        Compare("uservisible", want.UserVisible, have?.UserVisible);
        return settings;
    }

    private static string Show(object? value) => KojiProvisioner.Koji.XmlRpc.Describe(value);

    private static PlannedCall GroupPackageAdd(string tag, string group, GroupPackage package) =>
        package.Type == "mandatory"
            ? Call(ApplyPhase.Groups, "groupPackageListAdd", tag, group, package.Name)
            : Call(ApplyPhase.Groups, "groupPackageListAdd", tag, group, package.Name, Kw(("type", package.Type)));

    // ---- package lists: blocked, never deleted, as Koji's model intends ----

    private static void Packages(TagSpec tag, KojiContent desired, HubState actual, bool prune, List<ContentChange> changes)
    {
        var effective = actual.Tags.TryGetValue(tag.Name, out var hub) ? hub.EffectivePackages : new Dictionary<string, HubPackage>();
        foreach (var package in tag.Packages)
        {
            var obj = $"{tag.Name}/{package.Name}";
            var arches = string.Join(' ', package.ExtraArches);
            if (!effective.TryGetValue(package.Name, out var have))
            {
                var kw = new List<(string, object?)>();
                if (package.Blocked) kw.Add(("block", true));
                if (arches.Length > 0) kw.Add(("extra_arches", arches));
                changes.Add(Change(ContentKind.Package, obj, package.Blocked ? ContentAction.Block : ContentAction.Create,
                    package.Blocked ? $"block {package.Name} in {tag.Name}" : $"add {package.Name} to {tag.Name} (owner {package.Owner})",
                    PackageAdd(tag.Name, package.Name, package.Owner, kw)) with { After = PackageFields(package) });
                continue;
            }
            var e = have.Entry;
            var sameArches = e.ExtraArches.ToHashSet(StringComparer.Ordinal).SetEquals(package.ExtraArches);
            if (e.Owner == package.Owner && e.Blocked == package.Blocked && sameArches) continue;
            // Koji keeps an inherited entry when only the owner differs (it records an owner row
            // that listings never show), so that difference is the parent's to settle
            if (have.FromTag != tag.Name && e.Blocked == package.Blocked && sameArches) continue;

            var archKw = sameArches ? [] : new List<(string, object?)> { ("extra_arches", arches) };
            var was = PackageFields(e);
            var becomes = PackageFields(package);
            var details = new List<string>();
            if (e.Owner != package.Owner) details.Add($"owner {e.Owner} -> {package.Owner}");
            if (!sameArches) details.Add($"extra arches '{string.Join(' ', e.ExtraArches)}' -> '{arches}'");
            if (e.Blocked && !package.Blocked)
            {
                var calls = new List<PlannedCall> { Call(ApplyPhase.Packages, "packageListUnblock", tag.Name, package.Name) };
                if (details.Count > 0) calls.Add(PackageAdd(tag.Name, package.Name, package.Owner, archKw));
                changes.Add(new ContentChange(ContentKind.Package, obj, ContentAction.Change,
                    $"unblock {package.Name} in {tag.Name}" + (details.Count > 0 ? $" ({string.Join(", ", details)})" : ""), calls)
                    { Before = was, After = becomes });
            }
            else if (!e.Blocked && package.Blocked)
            {
                changes.Add(Change(ContentKind.Package, obj, ContentAction.Block, $"block {package.Name} in {tag.Name}",
                    PackageAdd(tag.Name, package.Name, package.Owner, [("block", true), .. archKw])) with { Before = was, After = becomes });
            }
            else
            {
                changes.Add(Change(ContentKind.Package, obj, ContentAction.Change,
                    $"change {package.Name} in {tag.Name}: {string.Join(", ", details)}",
                    PackageAdd(tag.Name, package.Name, package.Owner, archKw)) with { Before = was, After = becomes });
            }
        }

        if (!prune) return;
        var listed = tag.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var inherited = InheritedPackages(tag, desired);
        foreach (var stale in effective.Values.Where(p => p.FromTag == tag.Name && !listed.Contains(p.Entry.Name))
                     .OrderBy(p => p.Entry.Name, StringComparer.Ordinal))
        {
            var name = stale.Entry.Name;
            var obj = $"{tag.Name}/{name}";
            if (inherited.TryGetValue(name, out var parent))
                // the content has it from a parent: dropping this tag's own entry lets that show through
                changes.Add(Change(ContentKind.Package, obj, ContentAction.Remove,
                    $"remove {tag.Name}'s own entry for {name} (inherited from {parent})",
                    Call(ApplyPhase.Packages, "packageListRemove", tag.Name, name)) with { Before = PackageFields(stale.Entry), Pruned = true });
            else if (!stale.Entry.Blocked)
                changes.Add(Change(ContentKind.Package, obj, ContentAction.Block,
                    $"block {name} in {tag.Name} (not in the content)",
                    Call(ApplyPhase.Packages, "packageListBlock", tag.Name, name))
                    with { Before = PackageFields(stale.Entry), After = PackageFields(stale.Entry with { Blocked = true }), Pruned = true });
        }
    }

    private static PlannedCall PackageAdd(string tag, string package, string owner, List<(string, object?)> kw) =>
        kw.Count == 0
            ? Call(ApplyPhase.Packages, "packageListAdd", tag, package, owner)
            : Call(ApplyPhase.Packages, "packageListAdd", tag, package, owner, Kw(kw.ToArray()));

    /// <summary>Packages the content lists (unblocked) in the tag's ancestors, with the tag they come from.</summary>
    private static Dictionary<string, string> InheritedPackages(TagSpec tag, KojiContent desired)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { tag.Name };
        var queue = new Queue<string>(tag.Inheritance.OrderBy(l => l.Priority).Select(l => l.Parent));
        while (queue.TryDequeue(out var name))
        {
            if (!seen.Add(name) || desired.FindTag(name) is not { } parent) continue;
            foreach (var p in parent.Packages.Where(p => !p.Blocked)) result.TryAdd(p.Name, parent.Name);
            foreach (var link in parent.Inheritance.OrderBy(l => l.Priority)) queue.Enqueue(link.Parent);
        }
        return result;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
