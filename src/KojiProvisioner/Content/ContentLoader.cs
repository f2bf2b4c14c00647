using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Content;

/// <summary>
/// Reads a content file (and the files it includes) into <see cref="KojiContent"/>, then checks
/// it as a whole: every error a user can make stops here, before the hub is asked anything.
/// </summary>
public static class ContentLoader
{
    private static readonly string[] TopKeys = ["include", "flocks", "package_owner", "users", "channels", "external_repos", "tags", "targets"];
    private static readonly string[] TagKeys = ["name", "arches", "perm", "locked", "maven_support", "maven_include_all", "extra", "dist_repo", "inheritance", "external_repos", "groups", "package_owner", "packages"];
    private static readonly string[] LinkKeys = ["parent", "priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"];
    private static readonly string[] TagRepoKeys = ["name", "priority", "merge_mode", "arches"];
    private static readonly string[] GroupKeys = ["name", "display_name", "description", "is_default", "uservisible", "packages"];
    private static readonly string[] GroupPackageKeys = ["name", "type"];
    private static readonly string[] PackageKeys = ["name", "owner", "blocked", "extra_arches"];
    private static readonly string[] RepoKeys = ["name", "url"];
    private static readonly string[] TargetKeys = ["name", "build_tag", "dest_tag"];
    private static readonly string[] UserKeys = ["name", "permissions"];
    private static readonly string[] ChannelKeys = ["name", "description", "comment", "enabled"];

    /// <summary>Loads and validates a content file; paths in messages are as given here.</summary>
    public static KojiContent LoadFile(string path)
    {
        var parts = new Parts();
        LoadInto(path, parts, new Stack<string>(), Confinement(path));
        return ContentValidator.Validate(parts.ToContent());
    }

    private static IncludeConfinement Confinement(string topFile) =>
        new(Path.GetDirectoryName(Path.GetFullPath(topFile))!);

    /// <summary>Loads several files as one content set (e.g. one per OS line).</summary>
    public static KojiContent LoadFiles(IEnumerable<string> paths)
    {
        var parts = new Parts();
        foreach (var path in paths) LoadInto(path, parts, new Stack<string>(), Confinement(path));
        return ContentValidator.Validate(parts.ToContent());
    }

    /// <summary>Parses content text (no includes resolved beyond <paramref name="baseDirectory"/>).</summary>
    public static KojiContent LoadText(string yaml, string fileName = "content.yaml", string? baseDirectory = null)
    {
        var parts = new Parts();
        var baseDir = baseDirectory ?? Directory.GetCurrentDirectory();
        ParseInto(yaml, fileName, baseDir, parts, new Stack<string>(), new IncludeConfinement(baseDir));
        return ContentValidator.Validate(parts.ToContent());
    }

