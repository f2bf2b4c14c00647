using System.Text.Json;
using KojiProvisioner.IntegrationTests.Docker;
using KojiProvisioner.IntegrationTests.Support;

namespace KojiProvisioner.IntegrationTests.Cli;

/// <summary>The koji-farm command as a user runs it: preview, render, bad input.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("koji-farm-cli-").FullName;
    private readonly string _koji;
    private readonly string _demo = Path.Combine(TestEngine.RepoRoot, "stacks", "demo.yaml");

    public CommandLineTests()
    {
        _koji = Path.Combine(_dir, "koji-src.tar.gz");
        File.WriteAllText(_koji, "hashed for the image tag; never built by these tests");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Demo(params string[] args) =>
        [.. args, "--stack", _demo, "--set", $"koji.path={_koji}", "--set", "name=clitest", "--set", $"stateDir={Path.Combine(_dir, "state")}"];

    [Fact]
    public async Task Preview_json_lists_every_part_of_the_demo_farm_and_what_up_would_create_and_writes_nothing()
    {
        var result = await Support.Cli.RunAsync(Demo("preview", "--output", "json"));
        Assert.True(result.ExitCode == 0, result.ToString());
        var root = JsonDocument.Parse(result.Out).RootElement;
        var names = root.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["clitest-db", "clitest-hub", "clitest-web", "clitest-kojira", "clitest-builder-1", "clitest-builder-2"], names);
        var hub = root.GetProperty("containers")[1];
        Assert.Equal("127.0.0.1:8443->443", hub.GetProperty("ports")[0].GetString());
        Assert.Equal("clitest-db", hub.GetProperty("dependsOn")[0].GetString());
        // An engine answers here: nothing of this stack exists, so up would create it all.
        var changes = root.GetProperty("changes").EnumerateArray().ToList();
        Assert.Contains(changes, c => c.GetProperty("name").GetString() == "clitest-builder-2" && c.GetProperty("action").GetString() == "create");
        Assert.False(Directory.Exists(Path.Combine(_dir, "state")), "preview must not write the state folder");
    }

    [Fact]
    public async Task Render_writes_every_file_of_every_container_with_private_keys_private()
    {
        var outDir = Path.Combine(_dir, "rendered");
        var result = await Support.Cli.RunAsync(Demo("render", "--out", outDir));
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in new[]
                 {
                     "clitest-hub/etc/koji-hub/hub.conf", "clitest-hub/etc/koji-farm/httpd/kojihub.conf", "clitest-hub/etc/koji-farm/pki/server.key",
                     "clitest-web/etc/kojiweb/web.conf", "clitest-kojira/etc/kojira/kojira.conf", "clitest-builder-2/etc/kojid/kojid.conf",
                     "clitest-db/etc/koji-farm/secrets/db-password", "client/clitest.conf",
                 })
            Assert.True(File.Exists(Path.Combine(outDir, file)), $"{file} not rendered");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(outDir, "clitest-hub/etc/koji-farm/pki/server.key")));
        var hubConf = File.ReadAllText(Path.Combine(outDir, "clitest-hub/etc/koji-hub/hub.conf"));
        Assert.Contains("ProxyDNs = CN=kojiweb,OU=kojiweb,O=Demo Builders", hubConf);
        Assert.Contains("RunInterval = 5", hubConf);

        // A second render reuses the CA made by the first.
        var ca = File.ReadAllText(Path.Combine(_dir, "state", "pki", "ca.crt"));
        var again = await Support.Cli.RunAsync(Demo("render", "--out", outDir));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(ca, File.ReadAllText(Path.Combine(_dir, "state", "pki", "ca.crt")));
    }

    [Fact]
    public async Task Bad_stack_exits_2_with_one_message_and_writes_nothing()
    {
        var result = await Support.Cli.RunAsync(Demo("up", "--set", "builders.count=-3"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"koji-farm: --set builders.count: builders.count: must be from 0 to 64 (more builders go on other machines: builders.remote), got -3", result.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "state")));
    }
}
