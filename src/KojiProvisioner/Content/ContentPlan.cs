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
    public override string ToString() => Summary;
}

/// <summary>The changes apply would make; a value that can be printed, serialised and applied.</summary>
public sealed record ContentPlan
{
    public required IReadOnlyList<ContentChange> Changes { get; init; }
    public bool Prune { get; init; }
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

    /// <summary>The machine form (<c>--output json</c>): changes with their calls as text.</summary>
    public string ToJson() => JsonOutput.Serialize(new
    {
        prune = Prune,
        writes = WriteCount,
        counts = CountsByAction.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv => kv.Value),
        changes = Changes.Select(c => new
        {
            kind = c.Kind, @object = c.Object, action = c.Action, summary = c.Summary,
            calls = c.Calls.Select(call => call.Call.ToString()).ToList(),
        }),
    });
}
