using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Database;

namespace KojiProvisioner.Backups;

/// <summary>One file of a backup, with its size and SHA-256.</summary>
public sealed record BackupPart(string Name, string File, long Bytes, string Sha256);

/// <summary>manifest.json of a backup folder: what was backed up, from which stack and Koji, and each part's hash.</summary>
public sealed record BackupManifest(
    int Format,
    string Stack,
    string KojiVersion,
    string? SchemaVersion,
    DateTimeOffset Time,
    IReadOnlyList<BackupPart> Parts)
{
    public const string FileName = "manifest.json";
    public const string Database = "database";
    public const string MntKoji = "mnt-koji";
    public const string State = "state";

    public long TotalBytes => Parts.Sum(p => p.Bytes);

    public BackupPart Part(string name) =>
        Parts.FirstOrDefault(p => p.Name == name) ?? throw new InputException($"the backup has no '{name}' part in its {FileName}");

    /// <summary>The manifest as it is written to the backup (camelCase, indented).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, BackupJson.Default.BackupManifest);

    public void Save(string dir) => AtomicFile.Write(Path.Combine(dir, FileName), ToJson() + "\n", secret: true);

    public static BackupManifest Load(string dir)
    {
        var file = Path.Combine(dir, FileName);
        if (!File.Exists(file))
            throw new InputException($"{dir} is not a koji-farm backup: no {FileName}");
        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllText(file), BackupJson.Default.BackupManifest)
                ?? throw new InputException($"{file} is empty");
            if (manifest.Format != 1)
                throw new InputException($"{file}: backup format {manifest.Format} is not one this koji-farm reads (1)");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InputException($"{file} is not a valid backup manifest: {e.Message}", e);
        }
    }

    /// <summary>Checks every part's size and SHA-256 before anything is restored; names the first that differs.</summary>
    public void Verify(string dir, IProgress<FarmEvent>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        foreach (var part in Parts)
        {
            var file = Path.Combine(dir, part.File);
            if (!File.Exists(file))
                throw new InputException($"backup part {part.Name}: {file} is missing");
            using var stream = File.OpenRead(file);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (stream.Length != part.Bytes || hash != part.Sha256)
                throw new InputException(
                    $"backup part {part.Name}: {file} does not match the manifest ({stream.Length} bytes, sha256 {hash[..12]}…; expected {part.Bytes} bytes, {part.Sha256[..12]}…): nothing was restored");
            progress?.Report(new FarmEvent(FarmStep.Restore, part.Name, $"sha256 checked ({Bytes.Format(part.Bytes)})", clock.Elapsed));
        }
    }
}

/// <summary>
/// A consistent backup of a running farm, with no downtime: the Koji database as pg_dump's custom
/// format (one snapshot, run inside the db container), /mnt/koji as a tar streamed out of its volume
/// through the archive API, and the state folder (CA, certificates, secrets). Every part is streamed
/// to its file while it is hashed; the folder and its files are 0700/0600 (the dump holds the
/// users' data, the state folder the CA key).
/// </summary>
public static class Backup
{
    public const string DatabaseFile = "koji.pgdump";
    public const string MntKojiFile = "mnt-koji.tar";
    public const string StateFile = "state.tar";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    public static async Task<BackupManifest> RunAsync(DockerEngine engine, FarmDefinition definition, string outDir,
        IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var names = definition.Names;
        var stack = definition.Stack;
        // An external database is dumped from the hub's container, which has pg_dump and reaches it.
        var db = names.Container(definition.ExternalDatabase is null ? Roles.Db : Roles.Hub);
        if (await engine.InspectContainerAsync(db, ct) is not { State.Running: true })
            throw new FarmException($"stack '{stack.Name}': the {(definition.ExternalDatabase is null ? "database" : "hub")} container {db} is not running: " +
                "run `koji-farm up` first (backup reads the live database)");
        var clock = Stopwatch.StartNew();
        var unfinished = UnfinishedParts(outDir);
        foreach (var file in unfinished)
        {
            progress?.Report(new FarmEvent(FarmStep.Backup, Path.GetFileName(file), "left by a backup that did not finish: removed", clock.Elapsed));
            File.Delete(file);
        }
        var made = !Directory.Exists(outDir);
        Directory.CreateDirectory(outDir, PrivateDir);
        File.SetUnixFileMode(outDir, PrivateDir);
        try
        {
            return await WriteAsync(engine, definition, outDir, progress, clock, ct);
        }
        catch
        {
            // A backup that did not finish leaves no part behind, so the same command can run again.
            foreach (var file in Directory.EnumerateFiles(outDir).Where(IsPartFile).ToList())
                File.Delete(file);
            if (made && !Directory.EnumerateFileSystemEntries(outDir).Any())
                Directory.Delete(outDir);
            throw;
        }
    }

