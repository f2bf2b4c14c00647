using System.Text.Json;
using KojiProvisioner.Operations;
using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// The CI recipe of the README on stacks/ci.yaml: `up --ttl --wait` on free ports, a tag's repo
/// READY with `wait-repo`, the farm in `ls`, then `down --purge`, each step timed. Once with
/// koji-farm run in-process and once with the native build a CI runner installs
/// (scripts/install), run as a separate process: what it prints must be what the in-process
/// build prints.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class CiFarmTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_ci_farm_on_free_ports_reaches_a_ready_repo_is_listed_and_is_purged(bool native)
    {
        TestStack.SkipWithoutKoji();
        if (native)
            Support.Cli.SkipWithoutNative();
        Func<string[], Task<CliResult>> koji = native ? Support.Cli.RunNativeAsync : Support.Cli.RunAsync;
        var steps = new Steps(output);
        var name = $"ci-{Guid.NewGuid().ToString("N")[..6]}";
        var dir = Directory.CreateTempSubdirectory("koji-farm-ci-").FullName;
        var file = Path.Combine(dir, "ci.yaml");
        // The repository's own CI stack, only renamed and pointed at this run's Koji source.
        var ci = await File.ReadAllTextAsync(Path.Combine(Docker.TestEngine.RepoRoot, "stacks", "ci.yaml"));
        await File.WriteAllTextAsync(file, ci.Replace("\nname: ci\n", $"\nname: {name}\n", StringComparison.Ordinal)
            .Replace("  from: source\n", $"  from: source\n  path: {TestStack.KojiSource}\n", StringComparison.Ordinal));
        var state = Path.Combine(dir, ".state", name);
        Task<CliResult> Run(params string[] args) => koji([.. args, "--stack", file]);
        try
        {
            var up = await steps.Run("up --ttl 30m --wait (from nothing, images cached)", () => Run("up", "--ttl", "30m", "--wait", "--output", "json"));
            Assert.True(up.ExitCode == 0, up.ToString());
            var report = JsonDocument.Parse(up.Out).RootElement;
            var hubUrl = report.GetProperty("hub").GetString()!;
            Assert.Matches(@"^https://localhost:[1-9][0-9]*/kojihub$", hubUrl);
            Assert.Contains(report.GetProperty("ready").EnumerateArray(), c => c.GetProperty("what").GetString() == $"builder {name}-builder-1");

            var status = await steps.Run("status --output json reports the same hub URL", () => Run("status", "--output", "json"));
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Equal(hubUrl, JsonDocument.Parse(status.Out).RootElement.GetProperty("hub").GetString());

            var ls = await steps.Run("ls lists the farm with its state folder, hub URL and expiry", () => koji(["ls", "--output", "json"]));
            var farm = JsonDocument.Parse(ls.Out).RootElement.EnumerateArray().Single(f => f.GetProperty("stack").GetString() == name);
            Assert.Equal(state, farm.GetProperty("stateDir").GetString());
            Assert.Equal(hubUrl, farm.GetProperty("hub").GetString());
            Assert.InRange(farm.GetProperty("expires").GetDateTime(), DateTime.UtcNow.AddMinutes(25), DateTime.UtcNow.AddMinutes(31));

            if (native)
            {
                await steps.Run("the native build prints what the in-process one prints", async () =>
                {
                    foreach (var args in new[] { new[] { "preview", "--output", "json" }, ["preview"], ["client-config"], ["up", "--output", "json"] })
                    {
                        var mine = await Run(args);
                        var theirs = await Support.Cli.RunAsync([.. args, "--stack", file]);
                        Assert.True(mine.ExitCode == 0, mine.ToString());
                        Assert.Equal(theirs.ExitCode, mine.ExitCode);
                        Assert.Equal(theirs.Out, mine.Out);
                    }
                });
            }

            var tag = $"{name}-build";
            await steps.Run("create a build tag through the API", async () =>
            {
                using var hub = AdminHub.FromState(StackLoader.Load(file));
                await hub.LoginAsync();
                await hub.CallAsync("createTag", tag, new KojiKwargs { { "arches", "x86_64" } });
            });

            var wait = await steps.Run("wait-repo: kojira and the builder make the first repo", () => Run("wait-repo", tag, "--timeout", "5m", "--output", "json"));
            Assert.True(wait.ExitCode == 0, wait.ToString());
            var repo = JsonDocument.Parse(wait.Out).RootElement;
            Assert.False(repo.GetProperty("alreadyReady").GetBoolean());
            output.WriteLine($"repo {repo.GetProperty("repo").GetInt32()} READY after {repo.GetProperty("waitedSeconds").GetDouble()} s in wait-repo");

            var again = await steps.Run("wait-repo again returns the READY repo at once", () => Run("wait-repo", tag, "--output", "json"));
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.True(JsonDocument.Parse(again.Out).RootElement.GetProperty("alreadyReady").GetBoolean());

            var before = repo.GetProperty("repo").GetInt32();
            await steps.Run("a package added to the tag: wait-repo keeps the repo, wait-repo --fresh waits for one made after the change", async () =>
            {
                using var hub = AdminHub.FromState(StackLoader.Load(file));
                await hub.LoginAsync();
                await hub.PackageListAddAsync(tag, "fresh-probe", "kojiadmin", CancellationToken.None);
                var changed = Convert.ToInt32(((IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getLastEvent"))!)["id"]);

                var current = await Run("wait-repo", tag, "--output", "json");
                Assert.True(current.ExitCode == 0, current.ToString());
                var kept = JsonDocument.Parse(current.Out).RootElement;
                Assert.True(kept.GetProperty("alreadyReady").GetBoolean(), current.Out);
                Assert.Equal(before, kept.GetProperty("repo").GetInt32());

                var fresh = await Run("wait-repo", tag, "--fresh", "--timeout", "5m", "--output", "json");
                Assert.True(fresh.ExitCode == 0, fresh.ToString());
                var made = JsonDocument.Parse(fresh.Out).RootElement;
                Assert.False(made.GetProperty("alreadyReady").GetBoolean(), fresh.Out);
                Assert.True(made.GetProperty("request").GetInt32() > 0, fresh.Out);
                var newer = made.GetProperty("repo").GetInt32();
                Assert.True(newer > before, $"wait-repo --fresh returned repo {newer}, not newer than {before}");
                var info = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("repoInfo", newer))!;
                Assert.Equal(RepoState.Ready, (RepoState)Convert.ToInt32(info["state"]));
                Assert.True(Convert.ToInt32(info["create_event"]) >= changed, $"repo {newer} was made at event {info["create_event"]}, before the change at event {changed}");

                // Without --output json, one line names the repo and the request it waited for.
                var again = await Run("wait-repo", tag, "--fresh");
                Assert.True(again.ExitCode == 0, again.ToString());
                Assert.Contains($"tag {tag}: repo {newer} is READY", again.Out);
            });

            await steps.Run("client-config --install writes the profile where the koji CLI finds it; a second --install leaves the same one", async () =>
            {
                var home = Path.Combine(dir, "home");
                Directory.CreateDirectory(home);
                var asUser = new Dictionary<string, string?> { ["HOME"] = home };
                var install = await Support.Cli.RunProcessAsync(asUser, "client-config", "--install", "--stack", file);
                Assert.True(install.ExitCode == 0, install.ToString());
                var profile = Path.Combine(home, ".koji", "config.d", $"{name}.conf");
                Assert.Contains($"wrote {profile}: try koji -p {name} moshimoshi", install.Out);
                Assert.Contains(hubUrl, await File.ReadAllTextAsync(profile));

                // No --config: the koji CLI reads ~/.koji/config.d itself.
                var hello = await KojiCli.RunAsync(new Preview(StackLoader.Load(file)).DefinitionWithState(), dir, home, "-p", name, "moshimoshi");
                Assert.True(hello.ExitCode == 0, hello.ToString());
                Assert.Contains("kojiadmin", hello.Stdout);

                var written = await File.ReadAllTextAsync(profile);
                var twice = await Support.Cli.RunProcessAsync(asUser, "client-config", "--install", "--stack", file);
                Assert.True(twice.ExitCode == 0, twice.ToString());
                Assert.Equal(written, await File.ReadAllTextAsync(profile));
                Assert.Equal([profile], Directory.GetFiles(Path.GetDirectoryName(profile)!));
            });

            var missing = await Run("wait-repo", $"{name}-no-such-tag", "--timeout", "5s");
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains($"there is no tag '{name}-no-such-tag'", missing.Error);

            var down = await steps.Run("down --purge", () => Run("down", "--purge", "--yes"));
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.False(Directory.Exists(state));
            var after = await koji(["ls", "--output", "json"]);
            Assert.DoesNotContain(JsonDocument.Parse(after.Out).RootElement.EnumerateArray(), f => f.GetProperty("stack").GetString() == name);
        }
        finally
        {
            await Support.Cli.RunAsync("down", "--stack", file, "--purge", "--yes");
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
