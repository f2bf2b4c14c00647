using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Flock;
using KojiProvisioner.Tests.Content;

namespace KojiProvisioner.Tests.Flock;

/// <summary>
/// A layer larger than the builders' job slots: Koji keeps a slot for each build's waiting parent
/// task, so `flock build` opens at most half the slots' builds at once and the rest as they end.
/// </summary>
public sealed class FlockBuildSlotsTests
{
    private sealed class Specs : IFlockSource
    {
        public Task<FlockSpec> ReadAsync(FlockItem item, CancellationToken ct) =>
            Task.FromResult(new FlockSpec($"{item.Name.GetHashCode():x8}".PadRight(40, '0'), $"Name: {item.Name}\nBuildArch: noarch\n"));
    }

    private static async Task<(FakeKojiHub Hub, IReadOnlyList<FlockItem> Items)> SevenPackagesAsync()
    {
        var flock = "package_owner: kojiadmin\nrepositories:\n" + string.Concat(Enumerable.Range(1, 7).Select(i =>
            $"  - {{ name: cfg{i}, url: git://git.example/cfg{i}, ref: master, tags: [line-base], packages: [{{ name: cfg{i}, spec: cfg{i}.spec }}] }}\n"));
        var content = FlockTestContent.WithFlock(flock);
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, content, prune: false));
        hub.CurrentRepos["line-build"] = 1;
        return (hub, FlockPlan.Select(content, [], null));
    }

    private static FlockBuilder Builder(FakeKojiHub hub, List<string> progress, int? jobSlots) =>
        new(hub, new Specs(), new FlockUrls("https://files", "https://web"), new CallbackProgress<string>(progress.Add),
            pollInterval: TimeSpan.FromMilliseconds(1), jobSlots: jobSlots);

    [Fact]
    public async Task Seven_builds_on_two_builders_of_two_slots_are_open_two_at_a_time_and_all_complete()
    {
        var (hub, items) = await SevenPackagesAsync();
        var spec = new BuildersSpec { Count = 2, MaxJobs = 2, Channels = [BuildersSpec.BuildChannel] };
        var progress = new List<string>();

        var report = await Builder(hub, progress, spec.BuildJobSlots()).BuildAsync(items, CancellationToken.None);

        Assert.Equal(2, hub.MostOpenBuilds);
        Assert.Equal(7, report.Submitted);
        Assert.All(report.Rows, r => Assert.Equal(FlockBuildRow.Complete, r.State));
        Assert.Contains(progress, l => l.Contains("layer 1: 7 builds, 2 open at a time (half the builders' 4 job slots", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_slot_count_the_whole_layer_is_submitted_at_once()
    {
        var (hub, items) = await SevenPackagesAsync();
        var report = await Builder(hub, [], null).BuildAsync(items, CancellationToken.None);
        Assert.Equal(7, hub.MostOpenBuilds);
        Assert.True(report.Ok);
    }

    [Fact]
    public void Job_slots_count_local_and_remote_builders_that_take_build_tasks_only()
    {
        var spec = new BuildersSpec
        {
            Count = 3, MaxJobs = 5, Channels = [BuildersSpec.BuildChannel, BuildersSpec.CreaterepoChannel],
            Remote =
            [
                new RemoteBuilderSpec { Name = "big", MaxJobs = 8, Channels = [BuildersSpec.BuildChannel] },
                new RemoteBuilderSpec { Name = "repos-only", MaxJobs = 9, Channels = [BuildersSpec.CreaterepoChannel] },
            ],
        };
        Assert.Equal(23, spec.BuildJobSlots());
        spec.Channels = [BuildersSpec.CreaterepoChannel];
        Assert.Equal(8, spec.BuildJobSlots());
    }
}
