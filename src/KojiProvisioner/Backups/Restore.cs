using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Database;

namespace KojiProvisioner.Backups;

/// <summary>Written in the state folder by `restore`, removed once the database and /mnt/koji are back.</summary>
public sealed record PendingRestore(string From, string BackupStack, DateTimeOffset BackupTime);

/// <summary>
/// Brings a backup back in two halves. <see cref="PrepareAsync"/> (the `restore` command) checks
/// every hash, refuses a farm whose volumes hold data (unless forced), puts the state folder back
/// (same CA, same secrets) and leaves a pending-restore record there. Then `up` runs, and once its
/// new database is healthy, before any hub starts, <see cref="ApplyPendingAsync"/> unpacks
/// /mnt/koji into its volume and loads the dump in one transaction. A run killed anywhere leaves
/// the record, so the next `up` (or `restore`) finishes the job; the dump is never loaded twice.
/// </summary>
public static class Restore
{
    public const string PendingFile = "restore-pending.json";
    /// <summary>Stack names the state folder was restored from, one a line: their local builders are disabled in Koji.</summary>
    public const string RenamedFromFile = "restored-from";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    public static async Task<BackupManifest> PrepareAsync(DockerEngine engine, Stack stack, string from, bool force,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        from = Path.GetFullPath(from);
        var manifest = BackupManifest.Load(from);
        manifest.Verify(from, progress);

        var volumes = await engine.ListVolumesAsync(stack.Name, ct);
        var state = new StateFolder(stack.StateDirectory);
        var pending = ReadPending(state);
        var hasCa = File.Exists(Path.Combine(stack.StateDirectory, "pki", "ca.crt"));
        if ((volumes.Count > 0 || hasCa) && pending?.From != from)
        {
            if (!force)
                throw new InputException(
                    $"stack '{stack.Name}' already holds data ({(volumes.Count > 0 ? "volumes " + string.Join(", ", volumes) : "a CA in " + stack.StateDirectory)}): " +
                    "restore goes into a farm with no volumes yet; `koji-farm down --purge` it first, or add --force to replace its data with the backup");
            progress?.Report(new FarmEvent(FarmStep.Restore, stack.Name, "--force: removing the farm's containers, volumes and state folder", TimeSpan.Zero));
            await new FarmLifecycle(engine).DownAsync(stack.Name, purge: true, progress, ct);
            if (Directory.Exists(stack.StateDirectory))
                Directory.Delete(stack.StateDirectory, recursive: true);
        }

        // The state folder: same CA, certificates, database password and secrets as the farm that was backed up.
        state.Create();
        await using (var tar = File.OpenRead(Path.Combine(from, manifest.Part(BackupManifest.State).File)))
            ExtractState(tar, stack.StateDirectory);
        if (manifest.Stack != stack.Name)
        {
            var renamed = RenamedFrom(state).Append(manifest.Stack).Distinct(StringComparer.Ordinal);
            AtomicFile.Write(Path.Combine(stack.StateDirectory, RenamedFromFile), string.Join("\n", renamed) + "\n", secret: true);
        }
        AtomicFile.Write(Path.Combine(stack.StateDirectory, PendingFile),
            JsonSerializer.Serialize(new PendingRestore(from, manifest.Stack, manifest.Time), BackupJson.Default.PendingRestore), secret: true);
        progress?.Report(new FarmEvent(FarmStep.Restore, BackupManifest.State, $"state folder restored into {stack.StateDirectory}", TimeSpan.Zero));
        return manifest;
    }

    public static PendingRestore? ReadPending(StateFolder state)
    {
        var file = Path.Combine(state.Path, PendingFile);
        return File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), BackupJson.Default.PendingRestore) : null;
    }

    public static IReadOnlyList<string> RenamedFrom(StateFolder state)
    {
        var file = Path.Combine(state.Path, RenamedFromFile);
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToList()
            : [];
    }

    /// <summary>Called by `up` once the database is healthy, before the hub starts: finishes a pending restore.</summary>
    public static async Task<IReadOnlyList<string>> ApplyPendingAsync(DockerEngine engine, FarmDefinition definition, StateFolder state,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var pending = ReadPending(state);
        if (pending is null)
            return [];
        var manifest = BackupManifest.Load(pending.From);
        var clock = Stopwatch.StartNew();
        var names = definition.Names;
        var changes = new List<string>();

        // /mnt/koji first: unpacking again over a half-unpacked tree is harmless.
        var koji = manifest.Part(BackupManifest.MntKoji);
        progress?.Report(new FarmEvent(FarmStep.Restore, koji.Name, $"unpacking {Bytes.Format(koji.Bytes)} into {names.MntKoji}", clock.Elapsed));
        await using (var access = await FarmDatabase.VolumeAccessAsync(engine, definition, names.MntKoji, "/mnt/koji", readOnly: false, "restore", ct))
        await using (var tar = File.OpenRead(Path.Combine(pending.From, koji.File)))
            await engine.CopyTarInAsync(access.Id, "/mnt", tar, ct);
        changes.Add($"restored /mnt/koji from {pending.From} ({Bytes.Format(koji.Bytes)})");

        // The database: one transaction, and only into a database with no Koji schema yet.
        var db = names.Container(Roles.Db);
        var dump = manifest.Part(BackupManifest.Database);
        if (await FarmDatabase.SchemaVersionAsync(engine, db, ct) is null)
        {
            progress?.Report(new FarmEvent(FarmStep.Restore, dump.Name, $"loading {Bytes.Format(dump.Bytes)} with pg_restore", clock.Elapsed));
            await using var input = File.OpenRead(Path.Combine(pending.From, dump.File));
            var (code, stderr) = await engine.ExecStreamAsync(db,
                ["sh", "-c", "exec pg_restore --single-transaction --exit-on-error --no-owner --no-acl --role=\"$POSTGRES_USER\" --dbname=\"$POSTGRES_DB\""],
                "postgres", input, null, ct);
            if (code != 0)
                throw new FarmException($"pg_restore in container {db} failed (exit code {code}); nothing was loaded: {stderr.Trim()}");
            changes.Add($"restored the database of stack '{manifest.Stack}' (backup of {manifest.Time:yyyy-MM-dd HH:mm:ss}Z, Koji {manifest.KojiVersion})");
        }
        else
            changes.Add("database already restored by an earlier run");
        progress?.Report(new FarmEvent(FarmStep.Restore, dump.Name, "done", clock.Elapsed));
        File.Delete(Path.Combine(state.Path, PendingFile));
        return changes;
    }

    /// <summary>Unpacks the state tar: folders 0700, files 0600; nothing outside the folder.</summary>
    internal static void ExtractState(Stream tar, string stateDir)
    {
        var root = Path.GetFullPath(stateDir);
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry() is { } entry)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && target != root)
                throw new InputException($"state.tar entry {entry.Name} points outside the state folder");
            if (entry.EntryType == TarEntryType.Directory)
            {
                Directory.CreateDirectory(target, PrivateDir);
                continue;
            }
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!, PrivateDir);
            using var data = new StreamReader(entry.DataStream);
            AtomicFile.Write(target, data.ReadToEnd(), secret: true);
        }
    }
}
