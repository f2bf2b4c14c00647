using System.Text;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

public enum ContentKind { User, Permission, Channel, ExternalRepo, Tag, Inheritance, TagExternalRepo, Group, Target, Package, Host }

public enum ContentAction { Create, Change, Block, Remove }

/// <summary>
/// When a write runs: creations in dependency order, removals in reverse. The applier sorts by
/// phase; inheritance needs parent tag IDs, so a batch never spans <see cref="Tags"/> and later.
/// </summary>
public enum ApplyPhase
{
    Users, Permissions, Channels, Hosts, ExternalRepos, Tags,
    Inheritance, UnlinkExternalRepos, LinkExternalRepos, Groups, Targets, Packages,
    RemoveTargets, RemoveGroups, RemoveTags, RemoveExternalRepos, RevokePermissions,
}

/// <summary>A tag's numeric ID, filled in at apply time: <c>setInheritanceData</c> takes parent
/// IDs, not names, and a tag created by the same apply has no ID until its batch ran.</summary>
public sealed record TagIdRef(string TagName)
{
    public override string ToString() => $"id('{TagName}')";
}

public sealed record PlannedCall(ApplyPhase Phase, KojiCall Call);

/// <summary>One difference between the content and the hub, and the writes that remove it.</summary>
public sealed record ContentChange(ContentKind Kind, string Object, ContentAction Action, string Summary, IReadOnlyList<PlannedCall> Calls)
{
    /// <summary>The fields that change, as the hub holds them now (null for a creation).</summary>
    public IReadOnlyDictionary<string, object?>? Before { get; init; }
    /// <summary>The same fields as they will be (null for a removal).</summary>
    public IReadOnlyDictionary<string, object?>? After { get; init; }

    /// <summary>Made by <c>--prune</c>: removes (or blocks) something the content does not list.</summary>
    public bool Pruned { get; init; }

    /// <summary>A removal: deleted, revoked, unlinked, or blocked.</summary>
    public bool Removes => Action is ContentAction.Remove or ContentAction.Block;

    public override string ToString() => Summary;
}

/// <summary>The changes apply would make; a value that can be printed, serialised and applied.</summary>
public sealed record ContentPlan
{
    public required IReadOnlyList<ContentChange> Changes { get; init; }
    public bool Prune => Scope.Any;
    /// <summary>The kinds this plan prunes.</summary>
    public PruneScope Scope { get; init; } = PruneScope.None;
    /// <summary>What the plan leaves on purpose although prune would remove it, and why.</summary>
    public IReadOnlyList<string> Kept { get; init; } = [];
    /// <summary>IDs of the tags the hub already has, for <see cref="TagIdRef"/>.</summary>
    public IReadOnlyDictionary<string, int> TagIds { get; init; } = new Dictionary<string, int>();

    public bool IsEmpty => Changes.Count == 0;

    public int WriteCount => Changes.Sum(c => c.Calls.Count);

    public IReadOnlyDictionary<ContentAction, int> CountsByAction =>
        Changes.GroupBy(c => c.Action).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    public IEnumerable<IGrouping<ContentKind, ContentChange>> ByKind =>
        Changes.GroupBy(c => c.Kind).OrderBy(g => g.Key);

    /// <summary>Plain text, grouped by kind: what a terminal shows for <c>content diff</c>.</summary>
    public override string ToString()
    {
        if (IsEmpty) return "no changes";
        var text = new StringBuilder();
        foreach (var group in ByKind)
        {
            text.Append(KindTitle(group.Key)).Append(':').Append('\n');
            foreach (var change in group) text.Append("  ").Append(Sign(change.Action)).Append(' ').Append(change.Summary).Append('\n');
        }
        text.Append(string.Join(", ", CountsByAction.Select(kv => $"{kv.Value} to {kv.Key.ToString().ToLowerInvariant()}")))
            .Append($" ({WriteCount} writes)");
        return text.ToString();
    }

    public static string KindTitle(ContentKind kind) => kind switch
    {
        ContentKind.ExternalRepo => "external repos",
        ContentKind.TagExternalRepo => "tag external repos",
        ContentKind.Inheritance => "inheritance",
        _ => kind.ToString().ToLowerInvariant() + "s",
    };

    private static char Sign(ContentAction action) => action switch
    {
        ContentAction.Create => '+',
        ContentAction.Change => '~',
        ContentAction.Block => '!',
        _ => '-',
    };

    /// <summary>The machine form (<c>--output json</c>): the schema-1 document of <see cref="ContentPlanDocument"/>.</summary>
    public string ToJson() => ContentPlanDocument.Write(this, "diff", hub: null);
}
