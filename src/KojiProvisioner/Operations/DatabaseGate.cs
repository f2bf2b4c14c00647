using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>A Koji upgrade `up` is about to make: from the database's schema to the stack's Koji, with the scripts the new hub will run.</summary>
public sealed record UpgradeStep(SchemaVersion From, string ToKoji, IReadOnlyList<UpgradeScript> Scripts)
{
    public string Describe => $"Koji schema {From} -> {SchemaVersion.Parse(ToKoji)} (Koji {ToKoji}): {string.Join(", ", Scripts.Select(s => s.Name))}";
}

/// <summary>
/// What `up` does once the database is healthy and before any hub (re)starts: finish a pending
/// restore, then check the stack's Koji against the database's schema: a downgrade is refused
/// (exit 2) before anything else is touched; an upgrade gets a backup first (unless told not to).
/// The scripts themselves run in the new hub's bootstrap, under the schema-load lock.
/// </summary>
public static class DatabaseGate
{
    /// <param name="hubUnchanged">
    /// The hub is kept as it runs (same image, so the same Koji): unless a restore just loaded
    /// another database, the schema already matches it and is not read.
    /// </param>
    public static async Task<IReadOnlyList<string>> OnDatabaseHealthyAsync(DockerEngine engine, FarmDefinition definition, StateFolder state,
        bool backupBeforeUpgrade, IProgress<FarmEvent>? progress, CancellationToken ct, bool hubUnchanged = false)
    {
        var changes = new List<string>(await Restore.ApplyPendingAsync(engine, definition, state, progress, ct));
        if (hubUnchanged && changes.Count == 0)
            return changes;
        var upgrade = await PlanAsync(engine, definition, ct);
        if (upgrade is null || upgrade.Scripts.Count == 0)
            return changes;
        // The old release's daemons stop before the schema changes: kojira and kojid survive a hub
        // restart, and an old kojira left running talks to the new hub (it expired a repo it no
        // longer understood). They are recreated on the new image right after; the old hub stays
        // up for the backup, which asks it for its version, and is recreated next.
        await StopOldKojiAsync(engine, definition, progress, ct);
        if (!backupBeforeUpgrade)
        {
            changes.Add($"schema upgrade {upgrade.Describe}; no backup first (--no-backup)");
            return changes;
        }
        var dir = PreUpgradeBackupDir(definition, upgrade, DateTimeOffset.UtcNow);
        progress?.Report(new FarmEvent(FarmStep.Backup, definition.Stack.Name, $"before the schema upgrade: backup into {dir}", TimeSpan.Zero));
        var manifest = await Backup.RunAsync(engine, definition, dir, progress, ct);
        changes.Add($"schema upgrade {upgrade.Describe}; backup first in {dir} ({Bytes.Format(manifest.TotalBytes)})");
        return changes;
    }

    private static async Task StopOldKojiAsync(DockerEngine engine, FarmDefinition definition, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        // Builders first: kojid stops at once while the hub still answers.
        var order = new[] { Roles.Builder, Roles.Kojira };
        foreach (var container in definition.Plan.Containers.Where(c => order.Contains(c.Role)).OrderBy(c => Array.IndexOf(order, c.Role)))
        {
            if (await engine.InspectContainerAsync(container.Name, ct) is not { State.Running: true } running)
                continue;
            await engine.StopContainerAsync(running.ID, container.Name, TimeSpan.FromSeconds(10), ct);
            progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, "stopped for the schema upgrade", TimeSpan.Zero));
        }
    }

    /// <summary>Beside the state folder, never in it (a later backup of the state folder would carry it).</summary>
    public static string PreUpgradeBackupDir(FarmDefinition definition, UpgradeStep upgrade, DateTimeOffset now) =>
        Path.Combine(Path.GetFullPath(definition.Stack.StateDirectory).TrimEnd(Path.DirectorySeparatorChar) + "-backups",
            $"before-koji-{upgrade.ToKoji}-{now:yyyyMMdd'T'HHmmss'Z'}");

    /// <summary>
    /// The upgrade the stack's Koji source implies for the running database; null when there is
    /// nothing to compare (no database running, no schema yet, Koji from packages). Throws
    /// <see cref="InputException"/> (exit 2) on a downgrade.
    /// </summary>
    public static async Task<UpgradeStep?> PlanAsync(DockerEngine engine, FarmDefinition definition, CancellationToken ct)
    {
        if (definition.Inputs.KojiSourcePath is not { } source)
            return null;
        var db = definition.Names.Container(Roles.Db);
        if (await engine.InspectContainerAsync(db, ct) is not { State.Running: true })
            return null;
        if (await FarmDatabase.SchemaVersionAsync(engine, db, ct) is not { } current)
            return null;
        var tree = KojiTree.Read(source);
        return new UpgradeStep(current, tree.Version, SchemaUpgrade.Plan(current, tree.Schema, tree.Scripts));
    }
}
