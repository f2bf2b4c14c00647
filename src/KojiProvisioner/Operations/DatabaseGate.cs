using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Database;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Operations;

/// <summary>
/// The steps of `up` that wait on a healthy database, before any hub (re)starts (see
/// <see cref="UpPlanner"/>, which decides which of them run): check the stack's Koji against the
/// database's schema — a downgrade is refused (exit 2) before anything else is touched — stop the
/// old release's daemons, and back up before an upgrade. The scripts themselves run in the new
/// hub's bootstrap, under the schema-load lock.
/// </summary>
public static class DatabaseGate
{
    /// <summary>
    /// The step for a schema that could not be read when `up` planned (the database was not
    /// running, or a restore replaced it): read it now, and when it needs an upgrade, stop the old
    /// daemons and back up first, as a planned upgrade does.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckSchemaAsync(DockerEngine engine, FarmDefinition definition,
        bool backupBeforeUpgrade, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var upgrade = await PlanAsync(engine, definition, ct);
        if (upgrade is null || upgrade.Scripts.Count == 0)
            return [];
        await StopOldKojiAsync(engine, definition, progress, ct);
        if (!backupBeforeUpgrade)
            return [$"schema upgrade {upgrade.Describe}; no backup first (--no-backup)"];
        return [await BackupAsync(engine, definition, PreUpgradeBackupDir(definition, upgrade, DateTimeOffset.UtcNow), upgrade, progress, ct)];
    }

    /// <summary>A backup before the schema changes, into <paramref name="dir"/> (planned by <see cref="PreUpgradeBackupDir"/>).</summary>
    public static async Task<string> BackupAsync(DockerEngine engine, FarmDefinition definition, string dir, UpgradeStep upgrade,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        progress?.Report(new FarmEvent(FarmStep.Backup, definition.Stack.Name, $"before the schema upgrade: backup into {dir}", TimeSpan.Zero));
        var manifest = await Backup.RunAsync(engine, definition, dir, progress, ct);
        return $"schema upgrade {upgrade.Describe}; backup first in {dir} ({Bytes.Format(manifest.TotalBytes)})";
    }

    /// <summary>
    /// The old release's daemons stop before the schema changes: kojira and kojid survive a hub
    /// restart, and an old kojira left running talks to the new hub (it expired a repo it no
    /// longer understood). They are recreated on the new image right after; the old hub stays
    /// up for the backup, which asks it for its version, and is recreated next.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StopOldKojiAsync(DockerEngine engine, FarmDefinition definition, IProgress<FarmEvent>? progress,
        CancellationToken ct)
    {
        var stopped = new List<string>();
        // Builders first: kojid stops at once while the hub still answers.
        var order = new[] { Roles.Builder, Roles.Kojira };
        foreach (var container in definition.Plan.Containers.Where(c => order.Contains(c.Role)).OrderBy(c => Array.IndexOf(order, c.Role)))
        {
            if (await engine.InspectContainerAsync(container.Name, ct) is not { State.Running: true } running)
                continue;
            await engine.StopContainerAsync(running.ID, container.Name, TimeSpan.FromSeconds(10), ct);
            progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, "stopped for the schema upgrade", TimeSpan.Zero));
            stopped.Add($"stopped {container.Name} for the schema upgrade");
        }
        return stopped;
    }

    /// <summary>After the new hub is healthy: the schema it left, checked against the planned upgrade's target.</summary>
    public static async Task<IReadOnlyList<string>> VerifyUpgradeAsync(DockerEngine engine, FarmDefinition definition, UpgradeStep upgrade,
        CancellationToken ct)
    {
        var target = SchemaVersion.Parse(upgrade.ToKoji);
        var now = definition.ExternalDatabase is { } external
            ? (await ExternalDatabase.ReadAsync(external, ct)).Schema
            : await FarmDatabase.SchemaVersionAsync(engine, definition.Names.Container(Roles.Db), ct);
        if (now is not { } version || version < target)
            throw new FarmException($"the hub of Koji {upgrade.ToKoji} started, but the database's schema is {now?.ToString() ?? "missing"}, not {target}: " +
                $"see `docker logs {definition.Names.Container(Roles.Hub)}`; the backup taken before the upgrade restores the old one");
        return [$"schema now {version}: the new hub ran {string.Join(", ", upgrade.Scripts.Select(x => x.Name))}"];
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
