namespace KojiProvisioner.Content;

/// <summary>What <c>--prune</c> may remove, kind by kind, as koji-habitude's <c>exact-*</c> do.</summary>
public enum PruneKind { Tags, Targets, ExternalRepos, Groups, Packages, Permissions }

/// <summary>
/// Which kinds of objects the hub holds and the content does not list are removed (packages
/// are blocked). Nothing else is ever pruned: channels (Koji has no call to remove one) and users.
/// A tag's inheritance and external repo links are settings of the tag, made exactly as written
/// with or without prune.
/// </summary>
public sealed record PruneScope
{
    public static readonly PruneScope None = new();
    public static readonly PruneScope All = new() { Kinds = Enum.GetValues<PruneKind>().ToHashSet() };

    public IReadOnlySet<PruneKind> Kinds { get; init; } = new HashSet<PruneKind>();

    /// <summary>The user apply logs in as: prune never revokes its <c>admin</c>, or nobody could administer the hub.</summary>
    public string? KeepAdminOf { get; init; }

    /// <summary>
    /// Permissions `koji-farm user add` granted, by user: prune never revokes them (the farm's user
    /// records are their source of truth; `user revoke` takes a user away).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> KeepGranted { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public bool Any => Kinds.Count > 0;

    public bool Has(PruneKind kind) => Kinds.Contains(kind);

    public static PruneScope From(bool prune) => prune ? All : None;

    /// <summary>The names <c>--prune</c> takes, in its order.</summary>
    public static readonly IReadOnlyDictionary<string, PruneKind> Names = new Dictionary<string, PruneKind>(StringComparer.Ordinal)
    {
        ["tags"] = PruneKind.Tags, ["targets"] = PruneKind.Targets, ["external-repos"] = PruneKind.ExternalRepos,
        ["groups"] = PruneKind.Groups, ["packages"] = PruneKind.Packages, ["permissions"] = PruneKind.Permissions,
    };

    public static string Name(PruneKind kind) => Names.First(kv => kv.Value == kind).Key;

    /// <summary>The kinds' names, in the order <see cref="Names"/> lists them.</summary>
    public IReadOnlyList<string> KindNames => Names.Where(kv => Kinds.Contains(kv.Value)).Select(kv => kv.Key).ToList();

    /// <summary><c>--prune</c> (null or empty: every kind) or <c>--prune tags,packages</c>;
    /// an unknown name is an error that lists the known ones.</summary>
    public static PruneScope Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return All;
        var kinds = new HashSet<PruneKind>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.ToLowerInvariant().Replace('_', '-');
            if (name == "all") return All;
            if (!Names.TryGetValue(name, out var kind))
                throw new ContentException($"--prune {part}: not a kind that can be pruned (use {string.Join(", ", Names.Keys)}, or --prune alone for all)");
            kinds.Add(kind);
        }
        return new PruneScope { Kinds = kinds };
    }

    public override string ToString() => Any ? string.Join(", ", KindNames) : "nothing";
}
