using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// Desired farm + what the engine has → the steps that make them agree, each with its cause.
/// Pure: no engine, no clock. Volumes are created when missing and otherwise left alone: `up` never
/// recreates or removes one (only `down --purge` does).
/// </summary>
public static class ConvergePlanner
{
    public static ConvergePlan Plan(FarmPlan plan, ObservedFarm observed)
    {
        if (plan.Stack != observed.Stack)
            throw new ArgumentException($"plan for stack {plan.Stack} compared with the engine state of stack {observed.Stack}");

        var steps = new List<ConvergeStep>();

        steps.Add(observed.Networks.Contains(plan.Network.Name, StringComparer.Ordinal)
            ? new ConvergeStep(ResourceKind.Network, StepAction.Keep, plan.Network.Name, "exists")
            : new ConvergeStep(ResourceKind.Network, StepAction.Create, plan.Network.Name, "not found"));

        foreach (var v in plan.Volumes)
            steps.Add(observed.Volumes.Contains(v.Name, StringComparer.Ordinal)
                ? new ConvergeStep(ResourceKind.Volume, StepAction.Keep, v.Name, "exists")
                : new ConvergeStep(ResourceKind.Volume, StepAction.Create, v.Name, v.DriverOptions.Count == 0 ? "not found" : $"not found; {v.Purpose}"));
        foreach (var v in observed.Volumes.Where(v => plan.Volumes.All(p => p.Name != v)).Order(StringComparer.Ordinal))
            steps.Add(new ConvergeStep(ResourceKind.Volume, StepAction.Keep, v, "not in the plan; kept (only down --purge removes volumes)"));

        foreach (var image in plan.Images.DistinctBy(i => i.Reference))
            steps.Add(observed.ImageIds.ContainsKey(image.Reference)
                ? new ConvergeStep(ResourceKind.Image, StepAction.Keep, image.Reference, "exists") { Image = image }
                : new ConvergeStep(ResourceKind.Image, StepAction.Build, image.Reference,
                    image.Unbuildable is null ? "not found" : $"not found, and cannot be built: {image.Unbuildable}") { Image = image });

        // Orphans go before anything starts, builders and kojira first; so does a helper container a
        // killed backup, restore or buildroot import left (those hold the state lock `up` holds).
        var planned = plan.Containers.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = observed.Containers.Where(c => !planned.Contains(c.Name));
        foreach (var group in DependencyOrder.TeardownGroups(orphans.OrderBy(o => o.Name, StringComparer.Ordinal), o => o.Role))
            foreach (var o in group)
                steps.Add(new ConvergeStep(ResourceKind.Container, StepAction.Remove, o.Name,
                        o.Role == Roles.Helper ? "helper container left by an interrupted run" : "orphaned container: not in the plan")
                    { ExistingId = o.Id, Role = o.Role });

        foreach (var c in DependencyOrder.StartOrder(plan.Containers))
            steps.Add(ContainerStep(c, observed.Container(c.Name), observed.ImageIds));

        return new ConvergePlan(plan.Stack, plan.Network.Name, steps)
        {
            Labels = plan.Labels, VolumeLabels = plan.VolumeLabels,
            VolumeOptions = plan.Volumes.Where(v => v.DriverOptions.Count > 0).ToDictionary(v => v.Name, v => v.DriverOptions, StringComparer.Ordinal),
        };
    }

    private static ConvergeStep ContainerStep(ContainerSpec spec, ObservedContainer? found, IReadOnlyDictionary<string, string> imageIds)
    {
        var hash = spec.ConfigHash.Length > 0 ? spec.ConfigHash : ConfigHash.Of(spec);
        ConvergeStep Step(StepAction action, string cause) =>
            new(ResourceKind.Container, action, spec.Name, cause)
            {
                Container = spec with { ConfigHash = hash },
                ExistingId = found?.Id,
                Role = spec.Role,
            };

        if (found is null)
            return Step(StepAction.Create, "not found");
        if (found.ConfigHash != hash)
            return Step(StepAction.Recreate, $"config hash diverged ({Short(found.ConfigHash)} -> {Short(hash)})");
        if (!imageIds.TryGetValue(spec.Image, out var imageId))
            return Step(StepAction.Recreate, $"image {spec.Image} not found: it is built anew");
        if (!string.Equals(found.ImageId, imageId, StringComparison.Ordinal))
            return Step(StepAction.Recreate, $"image changed: {spec.Image} is now {Short(imageId)}");
        if (!found.EverStarted)
            // A run stopped between create and start: the files copied in may be incomplete.
            return Step(StepAction.Recreate, "created but never started (an earlier run was interrupted)");

        return found.State switch
        {
            ContainerStates.Running or ContainerStates.Restarting => Step(StepAction.Keep, KeepCause(found)) with
            {
                SeenHealthy = found.State == ContainerStates.Running
                    && (found.Health == "healthy" || (found.Health is null && !spec.Health.Runs)),
            },
            ContainerStates.Exited or ContainerStates.Created => Step(StepAction.Start, $"stopped (exit code {found.ExitCode})"),
            _ => Step(StepAction.Recreate, $"container is {found.State}"),
        };
    }

    private static string KeepCause(ObservedContainer c) => (c.State, c.Health) switch
    {
        (ContainerStates.Restarting, _) => "up to date, restarting: waits for it",
        (_, null or "healthy") => "up to date",
        (_, var health) => $"up to date, {health}: waits for it",
    };

    private static string Short(string hash)
    {
        var bare = hash.StartsWith("sha256:", StringComparison.Ordinal) ? hash[7..] : hash;
        return bare.Length > 12 ? bare[..12] : bare.Length == 0 ? "none" : bare;
    }
}