    /// <summary>
    /// The files in <paramref name="outDir"/> that an unfinished backup left (parts, no manifest): the
    /// next backup into the same folder removes them. A folder holding a finished backup or anything
    /// else is refused, so a backup never writes over one, nor over a user's files.
    /// </summary>
    internal static IReadOnlyList<string> UnfinishedParts(string outDir)
    {
        if (!Directory.Exists(outDir))
            return [];
        var entries = Directory.EnumerateFileSystemEntries(outDir).ToList();
        if (entries.Any(e => Path.GetFileName(e) == BackupManifest.FileName))
            throw new InputException($"{outDir} holds a finished backup ({BackupManifest.FileName}): give a new folder for the backup");
        if (entries.Any(e => !IsPartFile(e)))
            throw new InputException($"{outDir} exists and is not empty: give a new folder for the backup");
        return entries.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A part file, or the manifest's temporary file while it is written (AtomicFile).</summary>
    private static bool IsPartFile(string path) =>
        File.Exists(path) && Path.GetFileName(path) is var name
        && (name is DatabaseFile or MntKojiFile or StateFile
            || AtomicFile.IsTempFileOf(name, BackupManifest.FileName));

    private static async Task<BackupManifest> WriteAsync(DockerEngine engine, FarmDefinition definition, string outDir,
        IProgress<FarmEvent>? progress, Stopwatch clock, CancellationToken ct)
    {
        var names = definition.Names;
        var stack = definition.Stack;
        var external = definition.ExternalDatabase;
        var db = names.Container(external is null ? Roles.Db : Roles.Hub);
        var schema = external is null ? await FarmDatabase.SchemaVersionAsync(engine, db, ct) : (await ExternalDatabase.ReadAsync(external, ct)).Schema;
        var hub = names.Container(Roles.Hub);
        var kojiVersion = await engine.InspectContainerAsync(hub, ct) is { State.Running: true }
            ? await FarmDatabase.KojiVersionAsync(engine, hub, ct)
            : schema?.ToString() ?? "unknown";
        var parts = new List<BackupPart>();

        // 1. The database first: the tar that follows then holds every file the dump refers to.
        parts.Add(await WritePartAsync(outDir, BackupManifest.Database, DatabaseFile, progress, clock, async target =>
        {
            var (code, stderr) = external is null
                ? await engine.ExecStreamAsync(db,
                    ["sh", "-c", "exec pg_dump --format=custom --compress=6 --dbname=\"$POSTGRES_DB\""], "postgres", null, target, ct)
                // The password from the hub's own hub.conf (never on a command line); PGSSLMODE and PGSSLROOTCERT are the hub's.
                : await engine.ExecStreamAsync(db,
                    ["sh", "-c", "PGPASSWORD=\"$(sed -n 's/^DBPass = //p' /etc/koji-hub/hub.conf)\" exec pg_dump --format=custom --compress=6 " +
                        "--host=\"$1\" --port=\"$2\" --username=\"$3\" --dbname=\"$4\" --exclude-table=" + ExternalDatabase.OwnerTable,
                        "pg_dump", external.Host, external.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), external.User, external.Name],
                    "root", null, target, ct);
            if (code != 0)
                throw new FarmException($"pg_dump in container {db} failed (exit code {code}): {stderr.Trim()}");
        }));

        // 2. /mnt/koji, out of its volume (a never-started container mounts it read-only).
        parts.Add(await WritePartAsync(outDir, BackupManifest.MntKoji, MntKojiFile, progress, clock, async target =>
        {
            await using var access = await FarmDatabase.VolumeAccessAsync(engine, definition, names.MntKoji, "/mnt/koji", readOnly: true, "backup", ct);
            await engine.CopyFolderOutAsync(access.Id, "/mnt/koji", target, ct);
        }));

        // 3. The state folder, every file 0600 in the tar.
        parts.Add(await WritePartAsync(outDir, BackupManifest.State, StateFile, progress, clock, target =>
        {
            WriteStateTar(stack.StateDirectory, target);
            return Task.CompletedTask;
        }));

        var manifest = new BackupManifest(1, stack.Name, kojiVersion, schema?.ToString(), DateTimeOffset.UtcNow, parts);
        manifest.Save(outDir);
        return manifest;
    }

