using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// Start order from DependsOn (the database before the hub, the hub before everything else) and
/// the reverse for teardown. Containers in one level do not depend on each other and run in parallel.
/// </summary>
public static class DependencyOrder
{
    /// <summary>Levels of containers: each level depends only on earlier levels. Plan order within a level.</summary>
    public static IReadOnlyList<IReadOnlyList<ContainerSpec>> Levels(IReadOnlyList<ContainerSpec> containers)
    {
        var byName = new Dictionary<string, ContainerSpec>(StringComparer.Ordinal);
        foreach (var c in containers)
            if (!byName.TryAdd(c.Name, c))
                throw new InputException($"the plan has two containers named {c.Name}");
        foreach (var c in containers)
            foreach (var d in c.DependsOn)
                if (!byName.ContainsKey(d))
                    throw new InputException($"container {c.Name} depends on {d}, which is not in the plan");

        var levels = new List<IReadOnlyList<ContainerSpec>>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var left = containers.ToList();
        while (left.Count > 0)
        {
            var level = left.Where(c => c.DependsOn.All(placed.Contains)).ToList();
            if (level.Count == 0)
                throw new InputException(
                    $"containers depend on each other in a cycle: {string.Join(", ", left.Select(c => $"{c.Name} -> {string.Join("+", c.DependsOn)}"))}");
            levels.Add(level);
            foreach (var c in level)
                placed.Add(c.Name);
            left.RemoveAll(level.Contains);
        }
        return levels;
    }

    /// <summary>Dependencies first.</summary>
    public static IReadOnlyList<ContainerSpec> StartOrder(IReadOnlyList<ContainerSpec> containers) =>
        Levels(containers).SelectMany(l => l).ToList();

    /// <summary>
    /// Teardown goes by role because it also works when no plan is at hand (down reads labels only):
    /// builders and kojira first (kojid waits 10 s for a hub that is already gone), then web, hub, db.
    /// </summary>
    public static int TeardownRank(string role) => role switch
    {
        Roles.Web => 1,
        Roles.Hub => 2,
        Roles.Db => 3,
        _ => 0,
    };

    /// <summary>Groups to stop one after the other; the members of a group stop in parallel.</summary>
    public static IReadOnlyList<IReadOnlyList<T>> TeardownGroups<T>(IEnumerable<T> items, Func<T, string> role) =>
        items.GroupBy(i => TeardownRank(role(i))).OrderBy(g => g.Key).Select(g => (IReadOnlyList<T>)g.ToList()).ToList();
}
