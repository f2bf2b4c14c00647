using System.Diagnostics;
using System.Text.Json;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// Content commands against hubs koji-farm knows nothing of: one farm addressed only through a
/// koji client profile in a temporary home (the koji-farm process sees no stack and no state
/// folder), exported, applied to a second farm's hub named by --hub/--cert/--ca, and pruned there
/// one kind at a time.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class ContentOnAnyHubTests(ITestOutputHelper output)
{
    // a hub and its database are all the content path needs
    private static readonly string[] HubOnly = ["--set", "web.enabled=false", "--set", "kojira.enabled=false"];

    [SkippableFact]
    public async Task A_hub_read_through_a_koji_profile_is_exported_applied_to_another_hub_by_url_and_pruned_by_kind()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        var content = Path.Combine(KojiProvisioner.IntegrationTests.Docker.TestEngine.RepoRoot, "stacks", "starlingx", "content.yaml");
        await using var source = new TestStack("hubsrc", builders: 0, $"content: {content}");
        await using var target = new TestStack("hubdst", builders: 0);

        var up = await steps.Run("up the source farm with the starlingx content", () => source.RunAsync(["up", .. HubOnly]));
        Assert.True(up.ExitCode == 0, up.ToString());
        up = await steps.Run("up the target farm, empty", () => target.RunAsync(["up", .. HubOnly]));
        Assert.True(up.ExitCode == 0, up.ToString());

        // The source's admin profile, as a koji user keeps it: files under ~/.koji, named with ~.
        using var work = new Scratch();
        var koji = Directory.CreateDirectory(Path.Combine(work.Path, "home", ".koji", "source")).FullName;
        Assert.True((await source.RunAsync("client-config")).ExitCode == 0);
        var sourceState = source.Load().StateDirectory;
        File.Copy(Path.Combine(sourceState, "client", "admin.pem"), Path.Combine(koji, "client.pem"));
        File.Copy(Path.Combine(sourceState, "pki", "ca.crt"), Path.Combine(koji, "serverca.crt"));
        Directory.CreateDirectory(Path.Combine(work.Path, "home", ".koji", "config.d"));
        File.WriteAllText(Path.Combine(work.Path, "home", ".koji", "config.d", "source.conf"), $"""
            # the source farm, as its admin reaches it
            [source]
            server = https://localhost:{source.HubPort}/kojihub
            authtype = ssl
            cert = ~/.koji/source/client.pem
            serverca = ~/.koji/source/serverca.crt
            """);
        var exported = Path.Combine(work.Path, "exported.yaml");

        var export = await steps.Run("export the source hub through the profile only", () =>
            Process(work, "content", "export", "--profile", "source", "--out", exported));
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("stx-centos7-build", File.ReadAllText(exported));

        var noStack = await steps.Run("the same process finds no stack of its own", () => Process(work, "content", "diff", "--file", exported));
        Assert.True(noStack.ExitCode == 2, noStack.ToString());
        Assert.Contains("--stack", noStack.Error);
        Assert.Contains("--profile", noStack.Error);
        Assert.Contains("--hub", noStack.Error);

        Assert.True((await target.RunAsync("client-config")).ExitCode == 0);
        var targetState = target.Load().StateDirectory;
        string[] hub = ["--hub", $"https://localhost:{target.HubPort}/kojihub", "--ca", Path.Combine(targetState, "pki", "ca.crt")];
        string[] login = [.. hub, "--cert", Path.Combine(targetState, "client", "admin.pem")];

        var apply = await steps.Run("apply the export to the target hub named by --hub/--cert/--ca", () =>
            Support.Cli.RunAsync(["content", "apply", "--file", exported, "--output", "json", .. login]));
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.True(JsonDocument.Parse(apply.Out).RootElement.GetProperty("writes").GetInt32() > 100, apply.Out);

        var diff = await steps.Run("diff against the target, anonymously, shows no changes", () =>
            Support.Cli.RunAsync(["content", "diff", "--file", exported, "--exit-code", "--output", "json", .. hub]));
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Equal(0, JsonDocument.Parse(diff.Out).RootElement.GetProperty("changes").GetArrayLength());

        // Things the file does not list, of two kinds: a target and a tag.
        using (var client = target.AdminClient())
        {
            await client.LoginAsync();
            await client.CallAsync("createTag", "stray-tag");
            await client.CallAsync("createBuildTarget", "stray-target", "stx-centos7-build", "stx-centos7-candidate");
        }

        var preview = await steps.Run("diff --prune targets says it prunes targets, and only the stray target", () =>
            Support.Cli.RunAsync(["content", "diff", "--file", exported, "--prune", "targets", "--output", "json", .. hub]));
        Assert.True(preview.ExitCode == 0, preview.ToString());
        var doc = JsonDocument.Parse(preview.Out).RootElement;
        Assert.Equal(["targets"], doc.GetProperty("prune").EnumerateArray().Select(e => e.GetString()));
        var change = Assert.Single(doc.GetProperty("changes").EnumerateArray());
        Assert.Equal(("target", "stray-target", "remove"), (change.GetProperty("kind").GetString(), change.GetProperty("name").GetString(), change.GetProperty("action").GetString()));

        var refused = await steps.Run("apply --prune off a terminal without --yes removes nothing", () =>
            Support.Cli.RunAsync(["content", "apply", "--file", exported, "--prune", "targets", .. login]));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("1 target", refused.Error);
        Assert.Contains("--yes", refused.Error);

        var pruned = await steps.Run("apply --prune targets --yes removes the stray target only", () =>
            Support.Cli.RunAsync(["content", "apply", "--file", exported, "--prune", "targets", "--yes", "--output", "json", .. login]));
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        Assert.Equal(1, JsonDocument.Parse(pruned.Out).RootElement.GetProperty("writes").GetInt32());
        using (var client = target.AdminClient())
        {
            Assert.Null(await client.CallAsync("getBuildTarget", "stray-target"));
            Assert.NotNull(await client.CallAsync("getTag", "stray-tag"));
            Assert.NotNull(await client.CallAsync("getBuildTarget", "stx-centos7"));
        }
    }

    /// <summary>koji-farm as its own process, with HOME in the scratch folder and the scratch folder
    /// as its working directory: only the profile there names a hub.</summary>
    private static async Task<CliResult> Process(Scratch work, params string[] args)
    {
        var started = Stopwatch.StartNew();
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "koji-farm.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work.Path,
        };
        info.Environment["HOME"] = Path.Combine(work.Path, "home");
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("KOJIFARM_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr, started.Elapsed);
    }

    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("koji-farm-anyhub-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
