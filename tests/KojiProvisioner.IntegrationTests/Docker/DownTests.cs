using KojiProvisioner.Docker;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

public class DownTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task A_file_in_a_volume_survives_down_and_up()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 0, web: false);
        await Farm.UpAsync(plan, Events());
        var write = await Engine.ExecAsync($"{stack}-db", ["sh", "-c", "echo kept > /data/keep"], None);
        Assert.Equal(0, write.ExitCode);

        var down = await Farm.DownAsync(stack, purge: false);

        Assert.Equal([$"{stack}-db", $"{stack}-hub"], down.RemovedContainers);
        Assert.Equal([$"koji-farm-{stack}"], down.RemovedNetworks);
        Assert.Equal([$"koji-farm-{stack}-data"], down.KeptVolumes);
        Assert.Empty(down.RemovedVolumes);
        Assert.Empty(await Engine.ListContainersAsync(stack, None));
        Assert.Empty(await Engine.ListNetworksAsync(stack, None));

        var up = await Farm.UpAsync(plan, Events());

        Assert.Equal(StepAction.Keep, up.Steps.Single(s => s.Kind == ResourceKind.Volume).Action);
        Assert.Equal("kept\n", await ReadAsync($"{stack}-hub", "/data/keep"));
    }

    [SkippableFact]
    public async Task Down_purge_leaves_no_container_network_or_volume_with_the_stack_label_and_can_run_again()
    {
        await StartAsync();
        var stack = NewStack();
        await Farm.UpAsync(TestFarm.Plan(stack, builders: 2));
        var events = Events();

        var down = await Farm.DownAsync(stack, purge: true, events);

        Assert.Equal(5, down.RemovedContainers.Count);
        Assert.Equal([$"koji-farm-{stack}-data"], down.RemovedVolumes);
        Assert.Empty(down.KeptVolumes);
        Assert.Empty(await Engine.ListContainersAsync(stack, None));
        Assert.Empty(await Engine.ListNetworksAsync(stack, None));
        Assert.Empty(await Engine.ListVolumesAsync(stack, None));
        // Builders went before the hub, the hub before the database.
        var removals = events.Events.Where(e => e.Step == FarmStep.Remove).Select(e => e.Resource).ToList();
        Assert.True(removals.IndexOf($"{stack}-builder-1") < removals.IndexOf($"{stack}-hub"), events.ToString());
        Assert.True(removals.IndexOf($"{stack}-hub") < removals.IndexOf($"{stack}-db"), events.ToString());

        var again = await Farm.DownAsync(stack, purge: true);

        Assert.Empty(again.RemovedContainers);
        Assert.Empty(again.Warnings);
    }

    [SkippableFact]
    public async Task Two_stacks_side_by_side_never_touch_each_other()
    {
        await StartAsync();
        var a = NewStack();
        var b = NewStack();
        await Task.WhenAll(Farm.UpAsync(TestFarm.Plan(a, builders: 1)), Farm.UpAsync(TestFarm.Plan(b, builders: 2)));
        var bBefore = await ContainersAsync(b);

        // Scaling a down and taking it away must leave b exactly as it was.
        await Farm.UpAsync(TestFarm.Plan(a, builders: 0));
        await Farm.DownAsync(a, purge: true);

        Assert.Empty(await Engine.ListContainersAsync(a, None));
        Assert.Empty(await Engine.ListVolumesAsync(a, None));
        Assert.Equal(bBefore, await ContainersAsync(b));
        Assert.True((await Farm.StatusAsync(b, TestFarm.Plan(b, builders: 2))).AllHealthy);
        Assert.Equal([$"koji-farm-{b}-data"], await Engine.ListVolumesAsync(b, None));
    }
}
