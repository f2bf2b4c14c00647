using System.Text.RegularExpressions;
using KojiProvisioner.Content;

namespace KojiProvisioner.Flock;

/// <summary>One package of the Flock to build: where its spec is, and the Koji source URL for it.</summary>
public sealed record FlockItem(FlockPackage Package, FlockRepository Repository, string Target)
{
    public string Name => Package.Name;

    /// <summary>
    /// The spec's folder inside the repository, as Koji's SCM sub-path (<c>URL?subdir#ref</c>):
    /// kojid looks for the spec at the top of the checked-out module.
    /// </summary>
    public string? SubPath => Path.GetDirectoryName(Package.Spec.Replace('\\', '/'))?.Replace('\\', '/') is { Length: > 0 } dir ? dir : null;

    /// <summary>What `koji build` takes: <c>git+https://host/repo.git?sub/dir#ref</c> (no sub-path for a spec at the root).</summary>
    public string SourceAt(string reference)
    {
        var url = Repository.Url.StartsWith("git://", StringComparison.Ordinal) ? Repository.Url : "git+" + Repository.Url;
        return SubPath is null ? $"{url}#{reference}" : $"{url}?{SubPath}#{reference}";
    }
}

/// <summary>
/// Which packages to build, for which target, in which order: packages whose spec BuildRequires
/// another package being built come in a later layer, after a repo holding the earlier layer.
/// Pure: the BuildRequires come from the specs, read by the caller.
/// </summary>
public static partial class FlockPlan
{
    /// <summary>The packages of the content's Flocks, all or the named ones, each with the target it builds for.</summary>
    public static IReadOnlyList<FlockItem> Select(KojiContent content, IReadOnlyCollection<string> only, string? target)
    {
        var all = content.Flocks.SelectMany(f => f.Repositories.SelectMany(r => r.Packages.Select(p => (p, r)))).ToList();
        if (all.Count == 0)
            throw new ContentException("the content lists no Flock (flocks: [flock.yaml]): there is nothing to build");
        var unknown = only.Where(n => all.All(a => a.p.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new ContentException($"no Flock package named {string.Join(", ", unknown)} (known: {string.Join(", ", all.Select(a => a.p.Name))})");
        if (target is not null && content.Targets.All(t => t.Name != target))
            throw new ContentException($"target '{target}' is not in the content (known: {string.Join(", ", content.Targets.Select(t => t.Name))})");
        return all.Where(a => only.Count == 0 || only.Contains(a.p.Name))
            .Select(a => new FlockItem(a.p, a.r, target ?? TargetFor(content, a.p, a.r)))
            .ToList();
    }

    /// <summary>The one target whose build tag inherits a tag the package is listed in (its OS line).</summary>
    public static string TargetFor(KojiContent content, FlockPackage package, FlockRepository repository)
    {
        var tags = (package.Tags ?? repository.Tags).ToHashSet(StringComparer.Ordinal);
        var matches = content.Targets.Where(t => Ancestry(content, t.BuildTag).Any(tags.Contains)).Select(t => t.Name).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ContentException($"package '{package.Name}' ({package.Source}): no target builds from its tags ({string.Join(", ", tags)}): pass --target"),
            _ => throw new ContentException($"package '{package.Name}' can build for several targets ({string.Join(", ", matches)}): pick one with --target"),
        };
    }

    /// <summary>A tag and every tag it inherits from, as the content declares them.</summary>
    public static IEnumerable<string> Ancestry(KojiContent content, string tag)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([tag]);
        while (queue.TryDequeue(out var next))
        {
            if (!seen.Add(next))
                continue;
            yield return next;
            foreach (var parent in content.FindTag(next)?.Inheritance ?? [])
                queue.Enqueue(parent.Parent);
        }
    }

    /// <summary>
    /// Layers of packages: a package comes after every selected package its spec BuildRequires.
    /// A BuildRequires cycle is an error naming the packages in it.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<FlockItem>> Layers(IReadOnlyList<FlockItem> items, IReadOnlyDictionary<string, IReadOnlySet<string>> buildRequires)
    {
        var names = items.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var needs = items.ToDictionary(i => i.Name,
            i => (buildRequires.GetValueOrDefault(i.Name) ?? new HashSet<string>()).Where(n => names.Contains(n) && n != i.Name).ToHashSet(StringComparer.Ordinal));
        var done = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<IReadOnlyList<FlockItem>>();
        while (done.Count < items.Count)
        {
            var layer = items.Where(i => !done.Contains(i.Name) && needs[i.Name].All(done.Contains)).ToList();
            if (layer.Count == 0)
                throw new ContentException("these Flock packages BuildRequire each other, so none can be built first: " +
                    string.Join(", ", items.Where(i => !done.Contains(i.Name)).Select(i => $"{i.Name} (needs {string.Join(", ", needs[i.Name].Where(n => !done.Contains(n)))})")));
            layers.Add(layer);
            done.UnionWith(layer.Select(i => i.Name));
        }
        return layers;
    }

    /// <summary>The package names a spec's BuildRequires lines name (versions and macros left out).</summary>
    public static IReadOnlySet<string> BuildRequiresOf(string spec)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match line in BuildRequiresLine().Matches(spec))
        {
            // Rich dependencies ("(a or b)") and capabilities like perl(Foo) name no Flock package.
            var value = Regex.Replace(line.Groups[1].Value, @"\S*\([^)]*\)", " ");
            var tokens = value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < tokens.Length; i++)
            {
                var t = tokens[i];
                if (t is "<" or "<=" or "=" or ">=" or ">" or "==")
                {
                    i++; // the version after an operator
                    continue;
                }
                if (t.Contains('%') || t.StartsWith('/'))
                    continue;
                names.Add(t);
            }
        }
        return names;
    }

    [GeneratedRegex(@"^\s*BuildRequires\s*:\s*(.+?)\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex BuildRequiresLine();
}
