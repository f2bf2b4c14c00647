using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

public class UpTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task Up_from_nothing_makes_every_container_healthy_and_a_second_up_changes_nothing()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 2);
        var healthyOrder = new List<string>();
        var hooks = plan.Containers.Select(c => new HookStep(c.Name, "test", "note", c.Name, "healthy")).ToList();
        Task<IReadOnlyList<string>> OnHealthy(HookStep h, CancellationToken _)
        {
            lock (healthyOrder)
                healthyOrder.Add(h.After);
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var first = await Farm.UpAsync(plan, Events(), hooks, OnHealthy);

        Assert.Equal(1 + 1 + 5, first.Summary[StepAction.Create]); // network, volume, containers
        var status = await Farm.StatusAsync(stack, plan);
        Assert.True(status.AllHealthy, string.Join("\n", status.Containers));
        Assert.Equal(5, status.Containers.Count);
        Assert.Equal($"{stack}-db", healthyOrder[0]);
        Assert.Equal($"{stack}-hub", healthyOrder[1]);
        var before = await ContainersAsync(stack);

        healthyOrder.Clear();
        var second = await Farm.UpAsync(plan, Events(), hooks, OnHealthy);

        Assert.False(second.HasChanges, second.ToString());
        Assert.Equal(before, await ContainersAsync(stack));
        // The hook runs for kept containers too: that is how a re-run finishes an interrupted one.
        Assert.Equal(5, healthyOrder.Count);
    }

    [SkippableFact]
    public async Task Containers_get_their_files_owners_command_environment_and_network_names()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 1);

        await Farm.UpAsync(plan, Events());

        var stat = await Engine.ExecAsync($"{stack}-hub", ["stat", "-c", "%a %u %g", "/etc/sleeper/hub.conf"], None);
        Assert.Equal("640 0 33", stat.Stdout.Trim());
        Assert.Equal("hub ready\n", await ReadAsync($"{stack}-hub", TestFarm.ReadyFile));
        var env = await Engine.ExecAsync($"{stack}-builder-1", ["printenv", "SLEEPER_ROLE"], None);
        Assert.Equal("builder", env.Stdout.Trim());
        var hostname = await Engine.ExecAsync($"{stack}-builder-1", ["hostname"], None);
        Assert.Equal($"{stack}-builder-1", hostname.Stdout.Trim());
        var alias = await Engine.ExecAsync($"{stack}-builder-1", ["getent", "hosts", "hub"], None);
        Assert.True(alias.ExitCode == 0, $"the alias hub does not resolve in the farm network: {alias}");
        var ps = await Engine.ExecAsync($"{stack}-web", ["cat", "/proc/1/cmdline"], None);
        Assert.Equal("/bin/sh\0/usr/local/bin/sleeper\0web\0", ps.Stdout); // ENTRYPOINT kept, Cmd from the plan
    }

    [SkippableFact]
    public async Task Builder_count_up_adds_builders_and_count_down_removes_them_leaving_the_rest_alone()
    {
        await StartAsync();
        var stack = NewStack();
        await Farm.UpAsync(TestFarm.Plan(stack, builders: 1, web: false));
        var before = await ContainersAsync(stack);

        var up = await Farm.UpAsync(TestFarm.Plan(stack, builders: 3, web: false));

        Assert.Equal([$"create {stack}-builder-2", $"create {stack}-builder-3"],
            up.Steps.Where(s => s.IsChange).Select(s => $"{ConvergePlan.Verb(s.Action)} {s.Name}"));
        var scaled = await ContainersAsync(stack);
        Assert.All(before, kv => Assert.Equal(kv.Value, scaled[kv.Key]));
        Assert.Equal(5, scaled.Count);

        var down = await Farm.UpAsync(TestFarm.Plan(stack, builders: 1, web: false));

        Assert.Equal([$"remove {stack}-builder-2", $"remove {stack}-builder-3"],
            down.Steps.Where(s => s.IsChange).Select(s => $"{ConvergePlan.Verb(s.Action)} {s.Name}"));
        Assert.Equal(before, await ContainersAsync(stack));
    }

    [SkippableFact]
    public async Task Changing_one_containers_file_or_environment_recreates_only_that_container()
    {
        await StartAsync();
        var stack = NewStack();
        await Farm.UpAsync(TestFarm.Plan(stack, builders: 2));
        var before = await ContainersAsync(stack);

        var fileChanged = TestFarm.Plan(stack, builders: 2,
            change: c => c.Role == Roles.Web ? TestFarm.WithFile(c, "/etc/sleeper/extra", "v2\n") : c);
        var first = await Farm.UpAsync(fileChanged);

        Assert.Equal([$"recreate {stack}-web"], first.Steps.Where(s => s.IsChange).Select(s => $"{ConvergePlan.Verb(s.Action)} {s.Name}"));
        var afterFile = await ContainersAsync(stack);
        Assert.NotEqual(before[$"{stack}-web"].Id, afterFile[$"{stack}-web"].Id);
        Assert.All(before.Where(kv => kv.Key != $"{stack}-web"), kv => Assert.Equal(kv.Value, afterFile[kv.Key]));
        Assert.Equal("v2\n", await ReadAsync($"{stack}-web", "/etc/sleeper/extra"));

        var envChanged = TestFarm.Plan(stack, builders: 2, change: c =>
        {
            c = c.Role == Roles.Web ? TestFarm.WithFile(c, "/etc/sleeper/extra", "v2\n") : c;
            return c.Name == $"{stack}-builder-1"
                ? c with { Environment = new Dictionary<string, string>(c.Environment) { ["EXTRA"] = "1" } }
                : c;
        });
        var second = await Farm.UpAsync(envChanged);

        Assert.Equal([$"recreate {stack}-builder-1"], second.Steps.Where(s => s.IsChange).Select(s => $"{ConvergePlan.Verb(s.Action)} {s.Name}"));
        Assert.True((await Farm.StatusAsync(stack, envChanged)).AllHealthy);
    }

    [SkippableFact]
    public async Task A_stopped_container_is_started_again_and_a_removed_one_shows_as_missing()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 1);
        await Farm.UpAsync(plan, Events());
        var before = await ContainersAsync(stack);
        await Engine.StopContainerAsync(before[$"{stack}-web"].Id, $"{stack}-web", TimeSpan.FromSeconds(5), None);
        await Engine.RemoveContainerAsync(before[$"{stack}-builder-1"].Id, $"{stack}-builder-1", None);

        var status = await Farm.StatusAsync(stack, plan);

        Assert.False(status.AllHealthy);
        Assert.Equal(ContainerStates.Exited, status.Containers.Single(c => c.Name == $"{stack}-web").State);
        Assert.Equal(ContainerStates.Missing, status.Containers.Single(c => c.Name == $"{stack}-builder-1").State);
        var preview = await Farm.PreviewAsync(plan);
        Assert.Equal([$"start {stack}-web", $"create {stack}-builder-1"],
            preview.Steps.Where(s => s.IsChange).Select(s => $"{ConvergePlan.Verb(s.Action)} {s.Name}"));

        await Farm.UpAsync(plan, Events());

        Assert.True((await Farm.StatusAsync(stack, plan)).AllHealthy);
        Assert.Equal(before[$"{stack}-web"].Id, (await ContainersAsync(stack))[$"{stack}-web"].Id);
    }
}
