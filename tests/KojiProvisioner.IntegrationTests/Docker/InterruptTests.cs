using KojiProvisioner.Docker;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

public class InterruptTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task Up_cancelled_half_way_is_finished_by_the_next_up()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 2);
        using var cts = new CancellationTokenSource();
        // Ctrl-C right after the hub is created, before its files are copied in.
        var events = Events(e =>
        {
            if (e.Step == FarmStep.Create && e.Resource == $"{stack}-hub")
                cts.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Farm.UpAsync(plan, events, ct: cts.Token));

        var left = await new FarmObserver(Engine).ObserveAsync(stack, [], None);
        Assert.Equal([$"{stack}-db", $"{stack}-hub"], left.Containers.Select(c => c.Name));
        Assert.False(left.Container($"{stack}-hub")!.EverStarted);
        var preview = await Farm.PreviewAsync(plan);
        Assert.Contains("never started", preview.Steps.Single(s => s.Name == $"{stack}-hub").Cause);

        var again = await Farm.UpAsync(plan, Events());

        Assert.Equal(StepAction.Keep, again.Steps.Single(s => s.Name == $"{stack}-db").Action);
        Assert.True((await Farm.StatusAsync(stack, plan)).AllHealthy);
        Assert.False((await Farm.PreviewAsync(plan)).HasChanges);
        Assert.Equal(plan.Containers.Select(c => c.Name).Order(), (await ContainersAsync(stack)).Keys.Order());
        Assert.Equal("hub ready\n", await ReadAsync($"{stack}-hub", TestFarm.ReadyFile));
    }

    [SkippableFact]
    public async Task A_container_left_created_but_never_started_is_recreated_with_its_files()
    {
        // What a SIGKILL between create and copy-in leaves behind: our labels, the right config
        // hash, no files, never started.
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 1);
        await Farm.UpAsync(plan, Events());
        var web = plan.Container($"{stack}-web");
        var old = await ContainersAsync(stack);
        await Engine.RemoveContainerAsync(old[web.Name].Id, web.Name, None);
        var halfMade = await Engine.CreateContainerAsync(ContainerParameters.From(web, stack, plan.Network.Name), None);

        var up = await Farm.UpAsync(plan, Events());

        var step = up.Steps.Single(s => s.Name == web.Name);
        Assert.Equal(StepAction.Recreate, step.Action);
        Assert.Contains("never started", step.Cause);
        Assert.NotEqual(halfMade, (await ContainersAsync(stack))[web.Name].Id);
        Assert.Equal("web ready\n", await ReadAsync(web.Name, TestFarm.ReadyFile));
        Assert.True((await Farm.StatusAsync(stack, plan)).AllHealthy);
    }
}
