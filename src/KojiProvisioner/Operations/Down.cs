using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Hosts;

namespace KojiProvisioner.Operations;

/// <summary>`down`: remote builders stopped and disabled in Koji, then the containers and network removed; volumes and the state folder too with purge.</summary>
public sealed class Down(Stack stack)
{
    public async Task<DownResult> RunAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (purge)
            PurgeGuard.Check(stack.StateDirectory, stack.FilePath);
        using var held = Directory.Exists(stack.StateDirectory) ? StateLock.Hold(stack, progress, ct) : null;
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        // Remote builders first, while the hub still answers: kojid stops fast then, and Koji is told.
        var remote = await DownRemoteAsync(purge, progress, ct);
        var result = await new FarmLifecycle(engine).DownAsync(stack.Name, purge, progress, ct);
        if (remote.Count > 0)
            result = result with { Warnings = [.. result.Warnings, .. remote] };
        if (purge)
            result = result with { Kept = KeptOnPurge(stack.Spec) };
        if (purge && Directory.Exists(stack.StateDirectory))
        {
            Directory.Delete(stack.StateDirectory, recursive: true);
            result = result with { RemovedStateFolder = stack.StateDirectory };
        }
        return result;
    }

    /// <summary>What the stack uses but koji-farm did not make, which `down --purge` leaves as it is.</summary>
    public static IReadOnlyList<string> KeptOnPurge(StackSpec spec) =>
    [
        .. spec.Database is { External: true } db
            ? [$"kept the external database {db.Name} on {db.Host}:{db.ExternalPort()} and its data: koji-farm never drops a database it did not make"]
            : Array.Empty<string>(),
        .. spec.Storage.HostPath is { } path
            ? [$"kept /mnt/koji in {path} (storage.hostPath): koji-farm never deletes storage it did not make"]
            : Array.Empty<string>(),
        .. spec.Storage.VolumeOptions.TryGetValue("device", out var device)
            ? [$"kept the files of {spec.Storage.VolumeOptions["type"]} {device} (storage.volumeOptions): removing the volume only unmounts it"]
            : Array.Empty<string>(),
    ];

    /// <summary>What `down --purge` would delete: the state folder (when there is one) and the stack's volumes. Refuses (exit 2) a folder koji-farm did not make.</summary>
    public async Task<(string? StateFolder, IReadOnlyList<string> Volumes)> PurgeTargetsAsync(CancellationToken ct)
    {
        PurgeGuard.Check(stack.StateDirectory, stack.FilePath);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return (Directory.Exists(stack.StateDirectory) ? stack.StateDirectory : null, await engine.ListVolumesAsync(stack.Name, ct));
    }

    /// <summary>Stops kojid on every remote host (in the stack or recorded) and disables them in Koji; purge also removes koji-farm's files there.</summary>
    private async Task<IReadOnlyList<string>> DownRemoteAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (!Directory.Exists(stack.StateDirectory))
            return [];
        var fleet = new RemoteFleet(stack);
        var hosts = fleet.All();
        if (hosts.Count == 0)
            return [];
        var warnings = new List<string>();
        var results = await fleet.Converger(progress).StopAsync(RemoteFleet.Targets(hosts), purge, stack.Name, ct);
        warnings.AddRange(results.Where(r => r.Failed).Select(r => r.Error!));
        try
        {
            using var hub = AdminHub.FromState(stack);
            var plan = await ContentPlanner.PlanAsync(hub, FarmRegistration.Disabled(hosts.Select(h => h.Name)), prune: false, ct);
            await ContentApplier.ApplyAsync(hub, plan, ct);
            foreach (var change in plan.Changes)
                progress?.Report(new FarmEvent(FarmStep.Remote, stack.Name, change.Summary, TimeSpan.Zero));
        }
        catch (Exception e) when (AdminHub.IsUnreachable(e) || e is ContentApplyException)
        {
            warnings.Add($"could not disable the remote builders in Koji (is the hub down?): {e.Message}");
        }
        var failed = results.Where(r => r.Failed).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        fleet.Registry.Save(hosts.Where(h => failed.Contains(h.Name)));
        return warnings;
    }
}

/// <summary>
/// `down --name STACK`: a farm found on the engine by its labels alone, for when its stack file is
/// gone (a deleted test folder, a wiped CI workspace) — as `docker compose -p NAME down`. With
/// purge, its volumes go too, and the state folder its labels name when that is still a koji-farm
/// state folder (the rule `gc` follows).
/// </summary>
public sealed class DownByName(string stack)
{
    public sealed record Outcome(FarmSummary? Farm, DownResult? Removed, string StateFolderOutcome);

    public async Task<Outcome> RunAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        var (farm, state) = await FindAsync(engine, ct);
        if (farm is null)
            return new Outcome(null, null, "no farm");
        using var held = state is not null ? StateFolderLock.Acquire(new StateFolder(state),
            waiting: m => progress?.Report(new FarmEvent(FarmStep.Warning, stack, m, TimeSpan.Zero))) : null;
        var removed = await new FarmLifecycle(engine).DownAsync(stack, purge, progress, ct);
        if (state is not null && RemoteHostRegistry.In(new StateFolder(state)).Load().Count > 0)
            removed = removed with { Warnings = [.. removed.Warnings,
                $"the state folder {state} records remote builders: kojid was not stopped on them (down --stack does that; it needs the stack file)"] };
        return new Outcome(farm, removed, purge ? FarmReaper.RemoveStateFolder(farm.StateDir) : "kept");
    }

    /// <summary>What `down --name --purge` would delete, for the confirmation: the volumes and the state folder.</summary>
    public async Task<(string? StateFolder, IReadOnlyList<string> Volumes)> PurgeTargetsAsync(CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        var (farm, state) = await FindAsync(engine, ct);
        return (state, farm?.Volumes ?? []);
    }

    /// <summary>The farm of this stack on the engine, and its state folder when that is a koji-farm one (its marker is there).</summary>
    private async Task<(FarmSummary? Farm, string? StateFolder)> FindAsync(DockerEngine engine, CancellationToken ct)
    {
        if (!StackValidator.IsStackName(stack))
            throw new InputException($"--name: '{stack}' is not a stack name (lower case letters, digits and '-', starting with a letter)");
        var farm = (await new FarmInventory(engine).ListAsync(ct)).FirstOrDefault(f => f.Stack == stack);
        return (farm, farm?.StateDir is { } dir && FarmReaper.LooksLikeStateFolder(dir) ? dir : null);
    }
}
