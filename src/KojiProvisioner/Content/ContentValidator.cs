using System.Text.RegularExpressions;

namespace KojiProvisioner.Content;

/// <summary>Whole-content checks (references, duplicates, cycles) and merging of flock packages
/// into the tags' package lists.</summary>
public static partial class ContentValidator
{
    public static readonly IReadOnlySet<string> MergeModes = new HashSet<string>(StringComparer.Ordinal) { "koji", "simple", "bare" };

    public static KojiContent Validate(KojiContent content)
    {
        Unique(content.Users, u => u.Name, u => u.Source, "user");
        Unique(content.Channels, c => c.Name, c => c.Source, "channel");
        Unique(content.ExternalRepos, r => r.Name, r => r.Source, "external repo");
        Unique(content.Tags, t => t.Name, t => t.Source, "tag");
        Unique(content.Targets, t => t.Name, t => t.Source, "target");

        foreach (var user in content.Users)
            foreach (var perm in user.Permissions) CheckName(perm, user.Source, $"user '{user.Name}'", "permission");
        foreach (var repo in content.ExternalRepos)
        {
            CheckName(repo.Name, repo.Source, "external repo", "name");
            if (!Uri.TryCreate(repo.Url.Replace("$arch", "x86_64", StringComparison.Ordinal), UriKind.Absolute, out var uri) ||
                uri.Scheme is not ("http" or "https" or "file" or "ftp"))
                throw Fail(repo.Source, $"external repo '{repo.Name}'", $"url '{repo.Url}' is not an http(s), ftp or file URL");
        }

        var tags = content.Tags.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var repos = content.ExternalRepos.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tag in content.Tags) CheckTag(tag, tags, repos);
        CheckCycles(content.Tags, tags);

        foreach (var target in content.Targets)
        {
            CheckName(target.Name, target.Source, "target", "name");
            if (!tags.ContainsKey(target.BuildTag))
                throw Fail(target.Source, $"target '{target.Name}'", $"build tag '{target.BuildTag}' is not defined");
            if (!tags.ContainsKey(target.DestTag))
                throw Fail(target.Source, $"target '{target.Name}'", $"destination tag '{target.DestTag}' is not defined");
        }

