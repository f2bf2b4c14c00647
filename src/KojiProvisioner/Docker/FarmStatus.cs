using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>One row of `status`: also for a planned container that does not exist (state "missing").</summary>
public sealed record ContainerStatus(
    string Role,
    string Name,
    string State,
    string? Health,
    IReadOnlyList<string> Ports,
    bool Planned,
    string? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// The state of a stack's containers, for a table or JSON. <see cref="AllHealthy"/> false means
/// something is missing, stopped, unhealthy or orphaned, and `status` exits non-zero. A helper
/// container (role <see cref="Roles.Helper"/>: a backup's, never started) is listed but judged
/// neither way: it is not part of the farm, and one a killed run left goes with the next `up`.
/// </summary>
public sealed record FarmStatus(
    string Stack,
    IReadOnlyList<ContainerStatus> Containers,
    IReadOnlyList<string> Networks,
    IReadOnlyList<string> Volumes)
{
    public bool AllHealthy => Containers.Any(c => c.Role != Roles.Helper) && Containers.All(c => c.Ok);

    public IEnumerable<ContainerStatus> Problems => Containers.Where(c => !c.Ok);

    /// <summary>
    /// Rows in start order of the plan (when given), then containers the plan does not know. Without
    /// a plan (the stack's files are gone) the rows come from labels alone.
    /// </summary>
    public static FarmStatus From(ObservedFarm observed, FarmPlan? plan)
    {
        var rows = new List<ContainerStatus>();
        var planned = new HashSet<string>(StringComparer.Ordinal);
        if (plan is not null)
        {
            foreach (var spec in DependencyOrder.StartOrder(plan.Containers))
            {
                planned.Add(spec.Name);
                var found = observed.Container(spec.Name);
                rows.Add(found is null
                    ? new ContainerStatus(spec.Role, spec.Name, ContainerStates.Missing, null, PlannedPorts(spec), true, "missing: run up")
                    : Row(found, planned: true, Problem(found, spec)));
            }
        }
        var others = observed.Containers.Where(c => !planned.Contains(c.Name))
            .OrderByDescending(c => DependencyOrder.TeardownRank(c.Role)).ThenBy(c => c.Name, StringComparer.Ordinal);
        foreach (var c in others)
            rows.Add(Row(c, planned: false, c.Role == Roles.Helper ? null
                : plan is null ? Problem(c, null) : "orphaned: not in the plan (up removes it)"));
        return new FarmStatus(observed.Stack, rows, observed.Networks, observed.Volumes);
    }

    private static ContainerStatus Row(ObservedContainer c, bool planned, string? problem) =>
        new(c.Role, c.Name, c.State, c.Health, c.Ports ?? [], planned, problem);

    private static string? Problem(ObservedContainer c, ContainerSpec? spec)
    {
        if (spec is not null && c.ConfigHash != (spec.ConfigHash.Length > 0 ? spec.ConfigHash : ConfigHash.Of(spec)))
            return "out of date: up recreates it";
        if (c.State != ContainerStates.Running)
            return c.State == ContainerStates.Exited ? $"exited with code {c.ExitCode}" : c.State;
        return c.Health is null or "healthy" ? null : c.Health;
    }

    private static IReadOnlyList<string> PlannedPorts(ContainerSpec spec) =>
        spec.Ports.Select(p => $"{p}/tcp").ToList();
}
