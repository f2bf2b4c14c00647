namespace KojiProvisioner.Content;

/// <summary>
/// What keeps <c>--prune</c> from emptying a hub by mistake: a content file that lists no tags
/// at all is refused (an empty or truncated file would delete every tag), and the removals are
/// counted by kind so that a person can be asked, or a script must say <c>--yes</c>.
/// </summary>
public static class PruneSafety
{
    /// <summary>Refuses to prune with a content file that lists no tags.</summary>
    public static void RefuseEmpty(KojiContent content, string file, PruneScope scope)
    {
        if (scope.Any && content.Tags.Count == 0)
            throw new ContentException($"{file}: lists no tags, and --prune {string.Join(",", scope.KindNames)} would remove what the hub holds: " +
                "refusing (an empty or cut-off content file is a mistake far more often than a wish to empty the hub)");
    }

    /// <summary>The removals prune makes, counted by kind, in <see cref="PruneScope.Names"/> order.</summary>
    public static IReadOnlyList<(PruneKind Kind, int Count)> Removals(ContentPlan plan) =>
        plan.Changes.Where(c => c.Pruned).GroupBy(c => KindOf(c.Kind)).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count())).ToList();

    public static int RemovalCount(ContentPlan plan) => plan.Changes.Count(c => c.Pruned);

    /// <summary>"3 tags, 1 target, 40 packages (blocked)".</summary>
    public static string Describe(ContentPlan plan) =>
        string.Join(", ", Removals(plan).Select(r => $"{r.Count} {Noun(r.Kind, r.Count)}"));

    private static string Noun(PruneKind kind, int count) => kind switch
    {
        PruneKind.Tags => count == 1 ? "tag" : "tags",
        PruneKind.Targets => count == 1 ? "target" : "targets",
        PruneKind.ExternalRepos => count == 1 ? "external repo" : "external repos",
        PruneKind.Groups => count == 1 ? "group (or its packages)" : "groups (or their packages)",
        PruneKind.Packages => count == 1 ? "package (blocked)" : "packages (blocked)",
        _ => count == 1 ? "permission" : "permissions",
    };

    public static PruneKind KindOf(ContentKind kind) => kind switch
    {
        ContentKind.Tag => PruneKind.Tags,
        ContentKind.Target => PruneKind.Targets,
        ContentKind.ExternalRepo => PruneKind.ExternalRepos,
        ContentKind.Group => PruneKind.Groups,
        ContentKind.Package => PruneKind.Packages,
        ContentKind.Permission => PruneKind.Permissions,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "never pruned"),
    };
}