    private static async Task<BackupPart> WritePartAsync(string dir, string name, string fileName, IProgress<FarmEvent>? progress,
        Stopwatch clock, Func<Stream, Task> write)
    {
        var path = Path.Combine(dir, fileName);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Private, BufferSize = 1 << 16 };
        progress?.Report(new FarmEvent(FarmStep.Backup, name, $"writing {fileName}", clock.Elapsed));
        await using (var file = new FileStream(path, options))
        await using (var hashing = new HashingStream(file, bytes =>
            progress?.Report(new FarmEvent(FarmStep.Backup, name, $"{Bytes.Format(bytes)} so far", clock.Elapsed))))
        {
            await write(hashing);
            await hashing.FlushAsync();
            var part = new BackupPart(name, fileName, hashing.Length, hashing.Sha256());
            progress?.Report(new FarmEvent(FarmStep.Backup, name, $"{fileName}: {Bytes.Format(part.Bytes)}, sha256 {part.Sha256[..12]}", clock.Elapsed));
            return part;
        }
    }

    /// <summary>The state folder as a tar: folders 0700, files 0600, whatever their modes on disk.</summary>
    internal static void WriteStateTar(string stateDir, Stream target)
    {
        using var writer = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var dir in Directory.EnumerateDirectories(stateDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, Rel(stateDir, dir) + "/") { Mode = PrivateDir });
        foreach (var file in Directory.EnumerateFiles(stateDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal))
                continue; // what an interrupted write left behind
            // The lock belongs to the running command, not to the farm (and `up` holds it while it backs up before an upgrade).
            if (Path.GetDirectoryName(file) == stateDir && Path.GetFileName(file) is StateFolderLock.FileName or StateFolderLock.OwnerFileName)
                continue;
            using var data = File.OpenRead(file);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Rel(stateDir, file)) { Mode = Private, DataStream = data });
        }
    }

    private static string Rel(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}

/// <summary>A write-only stream that hashes and counts what passes through to the inner stream, and reports the count about once a second.</summary>
internal sealed class HashingStream(Stream inner, Action<long>? onProgress) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Stopwatch _sinceReport = Stopwatch.StartNew();
    private long _length;

    public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count(buffer);
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Count(buffer.Span);
        await inner.WriteAsync(buffer, ct);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private void Count(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        _length += data.Length;
        if (_sinceReport.Elapsed > TimeSpan.FromSeconds(1))
        {
            onProgress?.Invoke(_length);
            _sinceReport.Restart();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash.Dispose();
        base.Dispose(disposing);
    }
}