    private static void LoadInto(string path, Parts parts, Stack<string> including, IncludeConfinement confinement)
    {
        var full = Path.GetFullPath(path);
        if (including.Contains(full))
            throw new ContentException($"{path}: include cycle: {string.Join(" -> ", including.Reverse().Append(full).Select(Path.GetFileName))}");
        if (!parts.Seen.Add(full)) return;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ContentException($"{path}: cannot read the content file: {ex.Message}");
        }
        including.Push(full);
        ParseInto(text, path, Path.GetDirectoryName(path) ?? "", parts, including, confinement);
        including.Pop();
    }

    private static void ParseInto(string text, string file, string baseDirectory, Parts parts, Stack<string> including, IncludeConfinement confinement)
    {
        var root = Parse(text, file);
        if (root is null) return;
        var top = YamlFields.Root(root, file, "content", TopKeys);
        var fileOwner = top.OptionalString("package_owner");

        foreach (var node in top.Sequence("include"))
        {
            var relative = node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw top.Error(node, "'include' must list file paths");
            var included = confinement.Resolve(file, (int)node.Start.Line, "include", baseDirectory, relative);
            var full = Path.GetFullPath(included);
            if (including.Contains(full))
                throw new ContentException($"{file}:{node.Start.Line}: content: include: '{relative}' is already being read " +
                    $"(include cycle: {string.Join(" -> ", including.Reverse().Append(full).Select(Path.GetFileName))})");
            if (!File.Exists(full))
                throw new ContentException($"{file}:{node.Start.Line}: content: include: '{relative}' does not exist ({full})");
            LoadInto(included, parts, including, confinement);
        }
        foreach (var node in top.Sequence("flocks"))
        {
            var relative = node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw top.Error(node, "'flocks' must list file paths");
            parts.Flocks.Add(FlockManifest.LoadFile(confinement.Resolve(file, (int)node.Start.Line, "flocks", baseDirectory, relative)));
        }
        foreach (var node in top.Sequence("users")) parts.Users.Add(ReadUser(node, file));
        foreach (var node in top.Sequence("channels")) parts.Channels.Add(ReadChannel(node, file));
        foreach (var node in top.Sequence("external_repos")) parts.ExternalRepos.Add(ReadExternalRepo(node, file));
        foreach (var node in top.Sequence("tags")) parts.Tags.Add(ReadTag(node, file, fileOwner));
        foreach (var node in top.Sequence("targets")) parts.Targets.Add(ReadTarget(node, file));
    }

    internal static YamlNode? Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ContentException($"{file}:{ex.Start.Line}: not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        if (stream.Documents.Count == 0 || YamlFields.IsNull(stream.Documents[0].RootNode)) return null;
        if (stream.Documents.Count > 1) throw new ContentException($"{file}: holds {stream.Documents.Count} YAML documents; use 'include' instead");
        return stream.Documents[0].RootNode;
    }

    private static string NameOf(YamlNode node, string file, string kind)
    {
        if (node is YamlMappingNode map &&
            map.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode { Value: { Length: > 0 } name })
            return name;
        throw YamlFields.Error(file, node, kind, "'name' is required");
    }

    private static UserSpec ReadUser(YamlNode node, string file)
    {
        var f = new YamlFields(node, file, $"user '{NameOf(node, file, "user")}'", UserKeys);
        return new UserSpec { Name = f.RequiredString("name"), Permissions = f.Names("permissions"), Source = f.Location };
    }

    private static ChannelSpec ReadChannel(YamlNode node, string file)
    {
        var f = new YamlFields(node, file, $"channel '{NameOf(node, file, "channel")}'", ChannelKeys);
        return new ChannelSpec
        {
            Name = f.RequiredString("name"), Description = f.OptionalString("description"),
            Comment = f.OptionalString("comment"), Enabled = f.OptionalBool("enabled"), Source = f.Location,
        };
    }

    private static ExternalRepoSpec ReadExternalRepo(YamlNode node, string file)
    {
        var f = new YamlFields(node, file, $"external repo '{NameOf(node, file, "external repo")}'", RepoKeys);
        return new ExternalRepoSpec { Name = f.RequiredString("name"), Url = f.RequiredString("url"), Source = f.Location };
    }

    private static BuildTarget ReadTarget(YamlNode node, string file)
    {
        var f = new YamlFields(node, file, $"target '{NameOf(node, file, "target")}'", TargetKeys);
        return new BuildTarget
        {
            Name = f.RequiredString("name"), BuildTag = f.RequiredString("build_tag"),
            DestTag = f.RequiredString("dest_tag"), Source = f.Location,
        };
    }

    private static TagSpec ReadTag(YamlNode node, string file, string? fileOwner)
    {
        var name = NameOf(node, file, "tag");
        var what = $"tag '{name}'";
        var f = new YamlFields(node, file, what, TagKeys);
        var owner = f.OptionalString("package_owner") ?? fileOwner;

        var links = f.Sequence("inheritance").Select((item, index) =>
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } parent })
                return new InheritanceLink { Parent = parent, Priority = index * 10, Source = YamlFields.At(file, item) };
            var l = new YamlFields(item, file, what + " inheritance", LinkKeys);
            return new InheritanceLink
            {
                Parent = l.RequiredString("parent"), Priority = l.Int("priority", index * 10),
                MaxDepth = l.OptionalInt("maxdepth"), Intransitive = l.Bool("intransitive", false),
                NoConfig = l.Bool("noconfig", false), PkgFilter = l.OptionalString("pkg_filter") ?? "",
                Source = l.Location,
            };
        }).ToList();

        var repos = f.Sequence("external_repos").Select((item, index) =>
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } repo })
                return new TagExternalRepo { Name = repo, Priority = (index + 1) * 10, Source = YamlFields.At(file, item) };
            var r = new YamlFields(item, file, what + " external repo", TagRepoKeys);
            return new TagExternalRepo
            {
                Name = r.RequiredString("name"), Priority = r.Int("priority", (index + 1) * 10),
                MergeMode = r.OptionalString("merge_mode") ?? "koji",
                Arches = r.Has("arches") ? r.Names("arches") : null, Source = r.Location,
            };
        }).ToList();

        var groups = f.Sequence("groups").Select(item =>
        {
            var g = new YamlFields(item, file, $"{what} group '{NameOf(item, file, what + " group")}'", GroupKeys);
            return new BuildGroup
            {
                Name = g.RequiredString("name"), DisplayName = g.OptionalString("display_name"),
                Description = g.OptionalString("description"), IsDefault = g.OptionalBool("is_default"),
                UserVisible = g.OptionalBool("uservisible"),
                Packages = g.Sequence("packages").Select(p =>
                {
                    if (p is YamlScalarNode { Value: { Length: > 0 } pkg }) return new GroupPackage(pkg);
                    var gp = new YamlFields(p, file, g.What + " package", GroupPackageKeys);
                    return new GroupPackage(gp.RequiredString("name"), gp.OptionalString("type") ?? "mandatory");
                }).ToList(),
            };
        }).ToList();

        var packages = f.Sequence("packages").Select(item =>
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } pkg })
                return new PackageEntry
                {
                    Name = pkg,
                    Owner = owner ?? throw YamlFields.Error(file, item, what, $"package '{pkg}' has no owner (set 'package_owner' on the tag or the file)"),
                };
            var p = new YamlFields(item, file, what + " package", PackageKeys);
            var pkgName = p.RequiredString("name");
            return new PackageEntry
            {
                Name = pkgName,
                Owner = p.OptionalString("owner") ?? owner ?? throw p.Error(item, $"package '{pkgName}' has no owner (set 'owner', or 'package_owner' on the tag or the file)"),
                Blocked = p.Bool("blocked", false), ExtraArches = p.Names("extra_arches"),
            };
        }).ToList();

        var arches = f.Names("arches");
        return new TagSpec
        {
            Name = f.RequiredString("name"), Arches = arches, Perm = f.OptionalString("perm"),
            Locked = f.Bool("locked", false), MavenSupport = f.Bool("maven_support", false),
            MavenIncludeAll = f.Bool("maven_include_all", false), Extra = DistRepoSettings.AddTo(f.Map("extra"), f.Node("dist_repo"), arches, file, what),
            Inheritance = links, ExternalRepos = repos, Groups = groups, Packages = packages, Source = f.Location,
        };
    }

    private sealed class Parts
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
        public List<UserSpec> Users { get; } = [];
        public List<ChannelSpec> Channels { get; } = [];
        public List<ExternalRepoSpec> ExternalRepos { get; } = [];
        public List<TagSpec> Tags { get; } = [];
        public List<BuildTarget> Targets { get; } = [];
        public List<FlockManifest> Flocks { get; } = [];

        public KojiContent ToContent() => new()
        {
            Users = Users, Channels = Channels, ExternalRepos = ExternalRepos, Tags = Tags, Targets = Targets, Flocks = Flocks,
        };
    }
}