        return content with { Tags = MergeFlocks(content, tags) };
    }

    private static void CheckTag(TagSpec tag, Dictionary<string, TagSpec> tags, HashSet<string> repos)
    {
        var what = $"tag '{tag.Name}'";
        CheckName(tag.Name, tag.Source, "tag", "name");
        foreach (var arch in tag.Arches) CheckArch(arch, tag.Source, what);

        Unique(tag.Inheritance, l => l.Parent, l => l.Source ?? tag.Source, what + ": parent");
        Unique(tag.Inheritance, l => l.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture), l => l.Source ?? tag.Source, what + ": inheritance priority");
        foreach (var link in tag.Inheritance)
        {
            if (link.Parent == tag.Name) throw Fail(link.Source ?? tag.Source, what, "inherits from itself");
            if (!tags.ContainsKey(link.Parent)) throw Fail(link.Source ?? tag.Source, what, $"parent tag '{link.Parent}' is not defined");
            if (link.MaxDepth is < 0) throw Fail(link.Source ?? tag.Source, what, $"maxdepth of parent '{link.Parent}' is negative");
        }

        Unique(tag.ExternalRepos, r => r.Name, r => r.Source ?? tag.Source, what + ": external repo");
        Unique(tag.ExternalRepos, r => r.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture), r => r.Source ?? tag.Source, what + ": external repo priority");
        foreach (var repo in tag.ExternalRepos)
        {
            if (!repos.Contains(repo.Name)) throw Fail(repo.Source ?? tag.Source, what, $"external repo '{repo.Name}' is not defined");
            if (!MergeModes.Contains(repo.MergeMode))
                throw Fail(repo.Source ?? tag.Source, what, $"external repo '{repo.Name}': merge_mode '{repo.MergeMode}' is not one of koji, simple, bare");
            foreach (var arch in repo.Arches ?? []) CheckArch(arch, repo.Source ?? tag.Source, what);
        }

        Unique(tag.Groups, g => g.Name, _ => tag.Source, what + ": group");
        foreach (var group in tag.Groups)
        {
            Unique(group.Packages, p => p.Name, _ => tag.Source, $"{what}: group '{group.Name}': package");
            foreach (var p in group.Packages)
                if (p.Type is not ("mandatory" or "default" or "optional" or "conditional"))
                    throw Fail(tag.Source, what, $"group '{group.Name}': package '{p.Name}' has type '{p.Type}' (mandatory, default, optional or conditional)");
        }

        Unique(tag.Packages, p => p.Name, _ => tag.Source, what + ": package");
        foreach (var p in tag.Packages)
        {
            CheckName(p.Name, tag.Source, what, "package");
            foreach (var arch in p.ExtraArches) CheckArch(arch, tag.Source, what);
        }
    }

    /// <summary>Koji refuses nothing here, but a loop makes every buildroot of the loop unusable.</summary>
    private static void CheckCycles(IReadOnlyList<TagSpec> all, Dictionary<string, TagSpec> tags)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();
        void Visit(TagSpec tag)
        {
            state[tag.Name] = 1;
            path.Add(tag.Name);
            foreach (var link in tag.Inheritance)
            {
                var seen = state.GetValueOrDefault(link.Parent);
                if (seen == 1)
                {
                    var cycle = path.Skip(path.IndexOf(link.Parent)).Append(link.Parent);
                    throw Fail(link.Source ?? tag.Source, $"tag '{tag.Name}'", $"inheritance cycle: {string.Join(" -> ", cycle)}");
                }
                if (seen == 0) Visit(tags[link.Parent]);
            }
            path.RemoveAt(path.Count - 1);
            state[tag.Name] = 2;
        }
        foreach (var tag in all)
            if (state.GetValueOrDefault(tag.Name) == 0) Visit(tag);
    }

    /// <summary>Flock packages join the package lists; an entry the tag lists itself wins.</summary>
    private static IReadOnlyList<TagSpec> MergeFlocks(KojiContent content, Dictionary<string, TagSpec> tags)
    {
        if (content.Flocks.Count == 0) return content.Tags;
        var added = new Dictionary<string, List<PackageEntry>>(StringComparer.Ordinal);
        foreach (var flock in content.Flocks)
        {
            foreach (var (tag, package, repository) in flock.TagPackages)
            {
                if (!tags.ContainsKey(tag))
                    throw Fail(package.Source ?? repository.Source, $"repository '{repository.Name}' package '{package.Name}'", $"tag '{tag}' is not defined in the content");
                var list = added.TryGetValue(tag, out var l) ? l : added[tag] = [];
                if (list.All(p => p.Name != package.Name))
                    list.Add(new PackageEntry { Name = package.Name, Owner = flock.PackageOwner });
            }
        }
        return content.Tags.Select(t =>
        {
            if (!added.TryGetValue(t.Name, out var extra)) return t;
            var own = t.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            return t with { Packages = t.Packages.Concat(extra.Where(p => !own.Contains(p.Name))).ToList() };
        }).ToList();
    }

    private static void Unique<T>(IEnumerable<T> items, Func<T, string> key, Func<T, SourceLocation?> source, string kind)
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var name = key(item);
            if (seen.TryGetValue(name, out var first))
            {
                var firstAt = source(first);
                throw Fail(source(item), $"{kind} '{name}'", firstAt is null ? "is defined twice" : $"is defined twice (first at {firstAt})");
            }
            seen[name] = item;
        }
    }

    private static void CheckName(string name, SourceLocation? source, string what, string kind)
    {
        if (!NamePattern().IsMatch(name)) throw Fail(source, what, $"{kind} '{name}' may only hold letters, digits and . _ + - /");
    }

    private static void CheckArch(string arch, SourceLocation? source, string what)
    {
        if (!ArchPattern().IsMatch(arch)) throw Fail(source, what, $"arch '{arch}' may only hold letters, digits, _ and -");
    }

    private static ContentException Fail(SourceLocation? source, string what, string message) =>
        new(source is null ? $"{what}: {message}" : $"{source}: {what}: {message}");

    [GeneratedRegex(@"^[A-Za-z0-9/_.+-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex ArchPattern();
}
