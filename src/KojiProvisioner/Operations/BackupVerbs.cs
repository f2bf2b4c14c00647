using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Operations;

/// <summary>`backup`: the running farm's database, /mnt/koji and state folder, with a manifest.</summary>
public sealed class BackupFarm(Stack stack)
{
    public async Task<BackupManifest> RunAsync(string outDir, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var definition = new Preview(stack).DefinitionWithState();
        // Held: an `up` meanwhile would take the helper container backup reads /mnt/koji through for a leftover.
        using var held = StateLock.Hold(stack, progress, ct);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await Backup.RunAsync(engine, definition, outDir, progress, ct);
    }
}

/// <summary>`restore`: a backup's state folder put back (hashes checked first), then `up`, which loads the data once the new database is healthy.</summary>
public sealed class RestoreFarm(Stack stack)
{
    public async Task<(BackupManifest Manifest, UpResult Up)> RunAsync(string from, bool force, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (stack.Spec.Database is { External: true } db)
            throw new InputException($"stack '{stack.Name}': `restore` into the external database {db.Name} on {db.Host}:{db.ExternalPort()} is not built yet: " +
                "load the backup's koji.pgdump there with pg_restore --single-transaction (the company's database, the company's restore); nothing was changed");
        BackupManifest manifest;
        using (StateLock.Hold(stack, progress, ct))
        using (var engine = await DockerEngine.ConnectAsync(ct: ct))
            manifest = await Restore.PrepareAsync(engine, stack, from, force, progress, ct);
        return (manifest, await new Up(stack).RunAsync(progress, ct));
    }
}
