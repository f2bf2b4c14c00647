using System.Text;

namespace KojiProvisioner.Content;

/// <summary>
/// The plan as people read it, like <c>terraform plan</c> or <c>pulumi preview</c>: changes
/// grouped by kind, each group headed by its counts, what prune covers, and a total.
/// </summary>
public static class ContentPlanText
{
    public static string Render(ContentPlan plan, string hub)
    {
        var text = new StringBuilder();
        text.Append("hub ").Append(hub).Append('\n');
        text.Append(plan.Scope.Any
            ? $"prune: {string.Join(", ", plan.Scope.KindNames)} (what the hub holds and the content does not list is removed; packages are blocked)\n"
            : "prune: off (nothing the content does not list is removed)\n");
        if (plan.IsEmpty)
        {
            foreach (var kept in plan.Kept) text.Append("note: ").Append(kept).Append('\n');
            text.Append("no changes: the hub matches the content");
            return text.ToString();
        }
        foreach (var group in plan.ByKind)
        {
            text.Append('\n').Append(ContentPlan.KindTitle(group.Key)).Append(" (").Append(Counts(group)).Append(")\n");
            foreach (var change in group)
                text.Append("  ").Append(Sign(change.Action)).Append(' ').Append(change.Summary).Append('\n');
        }
        if (plan.Scope.Any)
        {
            var removals = PruneSafety.Describe(plan);
            text.Append('\n').Append("prune removes: ").Append(removals.Length == 0 ? "nothing" : removals).Append('\n');
        }
        foreach (var kept in plan.Kept) text.Append("note: ").Append(kept).Append('\n');
        text.Append('\n').Append("plan: ").Append(Counts(plan.Changes)).Append($" ({plan.WriteCount} writes)");
        return text.ToString();
    }

    /// <summary>"2 to create, 1 to change", in action order.</summary>
    public static string Counts(IEnumerable<ContentChange> changes) =>
        string.Join(", ", changes.GroupBy(c => c.Action).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} to {g.Key.ToString().ToLowerInvariant()}"));

    private static char Sign(ContentAction action) => action switch
    {
        ContentAction.Create => '+',
        ContentAction.Change => '~',
        ContentAction.Block => '!',
        _ => '-',
    };
}
