using System.Text.Json;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// The StarlingX content applied to a real hub with the real command: up seeds it, the hub reads
/// back as the file says, re-applying writes nothing, an edit writes only itself, prune blocks, and
/// an exported hub re-applies as a no-op.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class ContentOnRealHubTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Starlingx_content_converges_on_a_real_hub()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        var content = CopyStarlingx();
        await using var stack = new TestStack("content", builders: 0, $"content: {Path.Combine(content, "content.yaml")}");

        var up = await steps.Run("up seeds the starlingx content", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("content:", up.Out);

        var diff = await steps.Run("the hub reads back exactly as the content", () => stack.RunAsync("content", "diff", "--output", "json", "--exit-code"));
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Empty(Changes(diff.Out));

        var again = await steps.Run("apply again writes nothing", () => stack.RunAsync("content", "apply", "--output", "json"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, JsonDocument.Parse(again.Out).RootElement.GetProperty("writes").GetInt32());

        // An edit: one more package in the CentOS base tag.
        var centos = Path.Combine(content, "centos7.yaml");
        var original = File.ReadAllText(centos);
        const string anchor = "    arches: [x86_64]\n    # flock packages";
        Assert.Contains(anchor, original);
        File.WriteAllText(centos, original.Replace(anchor, "    arches: [x86_64]\n    packages: [{ name: koji-farm-probe, owner: stx-releng }]\n    # flock packages", StringComparison.Ordinal));
        Assert.Contains("koji-farm-probe", File.ReadAllText(centos));
        var edited = await steps.Run("diff after an edit shows only the edit", () => stack.RunAsync("content", "diff", "--output", "json", "--exit-code"));
        Assert.True(edited.ExitCode == 3, edited.ToString());
        var editChanges = Changes(edited.Out);
        Assert.Single(editChanges);
        Assert.Contains("koji-farm-probe", editChanges[0]);
        var applied = await steps.Run("apply writes only the edit", () => stack.RunAsync("content", "apply", "--output", "json"));
        Assert.Equal(1, JsonDocument.Parse(applied.Out).RootElement.GetProperty("writes").GetInt32());

        File.WriteAllText(centos, original);
        var pruned = await steps.Run("prune blocks the package the file no longer lists", () => stack.RunAsync("content", "apply", "--prune", "--yes", "--output", "json"));
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        using (var hub = stack.AdminClient())
        {
            var entries = (IEnumerable<object?>)(await hub.CallAsync("listPackages", new KojiProvisioner.Koji.KojiKwargs { { "tagID", "stx-centos7-base" }, { "pkgID", "koji-farm-probe" } }))!;
            var entry = Assert.Single(entries.Cast<IReadOnlyDictionary<string, object?>>());
            Assert.Equal(true, entry["blocked"]);
        }

        var export = await steps.Run("export the hub", () => stack.RunAsync("content", "export", "--out", Path.Combine(stack.Directory, "exported.yaml")));
        Assert.True(export.ExitCode == 0, export.ToString());
        var reapply = await steps.Run("re-applying the exported file changes nothing", () =>
            stack.RunAsync("content", "diff", "--file", Path.Combine(stack.Directory, "exported.yaml"), "--output", "json", "--exit-code"));
        Assert.True(reapply.ExitCode == 0, reapply.ToString());
    }

    private static List<string> Changes(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return root.GetProperty("changes").EnumerateArray().Select(c => c.ToString()).ToList();
    }

    private static string CopyStarlingx()
    {
        var source = Path.Combine(KojiProvisioner.IntegrationTests.Docker.TestEngine.RepoRoot, "stacks", "starlingx");
        var target = Directory.CreateTempSubdirectory("koji-farm-content-").FullName;
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }
}
