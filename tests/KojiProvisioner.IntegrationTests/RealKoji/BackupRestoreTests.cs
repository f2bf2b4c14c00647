using System.Text.Json;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using KojiProvisioner.Operations;
using Xunit.Abstractions;
using KojiProvisioner.Backups;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// backup → down --purge → restore (under another stack name) on a real Koji with the StarlingX
/// content, a READY repo and the task history that made it: everything comes back. The backup is
/// made in-process and restored by the installed native koji-farm when there is one, so a backup
/// of either build restores with the other.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class BackupRestoreTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Backup_purge_restore_brings_back_content_repo_tasks_and_the_old_admin_certificate()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        var content = Path.Combine(KojiProvisioner.IntegrationTests.Docker.TestEngine.RepoRoot, "stacks", "starlingx", "content.yaml");
        await using var first = new TestStack("bkp", builders: 1, $"content: {content}");
        await using var second = new TestStack("rst", builders: 1, $"content: {content}");

        var up = await steps.Run("up with the StarlingX content", () => first.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());

        var tag = $"{first.Name}-build";
        int repoId;
        IReadOnlyList<string> tasksBefore;
        var definition = first.Definition();
        var admin = definition.Credentials.Client(Identities.Admin);
        var ca = definition.Credentials.CaCertificatePem;
        using (var hub = first.AdminClient())
        {
            await hub.LoginAsync();
            await hub.CallAsync("createTag", tag, new KojiKwargs { { "arches", "x86_64" } });
            repoId = await steps.Run("a READY repo (newRepo and createrepo tasks in the history)", () => KojiWait.RepoReadyAsync(hub, tag, TimeSpan.FromMinutes(4)));
            tasksBefore = await TasksAsync(hub);
            Assert.Contains(tasksBefore, t => t.Contains("newRepo", StringComparison.Ordinal));
        }

        var backupDir = Path.Combine(first.Directory, "backup");
        await steps.Run($"backup stopped by Ctrl-C ({CliProcess.Build}) says so and leaves no part behind", async () =>
        {
            var (code, stderr, _) = await CliProcess.RunUntilAsync(first, ["backup", "--out", backupDir],
                "backup", "database", "writing koji.pgdump", p => CliProcess.Signal(p, "INT"));
            Assert.True(code == 130, $"exit {code}; stderr:\n{stderr}");
            Assert.Contains("run the same command again to finish the job", stderr);
            Assert.False(Directory.Exists(backupDir), $"{backupDir} left behind: {string.Join(", ", Directory.Exists(backupDir) ? Directory.GetFileSystemEntries(backupDir) : [])}");
        });
        // What a backup killed with SIGKILL leaves: a part and no manifest. The same command takes the folder again.
        Directory.CreateDirectory(backupDir);
        await File.WriteAllTextAsync(Path.Combine(backupDir, Backup.DatabaseFile), "half a dump");
        var backup = await steps.Run("backup --output json", () => first.RunAsync("backup", "--out", backupDir, "--output", "json"));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var manifest = JsonDocument.Parse(backup.Out).RootElement;
        Assert.Equal(first.Name, manifest.GetProperty("stack").GetString());
        Assert.Equal("1.35.3", manifest.GetProperty("kojiVersion").GetString());
        Assert.Equal("1.35", manifest.GetProperty("schemaVersion").GetString());
        var parts = manifest.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(["database", "mnt-koji", "state"], parts.Select(p => p.GetProperty("name").GetString()));
        foreach (var part in parts)
        {
            var file = Path.Combine(backupDir, part.GetProperty("file").GetString()!);
            Assert.Equal(new FileInfo(file).Length, part.GetProperty("bytes").GetInt64());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Matches("^[0-9a-f]{64}$", part.GetProperty("sha256").GetString());
        }

        var purge = await steps.Run("down --purge (volumes and state folder gone)", () => first.RunAsync("down", "--purge", "--yes"));
        Assert.True(purge.ExitCode == 0, purge.ToString());

        await steps.Run("a backup with a changed byte is refused before anything is made", async () =>
        {
            var bad = Path.Combine(first.Directory, "bad-backup");
            Directory.CreateDirectory(bad);
            foreach (var f in Directory.GetFiles(backupDir))
                File.Copy(f, Path.Combine(bad, Path.GetFileName(f)));
            await using (var s = File.Open(Path.Combine(bad, "state.tar"), FileMode.Open))
            {
                s.Position = s.Length - 1;
                var b = s.ReadByte();
                s.Position = s.Length - 1;
                s.WriteByte((byte)(b ^ 0xff));
            }
            var refused = await second.RunInstalledAsync("restore", "--from", bad);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("state", refused.Error);
            var volumes = await Shell.RunAsync("docker", "volume", "ls", "-q", "--filter", $"label=koji-farm.stack={second.Name}");
            Assert.Equal("", volumes.Stdout.Trim());
        });

        var restore = await steps.Run($"restore into stack {second.Name} ({TestStack.InstalledBuild})", () => second.RunInstalledAsync("restore", "--from", backupDir));
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var diff = await steps.Run("content diff shows no changes", () => second.RunAsync("content", "diff", "--output", "json", "--exit-code"));
        Assert.True(diff.ExitCode == 0, diff.ToString());

        // The admin certificate of the farm that was backed up, against the restored hub: same CA, same user.
        using var oldAdmin = new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri($"https://localhost:{second.HubPort}/kojihub"),
            CaCertificatePem = ca,
            ClientCertificatePem = admin.CertificatePem,
            ClientKeyPem = admin.PrivateKeyPem,
        });
        await steps.Run("the old admin certificate logs in; repo READY at the same path; same tasks", async () =>
        {
            await oldAdmin.LoginAsync();
            var me = (IReadOnlyDictionary<string, object?>)(await oldAdmin.CallAsync("getLoggedInUser"))!;
            Assert.Equal("kojiadmin", me["name"]);
            var repo = (IReadOnlyDictionary<string, object?>)(await oldAdmin.CallAsync("getRepo", tag))!;
            Assert.Equal(repoId, Convert.ToInt32(repo["id"]));
            Assert.Equal(RepoState.Ready, (RepoState)Convert.ToInt32(repo["state"]));
            var onDisk = await Shell.RunAsync("docker", "exec", $"{second.Name}-hub", "test", "-s", $"/mnt/koji/repos/{tag}/{repoId}/repo.json");
            Assert.True(onDisk.ExitCode == 0, $"/mnt/koji/repos/{tag}/{repoId}/repo.json missing after restore: {onDisk}");
            var tasksAfter = await TasksAsync(oldAdmin);
            Assert.Equal(tasksBefore, tasksAfter.Take(tasksBefore.Count));
        });

        await steps.Run("builders re-registered under the new name; the old stack's builder disabled", () =>
            KojiWait.UntilAsync(TimeSpan.FromSeconds(90), async () =>
            {
                var hosts = await KojiWait.HostsAsync(oldAdmin);
                return hosts.TryGetValue($"{second.Name}-builder-1", out var b) && b["enabled"] is true && b["ready"] is true
                    && hosts.TryGetValue($"{first.Name}-builder-1", out var old) && old["enabled"] is false;
            }, "new builder ready and old builder disabled"));

        var again = await steps.Run("restore into a farm that holds data is refused (exit 2)", () => second.RunInstalledAsync("restore", "--from", backupDir));
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("--force", again.Error);

        // --force: the farm's data is replaced by the backup's, so a tag made since is gone.
        var sinceRestore = await steps.Run("a tag made in the restored farm, after the backup", () => CreateTagAsync(second, "since-restore"));
        var forced = await steps.Run($"restore --force into the farm that holds data ({TestStack.InstalledBuild})", () => second.RunInstalledAsync("restore", "--from", backupDir, "--force"));
        Assert.True(forced.ExitCode == 0, forced.ToString());
        await steps.Run("the farm holds what the backup held: the tag made since is gone, the backed-up tag and its repo are there",
            () => AssertBackupDataAsync(second, tag, repoId, sinceRestore));

        // A restore killed once it has written restore-pending.json (the old data removed, the new
        // database up, /mnt/koji being unpacked): the next `up` finishes it.
        var sinceForce = await steps.Run("a tag made after restore --force", () => CreateTagAsync(second, "since-force"));
        var pending = Path.Combine(second.Load().StateDirectory, Restore.PendingFile);
        await steps.Run($"restore --force SIGKILLed ({CliProcess.Build}) while it unpacks /mnt/koji leaves {Restore.PendingFile}", async () =>
        {
            var (code, stderr, _) = await CliProcess.RunUntilAsync(second, ["restore", "--from", backupDir, "--force"],
                "restore", BackupManifest.MntKoji, "unpacking", p => p.Kill(entireProcessTree: true));
            Assert.True(code == 137, $"exit {code}; stderr:\n{stderr}");
            Assert.True(File.Exists(pending), $"no {pending} after the killed restore");
        });
        var resumed = await steps.Run("up finishes the restore", () => second.RunAsync("up"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"restored the database of stack '{first.Name}'", resumed.Out);
        Assert.False(File.Exists(pending), $"{pending} left after the restore finished");
        await steps.Run("the farm holds what the backup held again", () => AssertBackupDataAsync(second, tag, repoId, sinceForce));
    }

    /// <summary>Makes the tag STACK-SUFFIX on the stack's hub and returns its name.</summary>
    private static async Task<string> CreateTagAsync(TestStack stack, string suffix)
    {
        var name = $"{stack.Name}-{suffix}";
        using var hub = stack.AdminClient();
        await hub.LoginAsync();
        await hub.CallAsync("createTag", name);
        Assert.NotNull(await hub.CallAsync("getTag", name));
        return name;
    }

    /// <summary>The backed-up tag is there with its READY repo; <paramref name="gone"/>, made after the backup, is not.</summary>
    private static async Task AssertBackupDataAsync(TestStack stack, string tag, int repoId, string gone)
    {
        using var hub = stack.AdminClient();
        Assert.Null(await hub.CallAsync("getTag", gone));
        var repo = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getRepo", tag))!;
        Assert.Equal(repoId, Convert.ToInt32(repo["id"]));
        Assert.Equal(RepoState.Ready, (RepoState)Convert.ToInt32(repo["state"]));
    }

    /// <summary>Every task as "id method state", oldest first.</summary>
    private static async Task<IReadOnlyList<string>> TasksAsync(IKojiHub hub)
    {
        var tasks = (IEnumerable<object?>)(await hub.CallAsync("listTasks", new KojiKwargs
        {
            { "queryOpts", new Dictionary<string, object?> { ["order"] = "id" } },
        }))!;
        return tasks.Cast<IReadOnlyDictionary<string, object?>>()
            .Select(t => $"{t["id"]} {t["method"]} {t["state"]}")
            .ToList();
    }
}
