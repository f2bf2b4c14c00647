using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

public class FailureTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task A_container_that_exits_is_named_with_its_exit_code_and_output_and_its_dependents_never_start()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 1, change: c => c.Role == Roles.Hub
            ? c with { Command = ["fail"], RestartPolicy = "no" }
            : c);

        var e = await Assert.ThrowsAsync<FarmException>(() => Farm.UpAsync(plan, Events()));

        Assert.Contains($"container {stack}-hub exited with code 3", e.Message);
        Assert.Contains("sleeper: asked to fail", e.Message);
        var names = (await ContainersAsync(stack)).Keys;
        Assert.DoesNotContain($"{stack}-web", names);
        Assert.DoesNotContain($"{stack}-builder-1", names);
    }

    [SkippableFact]
    public async Task A_health_check_that_never_passes_times_out_naming_the_container_and_the_check_output()
    {
        await StartAsync(TestEngine.Options with { HealthTimeout = TimeSpan.FromSeconds(4) });
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 0, change: c => c.Role == Roles.Web
            ? c with { Health = TestFarm.Ready with { Test = ["CMD-SHELL", "echo web is not ready yet; exit 1"] } }
            : c);

        var e = await Assert.ThrowsAsync<FarmException>(() => Farm.UpAsync(plan, Events()));

        Assert.Contains($"container {stack}-web did not become healthy within 4 s", e.Message);
        Assert.Contains("web is not ready yet", e.Message);
    }

    [SkippableFact]
    public async Task A_failed_build_raises_the_last_lines_of_its_output()
    {
        await StartAsync();
        var image = new ImageSpec($"koji-farm-test/broken:{Guid.NewGuid():N}", "broken",
            new Dictionary<string, string> { ["BASE_IMAGE"] = TestEngine.BaseImage }, new Dictionary<string, string>());
        await using var context = FileArchive.BuildContext(image, TestEngine.Recipes);

        var e = await Assert.ThrowsAsync<FarmException>(() => Engine.BuildImageAsync(image, context, null, null, None));

        Assert.Contains($"building image {image.Reference} from recipe broken failed", e.Message);
        Assert.Contains("this recipe fails on purpose", e.Message);
        Assert.Contains("7", e.Message);
    }

    [SkippableFact]
    public async Task A_name_taken_by_a_container_of_no_stack_is_a_clear_error()
    {
        await StartAsync();
        var stack = NewStack();
        var plan = TestFarm.Plan(stack, builders: 0, web: false);
        var squatter = new global::Docker.DotNet.Models.CreateContainerParameters { Name = $"{stack}-db", Image = TestEngine.Sleeper.Reference };
        var id = await Engine.CreateContainerAsync(squatter, None);
        try
        {
            var e = await Assert.ThrowsAsync<FarmException>(() => Farm.UpAsync(plan, Events()));

            Assert.Contains($"creating container {stack}-db: a container with that name exists but is not part of stack {stack}", e.Message);
        }
        finally
        {
            await Engine.RemoveContainerAsync(id, squatter.Name, None);
        }
    }
}
