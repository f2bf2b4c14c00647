using System.Security.Cryptography;
using KojiProvisioner.Operations;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Tests.Farm;

/// <summary>The file side of backup and restore: the state folder tar and the manifest's hash check.</summary>
public sealed class BackupFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("koji-farm-backup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void State_folder_round_trips_with_every_file_0600_and_every_folder_0700()
    {
        var state = Path.Combine(_dir, "state");
        Directory.CreateDirectory(Path.Combine(state, "pki", "clients"));
        File.WriteAllText(Path.Combine(state, "pki", "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        File.SetUnixFileMode(Path.Combine(state, "pki", "ca.crt"), (UnixFileMode)0b110_100_100); // 0644 on disk
        File.WriteAllText(Path.Combine(state, "pki", "clients", "admin.key"), "key\n");
        File.WriteAllText(Path.Combine(state, ".half-written.1234.tmp"), "left by a killed run");

        using var tar = new MemoryStream();
        Backup.WriteStateTar(state, tar);
        tar.Position = 0;
        var restored = Path.Combine(_dir, "restored");
        Restore.ExtractState(tar, restored);

        Assert.Equal("-----BEGIN CERTIFICATE-----\n", File.ReadAllText(Path.Combine(restored, "pki", "ca.crt")));
        Assert.Equal("key\n", File.ReadAllText(Path.Combine(restored, "pki", "clients", "admin.key")));
        Assert.False(File.Exists(Path.Combine(restored, ".half-written.1234.tmp")));
        Assert.All(Directory.EnumerateFiles(restored, "*", SearchOption.AllDirectories),
            f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.All(Directory.EnumerateDirectories(restored, "*", SearchOption.AllDirectories),
            d => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(d)));
    }

    [Fact]
    public void A_backup_folder_an_unfinished_backup_left_is_taken_again_and_a_finished_or_foreign_one_is_refused()
    {
        var none = Path.Combine(_dir, "new");
        Assert.Empty(Backup.UnfinishedParts(none));

        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        Assert.Empty(Backup.UnfinishedParts(empty));

        // What a backup killed while it wrote the manifest leaves: parts and the manifest's temporary file.
        var unfinished = Directory.CreateDirectory(Path.Combine(_dir, "unfinished")).FullName;
        foreach (var name in new[] { Backup.DatabaseFile, Backup.MntKojiFile, Backup.StateFile, ".manifest.json.0123abcd.tmp" })
            File.WriteAllText(Path.Combine(unfinished, name), "partial");
        Assert.Equal([".manifest.json.0123abcd.tmp", Backup.DatabaseFile, Backup.MntKojiFile, Backup.StateFile],
            Backup.UnfinishedParts(unfinished).Select(Path.GetFileName));

        var finished = Directory.CreateDirectory(Path.Combine(_dir, "finished")).FullName;
        File.WriteAllText(Path.Combine(finished, Backup.DatabaseFile), "dump");
        File.WriteAllText(Path.Combine(finished, BackupManifest.FileName), "{}");
        var refused = Assert.Throws<InputException>(() => Backup.UnfinishedParts(finished));
        Assert.Contains($"{finished} holds a finished backup", refused.Message);

        var foreign = Directory.CreateDirectory(Path.Combine(_dir, "foreign")).FullName;
        File.WriteAllText(Path.Combine(foreign, Backup.DatabaseFile), "partial");
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "a user's file");
        Assert.Contains($"{foreign} exists and is not empty", Assert.Throws<InputException>(() => Backup.UnfinishedParts(foreign)).Message);
        var folderInside = Directory.CreateDirectory(Path.Combine(_dir, "folder-inside")).FullName;
        Directory.CreateDirectory(Path.Combine(folderInside, Backup.StateFile));
        Assert.Throws<InputException>(() => Backup.UnfinishedParts(folderInside));
        Assert.True(File.Exists(Path.Combine(foreign, Backup.DatabaseFile)));
    }

    [Fact]
    public void A_state_folder_held_by_a_running_up_backs_up_without_its_lock()
    {
        // `up` holds the lock while it backs up before a Koji upgrade.
        var folder = new StateFolder(Path.Combine(_dir, "held"));
        using var held = StateFolderLock.Acquire(folder);
        var password = folder.Secret("db-password");

        using var tar = new MemoryStream();
        Backup.WriteStateTar(folder.Path, tar);
        tar.Position = 0;
        var restored = Path.Combine(_dir, "restored-held");
        Restore.ExtractState(tar, restored);

        Assert.Equal(password + "\n", File.ReadAllText(Path.Combine(restored, "secrets", "db-password")));
        Assert.False(File.Exists(Path.Combine(restored, StateFolderLock.FileName)));
        Assert.False(File.Exists(Path.Combine(restored, StateFolderLock.OwnerFileName)));
    }

    [Fact]
    public void A_state_tar_entry_outside_the_folder_is_refused()
    {
        using var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "../escape") { DataStream = new MemoryStream([1]) });
        tar.Position = 0;
        Assert.Throws<InputException>(() => Restore.ExtractState(tar, Path.Combine(_dir, "restored")));
        Assert.False(File.Exists(Path.Combine(_dir, "escape")));
    }

    [Fact]
    public void Verify_passes_an_intact_backup_and_names_the_part_with_a_changed_byte()
    {
        var db = Path.Combine(_dir, "koji.pgdump");
        File.WriteAllBytes(db, [1, 2, 3, 4]);
        var manifest = new BackupManifest(1, "demo", "1.35.3", "1.35", DateTimeOffset.UnixEpoch,
            [new BackupPart(BackupManifest.Database, "koji.pgdump", 4, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(db))))]);
        manifest.Save(_dir);
        var loaded = BackupManifest.Load(_dir);
        Assert.Equal("demo", loaded.Stack);
        loaded.Verify(_dir);

        File.WriteAllBytes(db, [1, 2, 3, 5]);
        var e = Assert.Throws<InputException>(() => loaded.Verify(_dir));
        Assert.Contains("database", e.Message);
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
    }

    [Fact]
    public void A_folder_without_a_manifest_is_not_a_backup()
    {
        var e = Assert.Throws<InputException>(() => BackupManifest.Load(_dir));
        Assert.Contains("manifest.json", e.Message);
    }
}
