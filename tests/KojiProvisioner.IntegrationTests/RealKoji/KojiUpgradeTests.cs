using System.Text.Json;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// A farm made with Koji 1.34.3 moved to 1.35.3 (a schema change: repo_queue, new repo columns):
/// `up` backs up, runs the upgrade script once, and the farm keeps its content and repo and can
/// make new repos with 1.35's repo queue. A user revoked under 1.34 is still refused under 1.35
/// (hub and web rebuilt on new images keep the CRL and the blocked Koji user). Going back to
/// 1.34.3 is refused.
/// The 1.34.3 image is named by the hash of its inputs, so it is built once per engine, not per test.
/// Both `up`s that change the farm (the 1.34.3 image build and the upgrade) are the installed
/// native koji-farm's when there is one; the checks around them run in-process.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class KojiUpgradeTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Up_after_moving_the_stack_from_koji_1_34_to_1_35_upgrades_the_schema_once_and_keeps_the_farm()
    {
        TestStack.SkipWithoutKoji();
        var old = TestStack.KojiRelease("1.34.3");
        var current = TestStack.KojiRelease("1.35.3");
        Skip.If(old is null || current is null, "skipped: koji-1.34.3.tar.gz and koji-1.35.3.tar.gz are not beside KOJI_SOURCE");
        var steps = new Steps(output);
        var content = Path.Combine(KojiProvisioner.IntegrationTests.Docker.TestEngine.RepoRoot, "stacks", "starlingx", "content.yaml");
        await using var stack = new TestStack("upg", builders: 1, $"content: {content}", kojiPath: old);

        var up = await steps.Run($"up with Koji 1.34.3 and the StarlingX content ({TestStack.InstalledBuild})", () => stack.RunInstalledAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        var tag = $"{stack.Name}-build";
        int repoId;
        using (var hub = stack.AdminClient())
        {
            Assert.Equal("1.34.3", await hub.CallAsync("getKojiVersion"));
            await hub.LoginAsync();
            await hub.CallAsync("createTag", tag, new KojiKwargs { { "arches", "x86_64" } });
            // A build tag of a target: 1.34's kojira expires the ready repos of tags no target builds from.
            await hub.CallAsync("createBuildTarget", $"{stack.Name}-target", tag, tag);
            repoId = await steps.Run("a READY repo made by a newRepo task (Koji 1.34 has no repo queue)", () => NewRepo134Async(hub, tag));
        }

        foreach (var name in new[] { "carol", "dave" })
        {
            var add = await steps.Run($"user add {name} on 1.34.3", () => stack.RunAsync("user", "add", name, "--out", Path.Combine(stack.Directory, name + "-koji")));
            Assert.True(add.ExitCode == 0, add.ToString());
        }
        var revoke = await steps.Run("user revoke carol on 1.34.3", () => stack.RunAsync("user", "revoke", "carol"));
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        await steps.Run("carol is refused by the 1.34.3 hub and web, dave is let in", () =>
            KojiWait.UntilAsync(TimeSpan.FromSeconds(10), async () =>
                !await UserLogins.HubLoginAsync(stack, "carol") && !await UserLogins.WebLoginAsync(stack, "carol")
                && await UserLogins.HubLoginAsync(stack, "dave"), "carol refused and dave let in"));

        File.WriteAllText(stack.File, File.ReadAllText(stack.File).Replace(old!, current!, StringComparison.Ordinal));
        var preview = await steps.Run("preview shows the upgrade step and its script", () => stack.RunAsync("preview", "--output", "json"));
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains(JsonDocument.Parse(preview.Out).RootElement.GetProperty("changes").EnumerateArray(),
            c => c.GetProperty("action").GetString() == "upgrade" && c.GetProperty("cause").GetString()!.Contains("schema-upgrade-1.34-1.35.sql"));

        var upgrade = await steps.Run($"up with Koji 1.35.3 ({TestStack.InstalledBuild})", () => stack.RunInstalledAsync("up", "--output", "json"));
        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        var said = JsonDocument.Parse(upgrade.Out).RootElement.GetProperty("koji").EnumerateArray().Select(e => e.GetString()!).ToList();
        var line = Assert.Single(said, l => l.StartsWith("schema upgrade", StringComparison.Ordinal));
        Assert.Contains("schema-upgrade-1.34-1.35.sql", line);
        var backupDir = System.Text.RegularExpressions.Regex.Match(line, @"backup first in (\S+) ").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(backupDir, "manifest.json")), $"no backup where up said: {line}");
        Assert.Equal("1.34.3", JsonDocument.Parse(File.ReadAllText(Path.Combine(backupDir, "manifest.json"))).RootElement.GetProperty("kojiVersion").GetString());

        using (var hub = stack.AdminClient())
        {
            await steps.Run("hub reports 1.35.3; the repo is still READY; content unchanged", async () =>
            {
                Assert.Equal("1.35.3", await hub.CallAsync("getKojiVersion"));
                // repoInfo, not getRepo: the upgrade gives every old repo the same creation_time, which
                // 1.35's getRepo orders by, so with two repos of the tag it may name either.
                var repo = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("repoInfo", repoId))!;
                Assert.Equal(repoId, Convert.ToInt32(repo["id"]));
                Assert.Equal(RepoState.Ready, (RepoState)Convert.ToInt32(repo["state"]));
                var diff = await stack.RunAsync("content", "diff", "--output", "json", "--exit-code");
                Assert.True(diff.ExitCode == 0, diff.ToString());
            });
            Assert.Equal(1, await UpgradeRunsAsync(stack));
            await steps.Run("after the upgrade carol is still refused by the hub and web, dave is let in", async () =>
            {
                Assert.False(await UserLogins.HubLoginAsync(stack, "carol"), "the 1.35.3 hub let revoked carol in");
                Assert.False(await UserLogins.WebLoginAsync(stack, "carol"), "the 1.35.3 kojiweb let revoked carol in");
                Assert.True(await UserLogins.HubLoginAsync(stack, "dave"), "the 1.35.3 hub refused dave");
            });

            var second = await steps.Run("a second up runs no upgrade", () => stack.RunAsync("up", "--output", "json"));
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.DoesNotContain(JsonDocument.Parse(second.Out).RootElement.GetProperty("koji").EnumerateArray(),
                e => e.GetString()!.StartsWith("schema upgrade", StringComparison.Ordinal));
            Assert.Equal(1, await UpgradeRunsAsync(stack));

            var fresh = await steps.Run("a new repo through 1.35's repo queue", () => KojiWait.RepoReadyAsync(hub, tag, TimeSpan.FromMinutes(4)));
            Assert.True(fresh > repoId, $"repo {fresh} is not newer than {repoId}");
        }

        File.WriteAllText(stack.File, File.ReadAllText(stack.File).Replace(current!, old!, StringComparison.Ordinal));
        var down = await steps.Run("back to Koji 1.34.3: up is refused (exit 2), naming both versions", () => stack.RunAsync("up"));
        Assert.True(down.ExitCode == 2, down.ToString());
        Assert.Contains("1.35", down.Error);
        Assert.Contains("1.34", down.Error);
        using (var hub = stack.AdminClient())
            Assert.Equal("1.35.3", await hub.CallAsync("getKojiVersion"));
    }

    private static async Task<int> UpgradeRunsAsync(TestStack stack)
    {
        var run = await Shell.RunAsync("docker", "exec", "-u", "postgres", $"{stack.Name}-db", "psql", "-X", "-tA", "-d", "koji", "-c",
            "SELECT count(*) FROM koji_farm_schema_log WHERE action = 'upgrade' AND script = 'schema-upgrade-1.34-1.35.sql'");
        Assert.True(run.ExitCode == 0, run.ToString());
        return int.Parse(run.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> NewRepo134Async(IKojiHub hub, string tag)
    {
        var task = Convert.ToInt32(await hub.CallAsync("newRepo", tag));
        await KojiWait.UntilAsync(TimeSpan.FromMinutes(4), async () =>
        {
            var state = (await hub.GetTaskInfoAsync(task, CancellationToken.None)).State;
            Assert.True(state is TaskState.Free or TaskState.Open or TaskState.Closed or TaskState.Assigned, $"newRepo task {task} ended in state {state.KojiName()}");
            return state == TaskState.Closed;
        }, $"newRepo task {task} closed");
        // kojira 1.34 regenerates a target's build tag on its own too: the repo to keep is the one
        // READY once no newRepo task is left.
        await KojiWait.UntilAsync(TimeSpan.FromMinutes(4), async () =>
            !((IEnumerable<object?>)(await hub.CallAsync("listTasks", new KojiKwargs
            {
                { "opts", new Dictionary<string, object?> { ["method"] = "newRepo", ["state"] = new object[] { 0, 1, 4 } } },
            }))!).Any(), "no newRepo task free, open or assigned");
        var repo = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getRepo", tag))!;
        Assert.Equal(RepoState.Ready, (RepoState)Convert.ToInt32(repo["state"]));
        return Convert.ToInt32(repo["id"]);
    }
}
