using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using Xunit.Abstractions;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>
/// A helper container (a backup's, a buildroot import's) that a killed run left, on the real engine:
/// found by its labels, not counted as the farm, and removed by the next helper, `up` and `down`.
/// </summary>
public class HelperContainerTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task A_helper_a_killed_run_left_is_replaced_by_the_next_and_removed_by_up_and_by_down()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 0, web: false);
        await Farm.UpAsync(plan, Events());
        var helper = new HelperContainer(stack, "backup", TestEngine.Sleeper.Reference,
            [new Mount($"koji-farm-{stack}-data", TestFarm.DataMount, true)], new Dictionary<string, string> { [Labels.StateDir] = "/nowhere" });

        // Made and never disposed: the run that made it was killed.
        var left = await Engine.CreateHelperAsync(helper, None);

        var labels = (await Engine.InspectContainerAsync(left.Id, None))!.Config!.Labels;
        Assert.Equal(stack, labels[Labels.Stack]);
        Assert.Equal("backup", labels[Labels.Purpose]);
        var listed = Assert.Single((await new FarmInventory(Engine).ListAsync(None)), f => f.Stack == stack);
        Assert.Equal((2, 2), (listed.Healthy, listed.Total));
        Assert.Contains($"{stack}-backup", listed.Containers);
        Assert.True((await Farm.StatusAsync(stack, plan)).AllHealthy);

        // The next backup finds the leftover by name and makes its own.
        await using (var next = await Engine.CreateHelperAsync(helper, None))
        {
            Assert.NotEqual(left.Id, next.Id);
            Assert.Null(await Engine.InspectContainerAsync(left.Id, None));
        }
        Assert.Null(await Engine.InspectContainerAsync(helper.Name, None));

        // `up` removes a leftover and keeps the farm as it is.
        var before = (await ContainersAsync(stack)).Where(c => c.Key != helper.Name).ToDictionary();
        await Engine.CreateHelperAsync(helper, None);
        var up = await Farm.UpAsync(plan, Events());
        Assert.Equal("helper container left by an interrupted run", up.Steps.Single(s => s.Name == helper.Name && s.Action == StepAction.Remove).Cause);
        Assert.Equal(before, await ContainersAsync(stack));

        // So does `down`.
        await Engine.CreateHelperAsync(helper, None);
        var down = await Farm.DownAsync(stack, purge: false, Events());
        Assert.Contains(helper.Name, down.RemovedContainers);
        Assert.Empty(await Engine.ListContainersAsync(stack, None));
    }
}
