using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Flock;
using KojiProvisioner.Koji;
using KojiProvisioner.Tests.Content;

namespace KojiProvisioner.Tests.Flock;

/// <summary>`flock build --dry-run`: the plan from the specs and the hub, and not one write.</summary>
public sealed class FlockBuildDryRunTests
{
    private const string LibCommit = "1111111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ToolsCommit = "2222222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string AppCommit = "3333333333cccccccccccccccccccccccccccccc";

    private sealed class Specs : IFlockSource
    {
        public Task<FlockSpec> ReadAsync(FlockItem item, CancellationToken ct) => Task.FromResult(item.Name switch
        {
            "lib" => new FlockSpec(LibCommit, "Name: lib\nBuildRequires: gcc\n"),
            "tools" => new FlockSpec(ToolsCommit, "Name: tools\nBuildRequires: lib-devel, lib >= 1.0\n"),
            _ => new FlockSpec(AppCommit, "Name: app\nBuildRequires: lib\nBuildRequires: tools\n"),
        });
    }

    /// <summary>
    /// A hub with the line's target, lib built from the commit its ref is now, and tools built only
    /// from an older commit; app was never built.
    /// </summary>
    private static async Task<(FakeKojiHub Hub, IReadOnlyList<FlockItem> Items)> HubAsync()
    {
        var content = FlockTestContent.WithFlock(FlockTestContent.Flock);
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, content, prune: false));
        hub.AddBuild("lib", "lib-1.0-1", $"git://git.example/lib#{LibCommit}");
        hub.AddBuild("tools", "tools-0.9-1", "git+https://git.example/tools.git?pkg/centos#0000000000dddddddddddddddddddddddddddddd");
        return (hub, FlockPlan.Select(content, [], null));
    }

    [Fact]
    public async Task Dry_run_prints_layers_submissions_and_skip_reasons_and_writes_nothing()
    {
        var (hub, items) = await HubAsync();
        var writes = hub.Writes;
        var logins = hub.Logins;
        var progress = new List<string>();
        var builder = new FlockBuilder(hub, new Specs(), new FlockUrls("https://files", "https://web"), new CallbackProgress<string>(progress.Add));

        var plan = await builder.PlanAsync(items, CancellationToken.None);

        Assert.Equal(writes, hub.Writes);
        Assert.Equal(logins, hub.Logins);
        Assert.DoesNotContain(hub.Calls, c => c.Method is "build" or "repo.request");
        Assert.Equal(
        [
            "layer 1: nothing to submit",
            "  skip   lib  lib-1.0-1 is already built from commit 1111111111aa",
            "layer 2: after a repo of line-build that holds layer 1's builds",
            "  submit tools  git+https://git.example/tools.git?pkg/centos#v2 to line: not built from commit 2222222222bb yet; BuildRequires lib (skipped if one of them fails)",
            "layer 3: after a repo of line-build that holds layer 2's builds",
            "  submit app  git://git.example/app#master to line: not built from commit 3333333333cc yet; BuildRequires lib, tools (skipped if one of them fails)",
            "2 build(s) would be submitted in 3 layer(s); dry run: nothing was sent to the hub",
        ], plan.Lines());
        Assert.Contains(progress, l => l.EndsWith("lib: lib-1.0-1 is already built from this commit: not submitted", StringComparison.Ordinal));
        Assert.Equal("https://files/packages/lib/lib-1.0-1/data/logs/noarch/build.log", plan.Builds.Single(b => b.Item.Name == "lib").Built!.LogUrl);
    }

    [Fact]
    public async Task When_every_package_is_built_at_its_ref_the_plan_submits_nothing()
    {
        var (hub, items) = await HubAsync();
        hub.AddBuild("tools", "tools-1.0-1", $"git+https://git.example/tools.git?pkg/centos#{ToolsCommit}");
        hub.AddBuild("app", "app-1.0-1", $"git://git.example/app#{AppCommit}");
        var builder = new FlockBuilder(hub, new Specs(), new FlockUrls("https://files", "https://web"), null);

        var plan = await builder.PlanAsync(items, CancellationToken.None);

        Assert.Equal(0, plan.Submitted);
        Assert.All(plan.Builds, b => Assert.False(b.Submit));
        Assert.Equal("all 3 package(s) are built at their refs: nothing would be submitted", plan.Lines()[^1]);
        Assert.Empty(plan.Layers.SelectMany(FlockBuildPlan.RepoWaits));
    }

    [Fact]
    public async Task A_target_missing_on_the_hub_is_named_before_anything_is_planned()
    {
        var (_, items) = await HubAsync();
        var builder = new FlockBuilder(new FakeKojiHub(), new Specs(), new FlockUrls("https://files", "https://web"), null);
        var e = await Assert.ThrowsAsync<ContentException>(() => builder.PlanAsync(items, CancellationToken.None));
        Assert.Contains("target 'line' does not exist on the hub", e.Message);
    }
}
