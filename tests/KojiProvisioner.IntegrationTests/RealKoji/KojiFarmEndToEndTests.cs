using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// The demo farm built from the Koji source tree works as Koji: TLS login, ready builders, a repo
/// made by kojira and a builder, kojiweb pages, and data that survives down + up.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class KojiFarmEndToEndTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Farm_from_source_generates_a_repo_shows_it_on_the_web_and_keeps_it_across_down_and_up()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("e2e", builders: 2);

        var up = await steps.Run("up the stack built from the source tree", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());

        using var hub = stack.AdminClient();
        await steps.Run("hub answers over TLS and logs the admin in with a client certificate", async () =>
        {
            Assert.Equal(1, Convert.ToInt32(await hub.CallAsync("getAPIVersion")));
            await hub.LoginAsync();
            var me = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getLoggedInUser"))!;
            Assert.Equal("kojiadmin", me["name"]);
        });

        await steps.Run("client-config gives a profile with which `koji -p STACK moshimoshi` works", async () =>
        {
            var profile = await stack.RunAsync("client-config");
            Assert.True(profile.ExitCode == 0, profile.ToString());
            var config = Path.Combine(stack.Directory, "koji.conf");
            await File.WriteAllTextAsync(config, profile.Out);
            var run = await KojiCli.RunAsync(stack.Definition(), stack.Directory, null, "--config", config, "-p", stack.Name, "moshimoshi");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("kojiadmin", run.Stdout);
        });

        var builders = new[] { $"{stack.Name}-builder-1", $"{stack.Name}-builder-2" };
        await steps.Run("every builder is ready within 60 s", () => KojiWait.UntilAsync(TimeSpan.FromSeconds(60), async () =>
        {
            var hosts = await KojiWait.HostsAsync(hub);
            return builders.All(b => hosts.TryGetValue(b, out var h) && h["ready"] is true && h["enabled"] is true);
        }, "builders ready in listHosts"));

        var tag = $"{stack.Name}-build";
        await steps.Run("create a tag, a build tag with arches and a target", async () =>
        {
            await hub.CallAsync("createTag", $"{stack.Name}-dest");
            await hub.CallAsync("createTag", tag, new KojiKwargs { { "arches", "x86_64" } });
            await hub.CallAsync("createBuildTarget", $"{stack.Name}-target", tag, $"{stack.Name}-dest");
        });

        var repo = await steps.Run("request a repo for the build tag and wait until it is READY", () => KojiWait.RepoReadyAsync(hub, tag, TimeSpan.FromMinutes(4)));
        await steps.Run("kojira made the newRepo task and a builder ran createrepo", async () =>
        {
            var newRepo = await KojiWait.ClosedTasksAsync(hub, "newRepo");
            var createrepo = await KojiWait.ClosedTasksAsync(hub, "createrepo");
            Assert.NotEmpty(newRepo);
            Assert.Contains(createrepo, t => builders.Contains(t.Host));
        });

        await steps.Run("kojiweb's page for the tag shows its name", async () =>
        {
            var tagId = Convert.ToInt32(((IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getTag", tag))!)["id"]);
            using var http = stack.TrustingClient(TimeSpan.FromSeconds(60));
            var page = await http.GetStringAsync($"https://localhost:{stack.WebPort}/koji/taginfo?tagID={tagId}");
            Assert.Contains(tag, page);
        });

        var down = await steps.Run("down (volumes kept)", () => stack.RunAsync("down"));
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains("kept volumes", down.Out);
        var again = await steps.Run("up again", () => stack.RunAsync("up"));
        Assert.True(again.ExitCode == 0, again.ToString());

        using var hub2 = stack.AdminClient();
        await steps.Run("the tag and its repo are still there", async () =>
        {
            var kept = (IReadOnlyDictionary<string, object?>)(await hub2.CallAsync("getTag", tag))!;
            Assert.Equal("x86_64", kept["arches"]);
            var current = (IReadOnlyDictionary<string, object?>)(await hub2.CallAsync("getRepo", tag))!;
            Assert.Equal(repo, Convert.ToInt32(current["id"]));
        });
    }
}

/// <summary>Real-Koji farms are heavy on a 2-core machine: their tests run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class RealKojiCollection
{
    public const string Name = "real Koji farms";
}
