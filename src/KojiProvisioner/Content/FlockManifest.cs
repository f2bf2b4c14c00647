using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Content;

/// <summary>
/// The package-git repositories a farm builds from: for each repository its git URL and ref,
/// the packages (spec files) it holds, and the tags each package is listed in. Builders may only
/// check out what <see cref="AllowedScms"/> allows (kojid's <c>allowed_scms</c>).
/// </summary>
public sealed partial record FlockManifest
{
    public required string File { get; init; }
    /// <summary>Owner of the package-list entries the flock adds.</summary>
    public required string PackageOwner { get; init; }
    /// <summary>kojid <c>allowed_scms</c> entries: <c>host:/path/*[:use_common[:source_cmd]]</c>.</summary>
    public IReadOnlyList<string> AllowedScms { get; init; } = [];
    public IReadOnlyList<FlockRepository> Repositories { get; init; } = [];

    /// <summary>Every (tag, package) the flock puts into package lists.</summary>
    public IEnumerable<(string Tag, FlockPackage Package, FlockRepository Repository)> TagPackages =>
        Repositories.SelectMany(r => r.Packages.SelectMany(p => (p.Tags ?? r.Tags).Select(t => (t, p, r))));

    private static readonly string[] TopKeys = ["package_owner", "allowed_scms", "repositories"];
    private static readonly string[] RepoKeys = ["name", "url", "ref", "tags", "packages"];
    private static readonly string[] PackageKeys = ["name", "spec", "tags"];

    public static FlockManifest LoadFile(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ContentException($"{path}: cannot read the flock manifest: {ex.Message}");
        }
        return LoadText(text, path);
    }

    public static FlockManifest LoadText(string yaml, string file = "flock.yaml")
    {
        var root = ContentLoader.Parse(yaml, file) ?? throw new ContentException($"{file}: the flock manifest is empty");
        var top = YamlFields.Root(root, file, "flock", TopKeys);
        var allowed = top.Names("allowed_scms");
        foreach (var entry in allowed)
            if (!AllowedScmFormat().IsMatch(entry))
                throw top.Error(top.Node("allowed_scms")!, $"allowed_scms entry '{entry}' is not host:/path[:use_common[:source_cmd]]");

        var repos = new List<FlockRepository>();
        var seenPackages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in top.Sequence("repositories"))
        {
            var name = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? (n as YamlScalarNode)?.Value : null;
            var f = new YamlFields(node, file, $"repository '{name}'", RepoKeys);
            var repoName = f.RequiredString("name");
            var url = f.RequiredString("url");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "git" or "ssh"))
                throw f.Error(f.Node("url")!, $"url '{url}' is not an http(s), git or ssh URL");
            if (allowed.Count > 0 && !IsAllowed(allowed, uri.Host, uri.AbsolutePath))
                throw f.Error(f.Node("url")!, $"{uri.Host}:{uri.AbsolutePath} is not matched by any allowed_scms entry, so builders would refuse it");
            var repoTags = f.Names("tags");
            var packages = f.Sequence("packages").Select(p =>
            {
                var pf = new YamlFields(p, file, $"{f.What} package", PackageKeys);
                var pkg = pf.RequiredString("name");
                if (seenPackages.TryGetValue(pkg, out var other))
                    throw pf.Error(p, $"package '{pkg}' is already built from repository '{other}'");
                seenPackages[pkg] = repoName;
                return new FlockPackage
                {
                    Name = pkg, Spec = pf.RequiredString("spec"),
                    Tags = pf.Has("tags") ? pf.Names("tags") : null, Source = pf.Location,
                };
            }).ToList();
            if (packages.Count == 0) throw f.Error(node, "lists no packages");
            repos.Add(new FlockRepository
            {
                Name = repoName, Url = url, Ref = f.RequiredString("ref"), Tags = repoTags, Packages = packages, Source = f.Location,
            });
        }
        if (repos.Count == 0) throw new ContentException($"{file}: flock lists no repositories");
        return new FlockManifest
        {
            File = file, PackageOwner = top.RequiredString("package_owner"), AllowedScms = allowed, Repositories = repos,
        };
    }

    /// <summary>kojid's check: the first entry whose host and path globs match decides; "!" denies.</summary>
    public static bool IsAllowed(IEnumerable<string> allowedScms, string host, string repository)
    {
        foreach (var entry in allowedScms)
        {
            var parts = entry.Split(':');
            if (parts.Length < 2) continue;
            var hostPattern = parts[0];
            var deny = hostPattern.StartsWith('!');
            if (deny) hostPattern = hostPattern[1..];
            if (Glob(hostPattern).IsMatch(host) && Glob(parts[1]).IsMatch(repository)) return !deny;
        }
        return false;
    }

    private static Regex Glob(string pattern)
    {
        var regex = new StringBuilder("^");
        foreach (var c in pattern)
            regex.Append(c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) });
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"^!?[^:\s]+:/[^:\s]*(:(?i:true|false|yes|no|on|off|1|0)?(:[^\s]*)?)?$")]
    private static partial Regex AllowedScmFormat();
}

public sealed record FlockRepository
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    public required string Ref { get; init; }
    /// <summary>Tags every package of this repository is listed in.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<FlockPackage> Packages { get; init; } = [];
    public SourceLocation? Source { get; init; }

    /// <summary>The source URL for <c>koji build</c>, e.g. <c>git+https://host/repo.git#master</c>.</summary>
    public string ScmUrl => (Url.StartsWith("git://", StringComparison.Ordinal) ? Url : "git+" + Url) + "#" + Ref;
}

public sealed record FlockPackage
{
    public required string Name { get; init; }
    /// <summary>Spec file path inside the repository.</summary>
    public required string Spec { get; init; }
    /// <summary>Overrides the repository's tags for this package.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    public SourceLocation? Source { get; init; }
}
