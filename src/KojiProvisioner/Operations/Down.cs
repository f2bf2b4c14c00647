using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>`down`: remote builders stopped and disabled in Koji, then the containers and network removed; volumes and the state folder too with purge.</summary>
public sealed class Down(Stack stack)
{
    public async Task<DownResult> RunAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (purge)
            PurgeGuard.Check(stack.StateDirectory, stack.FilePath);
        using var held = Directory.Exists(stack.StateDirectory) ? StateLock.Hold(stack, progress) : null;
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        // Remote builders first, while the hub still answers: kojid stops fast then, and Koji is told.
        var remote = await DownRemoteAsync(purge, progress, ct);
        var result = await new FarmLifecycle(engine).DownAsync(stack.Name, purge, progress, ct);
        if (remote.Count > 0)
            result = result with { Warnings = [.. result.Warnings, .. remote] };
        if (purge && Directory.Exists(stack.StateDirectory))
            Directory.Delete(stack.StateDirectory, recursive: true);
        return result;
    }

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
