using System.Security.Cryptography;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// The state folder is the farm's identity, on a real Koji: a lost one stops `up` quickly instead of
/// breaking the hub, `up --adopt` brings the farm back with its data, and two runs at once leave one CA.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class StateFolderTests(ITestOutputHelper output)
{
    private const string Content = """
        package_owner: kojiadmin
        tags:
          - name: safe-base
            arches: [x86_64]
            packages: [bash, coreutils, make]
          - name: safe-build
            arches: [x86_64]
            inheritance: [safe-base]
          - name: safe-candidate
        targets:
          - name: safe
            build_tag: safe-build
            dest_tag: safe-candidate
        """;

    /// <summary>With a builder the farm also has a READY repo to keep; without one (kojid takes no task
    /// on a loaded machine) the same re-keying is checked on tags and package lists alone.</summary>
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_lost_state_folder_stops_up_at_once_and_adopt_brings_the_farm_back_with_its_data(int builders)
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("lost", builders, extraYaml: "content: content.yaml");
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "content.yaml"), Content);

        var up = await steps.Run("up with content", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        int? repo = null;
        if (builders > 0)
        {
            using var hub = stack.AdminClient();
            // kojid reports itself not ready while the 1-minute load average is above 4 per core
            // (koji/daemon.py readyForTask), which a busy 2-core machine reaches: a generous deadline.
            await steps.Run("the builder is ready", () => KojiWait.UntilAsync(TimeSpan.FromMinutes(5), async () =>
                (await KojiWait.HostsAsync(hub)).TryGetValue($"{stack.Name}-builder-1", out var h) && h["ready"] is true, "builder ready"));
            repo = await steps.Run("a READY repo for the build tag", () => KojiWait.RepoReadyAsync(hub, "safe-build", TimeSpan.FromMinutes(6)));
        }
        var state = Path.Combine(stack.Directory, ".state", stack.Name);
        var oldCa = await File.ReadAllTextAsync(Path.Combine(state, "pki", "ca.crt"));
        Directory.Delete(state, recursive: true);

        var refused = await steps.Run("up with the state folder gone", () => stack.RunAsync("up"));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        // Refusing before touching the farm is the behaviour: the exit code, message and missing CA show
        // it; the bound only shows it did not recreate containers and wait for the hub first (minutes),
        // and is loose so a loaded machine's slow engine calls cannot fail it.
        Assert.True(refused.Elapsed < TimeSpan.FromSeconds(30), refused.ToString());
        Assert.Contains($"stack '{stack.Name}': the farm on this engine", refused.Error);
        Assert.Contains($"the state folder {state} has no CA", refused.Error);
        Assert.Contains("up --adopt", refused.Error);
        Assert.False(File.Exists(Path.Combine(state, "pki", "ca.crt")), "the refused up made a CA");

        var adopted = await steps.Run("up --adopt", () => stack.RunAsync("up", "--adopt"));
        Assert.True(adopted.ExitCode == 0, adopted.ToString());
        Assert.NotEqual(oldCa, await File.ReadAllTextAsync(Path.Combine(state, "pki", "ca.crt")));

        var status = await steps.Run("status is healthy and shows the Koji side", () => stack.RunAsync("status"));
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("koji: hub 1.", status.Out);
        Assert.Contains("kojira's user kojira ok", status.Out);

        using var adoptedHub = stack.AdminClient();
        await steps.Run("the new admin certificate logs in", async () =>
        {
            await adoptedHub.LoginAsync();
            var me = (IReadOnlyDictionary<string, object?>)(await adoptedHub.CallAsync("getLoggedInUser"))!;
            Assert.Equal("kojiadmin", me["name"]);
        });
        await steps.Run("tags, repo and package lists are intact", async () =>
        {
            foreach (var tag in new[] { "safe-base", "safe-build", "safe-candidate" })
                Assert.NotNull(await adoptedHub.CallAsync("getTag", tag));
            if (repo is not null)
            {
                var current = (IReadOnlyDictionary<string, object?>)(await adoptedHub.CallAsync("getRepo", "safe-build"))!;
                Assert.Equal(repo, Convert.ToInt32(current["id"]));
            }
            var packages = ((IEnumerable<object?>)(await adoptedHub.CallAsync("listPackages", new KojiKwargs { { "tagID", "safe-base" } }))!)
                .Cast<IReadOnlyDictionary<string, object?>>().Select(p => (string)p["package_name"]!).Order().ToList();
            Assert.Equal(["bash", "coreutils", "make"], packages);
        });

        var again = await steps.Run("a later up needs no --adopt", () => stack.RunAsync("up"));
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [SkippableFact]
    public async Task Two_up_at_once_on_a_fresh_stack_leave_one_CA_and_a_password_the_database_accepts()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("twice", builders: 0);

        var both = await steps.Run("two up started together", () => Task.WhenAll(stack.RunAsync("up"), stack.RunAsync("up")));
        output.WriteLine(both[0].ToString());
        output.WriteLine(both[1].ToString());
        Assert.Contains(both, r => r.ExitCode == 0);
        // The other waited: it ran after the first (exit 0) or gave up after 30 s naming the holder.
        Assert.All(both, r => Assert.True(r.ExitCode == 0 || (r.ExitCode == 1 && r.Error.Contains("holds the state folder") && r.Error.Contains("pid")), r.ToString()));

        var state = Path.Combine(stack.Directory, ".state", stack.Name);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(state, "pki", "ca.crt"))));
        var volumes = await Shell.RunAsync("docker", "volume", "ls", "--filter", $"label=koji-farm.stack={stack.Name}",
            "--format", "{{.Name}} {{.Label \"koji-farm.state-fingerprint\"}}");
        Assert.True(volumes.ExitCode == 0, volumes.ToString());
        var lines = volumes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith(" " + fingerprint, l));

        var status = await steps.Run("status: the hub (which logs in to the database) is healthy", () => stack.RunAsync("status"));
        Assert.True(status.ExitCode == 0, status.ToString());
        using var hub = stack.AdminClient();
        await hub.LoginAsync();
        var again = await steps.Run("up again changes nothing", () => stack.RunAsync("up"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("no changes", again.Out);
    }
}
