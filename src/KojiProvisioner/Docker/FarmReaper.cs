using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>What `gc` did (or, with --dry-run, would do) to one expired farm; <paramref name="InUse"/>
/// says why it was left alone (a running koji-farm holds its state folder).</summary>
public sealed record ReapedFarm(FarmSummary Farm, DownResult? Removed, string? StateFolder, string StateFolderOutcome, string? InUse = null);

/// <summary>
/// Removes farms whose time (`up --ttl`) is past, as testcontainers' reaper removes what a dead
/// test run left: containers, network and volumes found by their labels, and the state folder
/// their labels name when it is still there. Farms without an expiry are never touched, so other
/// people's farms on a shared engine are safe; nor is an expired farm whose state folder a running
/// koji-farm holds (an `up` converging it again, a `backup`): the next `gc` takes it.
/// </summary>
public sealed class FarmReaper(DockerEngine engine)
{
    /// <param name="match">Which stacks to consider (all when null), e.g. a test's own prefix.</param>
    public async Task<IReadOnlyList<ReapedFarm>> CollectAsync(DateTimeOffset now, bool dryRun, Func<string, bool>? match,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var expired = (await new FarmInventory(engine).ListAsync(ct))
            .Where(f => f.ExpiredAt(now) && (match is null || match(f.Stack)))
            .ToList();
        var result = new List<ReapedFarm>();
        foreach (var farm in expired)
        {
            if (dryRun)
            {
                result.Add(new ReapedFarm(farm, null, farm.StateDir, StateFolderPlan(farm.StateDir)));
                continue;
            }
            var state = farm.StateDir is { } dir && LooksLikeStateFolder(dir) ? new StateFolder(dir) : null;
            var holder = "";
            using var held = state is null ? null : StateFolderLock.TryAcquire(state, out holder);
            if (state is not null && held is null)
            {
                result.Add(new ReapedFarm(farm, null, state.Path, "kept", InUse: $"a koji-farm run (pid {holder}) holds its state folder: left for the next gc"));
                continue;
            }
            var removed = await new FarmLifecycle(engine).DownAsync(farm.Stack, purge: true, progress, ct);
            result.Add(new ReapedFarm(farm, removed, farm.StateDir, RemoveStateFolder(farm.StateDir)));
        }
        return result;
    }

    /// <summary>
    /// A folder is deleted only when it is a koji-farm state folder (an absolute path carrying the
    /// marker koji-farm writes when it makes one): a label is not trusted to name just any folder.
    /// </summary>
    internal static bool LooksLikeStateFolder(string path) =>
        Path.IsPathFullyQualified(path) && Path.GetFullPath(path) != Path.GetPathRoot(path)
        && new StateFolder(path).HasMarker;

    private static string StateFolderPlan(string? path) =>
        path is null ? "no state folder recorded"
        : !Directory.Exists(path) ? "already gone"
        : LooksLikeStateFolder(path) ? "would be removed" : "not a koji-farm state folder: would be left alone";

    internal static string RemoveStateFolder(string? path)
    {
        if (path is null)
            return "no state folder recorded";
        if (!Directory.Exists(path))
            return "already gone";
        if (!LooksLikeStateFolder(path))
            return "not a koji-farm state folder: left alone";
        Directory.Delete(path, recursive: true);
        return "removed";
    }
}
