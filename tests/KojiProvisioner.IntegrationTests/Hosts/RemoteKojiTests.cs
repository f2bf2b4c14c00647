using System.Globalization;
using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using KojiProvisioner.Operations;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Hosts;

/// <summary>
/// A real farm (KOJI_SOURCE) whose only builders are two "remote hosts" reached over SSH. The
/// hosts join the farm's Docker network so they reach the hub as https://hub/kojihub (a name in
/// the hub's certificate) and mount /mnt/koji read-only, as builders on NFS would.
/// </summary>
[Collection(KojiProvisioner.IntegrationTests.RealKoji.RealKojiCollection.Name)]
public sealed class RemoteKojiTests(ITestOutputHelper output)
{
    private static IReadOnlyDictionary<string, object?> Struct(object? o) => (IReadOnlyDictionary<string, object?>)o!;
    private static int Int(object? o) => Convert.ToInt32(o, CultureInfo.InvariantCulture);

    [SkippableFact]
    public async Task Two_remote_builders_become_ready_and_run_the_createrepo_of_a_new_repo()
    {
        var kojiSource = Environment.GetEnvironmentVariable("KOJI_SOURCE");
        Skip.If(string.IsNullOrWhiteSpace(kojiSource), "KOJI_SOURCE is not set: the real-Koji remote builder test needs a Koji source tarball");
        await using var hosts = await SshHosts.CreateAsync();
        var steps = new Steps(output);
        var stack = $"t-{Guid.NewGuid().ToString("N")[..8]}";
        var dir = Directory.CreateTempSubdirectory("koji-farm-remote-koji-").FullName;
        var file = Path.Combine(dir, "stack.yaml");
        var hubPort = FreePorts.Take(1)[0];
        string Yaml(IEnumerable<(string Name, int Port, string User)> remotes) => $"""
            name: {stack}
            koji:
              from: source
              path: {kojiSource}
            hub:
              port: {hubPort}
              runInterval: 5
            web:
              enabled: false
            kojira:
              sleepTime: 5
            builders:
              count: 0
              arches: [x86_64]
              channels: [default, createrepo]
              remote:
            {string.Concat(remotes.Select(r => $"""
                - name: {r.Name}
                  address: 127.0.0.1
                  port: {r.Port}
                  user: {r.User}
                  privateKey: {hosts.Key.PrivateKeyPath}
                  hubUrl: https://hub/kojihub

            """))}
            """.Replace("  remote:\n\n", "  remote: []\n", StringComparison.Ordinal);
        try
        {
            await File.WriteAllTextAsync(file, Yaml([]));
            var up = await steps.Run("up: the farm without builders", () => Support.Cli.RunAsync("up", "--stack", file));
            Assert.True(up.ExitCode == 0, up.ToString());

            var a = await hosts.StartAsync($"koji-farm-{stack}", $"koji-farm-{stack}-mnt-koji");
            var b = await hosts.StartAsync($"koji-farm-{stack}", $"koji-farm-{stack}-mnt-koji");
            var remotes = new[] { ($"{stack}-remote-a", a.Port, "root"), ($"{stack}-remote-b", b.Port, "builder") };
            await File.WriteAllTextAsync(file, Yaml(remotes));
            up = await steps.Run("up: two remote builders", () => Support.Cli.RunAsync("up", "--stack", file));
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.DoesNotContain("PRIVATE KEY", up.Out + up.Error);

            var definition = new Preview(StackLoader.Load(file)).DefinitionWithState();
            using var hub = AdminHub.Client(definition);
            var ids = await steps.Run("both ready in Koji", async () =>
            {
                for (var i = 0; ; i++)
                {
                    var listed = (await hub.ListHostsAsync(CancellationToken.None)).Where(h => h.Name.Contains("-remote-", StringComparison.Ordinal)).ToList();
                    if (listed.Count == 2 && listed.All(h => h.Ready && h.Enabled))
                        return listed.Select(h => h.Id).ToHashSet();
                    if (i > 240)
                        throw new TimeoutException($"remote builders not ready after 120 s: {string.Join("; ", listed.Select(h => $"{h.Name} ready={h.Ready}"))}\n" +
                            await hosts.ExecAsync(a, "tail -n 30 /var/log/koji-farm-kojid.log /var/log/kojid.log 2>&1 || true"));
                    await Task.Delay(500);
                }
            });

            var task = await steps.Run("newRepo for a build tag", async () =>
            {
                await hub.EnsureLoggedInAsync();
                await hub.CallAsync(new KojiCall("createTag", "remote-build", new KojiKwargs { { "arches", "x86_64" } }));
                await hub.CallAsync(new KojiCall("createTag", "remote-dest"));
                await hub.CallAsync(new KojiCall("createBuildTarget", "remote-target", "remote-build", "remote-dest"));
                return Int(await hub.CallAsync(new KojiCall("newRepo", "remote-build")));
            });
            await steps.Run("repo READY", async () =>
            {
                for (var i = 0; ; i++)
                {
                    var state = (await hub.GetTaskInfoAsync(task, CancellationToken.None)).State;
                    if (state == TaskState.Closed)
                        break;
                    Assert.True(state is TaskState.Free or TaskState.Open or TaskState.Assigned, $"newRepo task {task} ended in state {state.KojiName()}");
                    if (i > 360)
                        throw new TimeoutException($"newRepo task {task} not closed after 180 s (state {state})");
                    await Task.Delay(500);
                }
                var repo = Struct(await hub.CallAsync(new KojiCall("getRepo", "remote-build")));
                Assert.Equal(RepoState.Ready, (RepoState)Int(repo["state"]));
            });
            var createrepo = (await hub.GetTaskChildrenAsync(task, CancellationToken.None)).Where(t => t.Method == "createrepo").ToList();
            Assert.NotEmpty(createrepo);
            Assert.All(createrepo, t => Assert.Contains(t.HostId!.Value, ids));

            up = await steps.Run("up again: nothing to do", () => Support.Cli.RunAsync("up", "--stack", file));
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains($"remote {stack}-remote-a (127.0.0.1:{a.Port}): up to date", up.Out);
            Assert.Contains($"remote {stack}-remote-b (127.0.0.1:{b.Port}): up to date", up.Out);

            var status = await steps.Run("status", () => Support.Cli.RunAsync("status", "--stack", file, "--output", "json"));
            Assert.Contains("\"kojidRunning\": true", status.Out);

            await File.WriteAllTextAsync(file, Yaml(remotes.Take(1)));
            up = await steps.Run("up: host b removed from the stack", () => Support.Cli.RunAsync("up", "--stack", file));
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.False((await hub.GetHostAsync($"{stack}-remote-b", CancellationToken.None))!.Enabled);
            Assert.Equal("", (await hosts.ExecAsync(b, "pgrep -f '^/usr/bin/python3 /opt/koji-farm/sbin/kojid' || true")).Trim());
        }
        finally
        {
            // The hosts first: containers still on the farm's network would keep `down` from removing it.
            await hosts.DisposeAsync();
            var down = await steps.Run("down --purge", () => Support.Cli.RunAsync("down", "--stack", file, "--purge", "--yes"));
            output.WriteLine(down.ToString());
            Assert.True(down.ExitCode == 0, down.ToString());
            Directory.Delete(dir, recursive: true);
        }
    }
}
