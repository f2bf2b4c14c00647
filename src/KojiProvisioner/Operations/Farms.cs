using KojiProvisioner.Docker;

namespace KojiProvisioner.Operations;

/// <summary>`ls`: every farm on the engine, read from labels (also farms whose stack file or state folder is gone).</summary>
public sealed class ListFarms
{
    public async Task<IReadOnlyList<FarmSummary>> RunAsync(CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await new FarmInventory(engine).ListAsync(ct);
    }
}

/// <summary>`gc`: removes the farms whose `up --ttl` is past (all of them, or those <paramref name="match"/> accepts).</summary>
public sealed class CollectFarms
{
    public async Task<IReadOnlyList<ReapedFarm>> RunAsync(DateTimeOffset now, bool dryRun, Func<string, bool>? match,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await new FarmReaper(engine).CollectAsync(now, dryRun, match, progress, ct);
    }
}
