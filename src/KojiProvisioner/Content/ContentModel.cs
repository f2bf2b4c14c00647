namespace KojiProvisioner.Content;

/// <summary>Where an object was declared, for messages: <c>content.yaml:42</c>.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

/// <summary>The desired state of a hub, merged from a content file and its includes.</summary>
public sealed record KojiContent
{
    public IReadOnlyList<UserSpec> Users { get; init; } = [];
    public IReadOnlyList<ChannelSpec> Channels { get; init; } = [];
    public IReadOnlyList<ExternalRepoSpec> ExternalRepos { get; init; } = [];
    public IReadOnlyList<TagSpec> Tags { get; init; } = [];
    public IReadOnlyList<BuildTarget> Targets { get; init; } = [];
    public IReadOnlyList<FlockManifest> Flocks { get; init; } = [];
    /// <summary>Builder hosts (the farm's own, from the stack): never deleted, only disabled.</summary>
    public IReadOnlyList<HostSpec> Hosts { get; init; } = [];

    /// <summary>kojid <c>allowed_scms</c> entries of every flock, for each builder's kojid.conf.</summary>
    public IReadOnlyList<string> AllowedScms => Flocks.SelectMany(f => f.AllowedScms).Distinct(StringComparer.Ordinal).ToList();

    public TagSpec? FindTag(string name) => Tags.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// This content and <paramref name="other"/> as one desired state, for one plan: lists are
    /// joined; a user or host named in both is one object (permissions and channels joined; the
    /// settings of <paramref name="other"/> win where both set one).
    /// </summary>
    public KojiContent Merge(KojiContent other) => this with
    {
        Users = Users.Concat(other.Users).GroupBy(u => u.Name, StringComparer.Ordinal)
            .Select(g => g.First() with { Permissions = g.SelectMany(u => u.Permissions).Distinct(StringComparer.Ordinal).ToList() })
            .ToList(),
        Channels = [.. Channels, .. other.Channels],
        ExternalRepos = [.. ExternalRepos, .. other.ExternalRepos],
        Tags = [.. Tags, .. other.Tags],
        Targets = [.. Targets, .. other.Targets],
        Flocks = [.. Flocks, .. other.Flocks],
        Hosts = Hosts.Concat(other.Hosts).GroupBy(h => h.Name, StringComparer.Ordinal)
            .Select(g => g.Aggregate((a, b) => b with
            {
                Arches = b.Arches ?? a.Arches,
                Channels = b.Channels ?? a.Channels,
                Capacity = b.Capacity ?? a.Capacity,
            }))
            .ToList(),
    };
}

/// <summary>A tag and everything that hangs off it (Koji's <c>getTag</c> plus its lists).</summary>
public sealed record TagSpec
{
    public required string Name { get; init; }
    /// <summary>Arches a build tag builds for; empty for tags that only collect builds.</summary>
    public IReadOnlyList<string> Arches { get; init; } = [];
    /// <summary>Permission required to tag builds into it (e.g. <c>admin</c>), or none.</summary>
    public string? Perm { get; init; }
    public bool Locked { get; init; }
    public bool MavenSupport { get; init; }
    public bool MavenIncludeAll { get; init; }
    /// <summary>Tag extra (e.g. <c>mock.package_manager</c>); JSON-typed values as the hub keeps them.</summary>
    public IReadOnlyDictionary<string, object?> Extra { get; init; } = new Dictionary<string, object?>();
    public IReadOnlyList<InheritanceLink> Inheritance { get; init; } = [];
    public IReadOnlyList<TagExternalRepo> ExternalRepos { get; init; } = [];
    public IReadOnlyList<BuildGroup> Groups { get; init; } = [];
    public IReadOnlyList<PackageEntry> Packages { get; init; } = [];
    public SourceLocation? Source { get; init; }
}

/// <summary>One parent of a tag (a row of <c>getInheritanceData</c>).</summary>
public sealed record InheritanceLink
{
    public required string Parent { get; init; }
    public int Priority { get; init; }
    public int? MaxDepth { get; init; }
    public bool Intransitive { get; init; }
    public bool NoConfig { get; init; }
    public string PkgFilter { get; init; } = "";
    public SourceLocation? Source { get; init; }
}

/// <summary>A repository outside Koji that build roots may pull from (<c>createExternalRepo</c>).</summary>
public sealed record ExternalRepoSpec
{
    public required string Name { get; init; }
    /// <summary>May hold <c>$arch</c>; Koji stores it with a trailing slash.</summary>
    public required string Url { get; init; }
    public SourceLocation? Source { get; init; }
}

/// <summary>An external repo used by a tag (<c>addExternalRepoToTag</c>).</summary>
public sealed record TagExternalRepo
{
    public required string Name { get; init; }
    public int Priority { get; init; }
    /// <summary><c>koji</c>, <c>simple</c> or <c>bare</c> (Koji's REPO_MERGE_MODES).</summary>
    public string MergeMode { get; init; } = "koji";
    /// <summary>Restricts the repo to some arches; null for all.</summary>
    public IReadOnlyList<string>? Arches { get; init; }
    public SourceLocation? Source { get; init; }
}

/// <summary>A comps group of a tag, e.g. <c>build</c> and <c>srpm-build</c> for buildroots.</summary>
public sealed record BuildGroup
{
    public required string Name { get; init; }
    /// <summary>Settings left null are not managed (the hub keeps what it has).</summary>
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public bool? IsDefault { get; init; }
    public bool? UserVisible { get; init; }
    public IReadOnlyList<GroupPackage> Packages { get; init; } = [];
}

/// <summary>A package of a group; Koji's default type is <c>mandatory</c>.</summary>
public sealed record GroupPackage(string Name, string Type = "mandatory");

/// <summary>An entry of a tag's package list.</summary>
public sealed record PackageEntry
{
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public bool Blocked { get; init; }
    public IReadOnlyList<string> ExtraArches { get; init; } = [];
}

/// <summary>Where builds of a target run (build tag) and land (destination tag).</summary>
public sealed record BuildTarget
{
    public required string Name { get; init; }
    public required string BuildTag { get; init; }
    public required string DestTag { get; init; }
    public SourceLocation? Source { get; init; }
}

/// <summary>A Koji user and the permissions it must hold.</summary>
public sealed record UserSpec
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Permissions { get; init; } = [];
    public SourceLocation? Source { get; init; }
}

/// <summary>A builder channel; settings left null are not managed.</summary>
public sealed record ChannelSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? Comment { get; init; }
    public bool? Enabled { get; init; }
    public SourceLocation? Source { get; init; }
}

/// <summary>
/// A builder host as Koji should know it (<c>addHost</c>, <c>editHost</c>, its channels). Settings
/// left null are not managed; a host without arches is never created, only disabled if it exists,
/// which is how a builder that left the farm is retired (Koji keeps its task history).
/// </summary>
public sealed record HostSpec
{
    public required string Name { get; init; }
    public IReadOnlyList<string>? Arches { get; init; }
    /// <summary>Exactly these channels; null leaves the host's channels as they are.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    public double? Capacity { get; init; }
    public bool Enabled { get; init; } = true;
    public SourceLocation? Source { get; init; }
}

/// <summary>A user-caused content error: names the file, the object and what is wrong (exit code 2).</summary>
public sealed class ContentException(string message) : InputException(message);
