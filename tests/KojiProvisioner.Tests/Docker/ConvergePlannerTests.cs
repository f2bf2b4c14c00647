using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Tests.Docker;

public class ConvergePlannerTests
{
    private static IEnumerable<ConvergeStep> Changes(ConvergePlan plan) => plan.Steps.Where(s => s.IsChange);

    private static string Line(StepAction action, string name) => $"{action} {name}";

    private static IEnumerable<string> ContainerChanges(ConvergePlan plan) =>
        Changes(plan).Where(s => s.Kind == ResourceKind.Container).Select(s => Line(s.Action, s.Name));

    [Fact]
    public void From_nothing_creates_network_volumes_images_and_every_container_in_dependency_order()
    {
        var plan = SampleFarm.Plan();

        var converge = ConvergePlanner.Plan(plan, ObservedFarm.Empty("demo"));

        Assert.Equal(
            """
            create    network    koji-farm-demo               not found
            create    volume     koji-farm-demo-db            not found
            create    volume     koji-farm-demo-mnt-koji      not found
            build     image      koji-farm/db:ba9876543210    not found
            build     image      koji-farm/koji:0123456789ab  not found
            create    container  demo-db                      not found
            create    container  demo-hub                     not found
            create    container  demo-web                     not found
            create    container  demo-kojira                  not found
            create    container  demo-builder-1               not found
            create    container  demo-builder-2               not found

            """.ReplaceLineEndings("\n"),
            converge.ToString());
        Assert.Equal(9, converge.Summary[StepAction.Create]);
        Assert.Equal(2, converge.Summary[StepAction.Build]);
        Assert.Equal("9 to create, 2 to build, 0 unchanged", converge.SummaryText);
    }

    [Fact]
    public void A_converged_farm_needs_no_change()
    {
        var plan = SampleFarm.Plan();

        var converge = ConvergePlanner.Plan(plan, SampleFarm.Converged(plan));

        Assert.False(converge.HasChanges);
        Assert.Empty(Changes(converge));
        Assert.Equal("no changes, 11 unchanged", converge.SummaryText);
        Assert.All(converge.Of(ResourceKind.Container), s => Assert.Equal("up to date", s.Cause));
        // read healthy for this plan: `up` does not inspect them a second time
        Assert.All(converge.Of(ResourceKind.Container), s => Assert.True(s.SeenHealthy, s.Name));
    }

    [Fact]
    public void Two_builders_to_three_creates_only_the_third()
    {
        var observed = SampleFarm.Converged(SampleFarm.Plan(builders: 2));

        var converge = ConvergePlanner.Plan(SampleFarm.Plan(builders: 3), observed);

        Assert.Equal([Line(StepAction.Create, "demo-builder-3")], ContainerChanges(converge));
        Assert.Matches(@"(?m)^create\s+container\s+demo-builder-3\s+not found$", converge.ToString());
    }

    [Fact]
    public void Three_builders_to_one_removes_two_as_orphans_before_any_container_starts()
    {
        var observed = SampleFarm.Converged(SampleFarm.Plan(builders: 3));

        var converge = ConvergePlanner.Plan(SampleFarm.Plan(builders: 1), observed);

        Assert.Equal([Line(StepAction.Remove, "demo-builder-2"), Line(StepAction.Remove, "demo-builder-3")], ContainerChanges(converge));
        var removal = converge.Steps.Single(s => s.Name == "demo-builder-3");
        Assert.Equal("orphaned container: not in the plan", removal.Cause);
        Assert.Equal("id-demo-builder-3", removal.ExistingId);
        var firstContainer = converge.Steps.First(s => s.Kind == ResourceKind.Container);
        Assert.Equal(StepAction.Remove, firstContainer.Action);
        Assert.Equal(2, converge.Summary[StepAction.Remove]);
    }

    [Fact]
    public void A_changed_hub_config_recreates_the_hub_only()
    {
        var observed = SampleFarm.Converged(SampleFarm.Plan());
        var changed = SampleFarm.Plan(change: c => c.Role == Roles.Hub
            ? c with { Environment = new Dictionary<string, string> { ["ROLE"] = "hub", ["RunInterval"] = "5" } }
            : c);

        var converge = ConvergePlanner.Plan(changed, observed);

        Assert.Equal([Line(StepAction.Recreate, "demo-hub")], ContainerChanges(converge));
        Assert.StartsWith("config hash diverged", converge.Steps.Single(s => s.Name == "demo-hub").Cause);
    }

    [Fact]
    public void A_rebuilt_image_recreates_the_containers_that_run_it()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        var rebuilt = observed with
        {
            ImageIds = new Dictionary<string, string>(observed.ImageIds) { [SampleFarm.KojiImage] = "sha256:feedface" },
        };

        var converge = ConvergePlanner.Plan(plan, rebuilt);

        Assert.DoesNotContain(Line(StepAction.Recreate, "demo-db"), ContainerChanges(converge));
        Assert.Equal(5, converge.Summary[StepAction.Recreate]);
        Assert.All(converge.Steps.Where(s => s.Action == StepAction.Recreate), s => Assert.StartsWith("image changed", s.Cause));
    }

    [Fact]
    public void A_stopped_container_is_started_not_recreated()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = observed.Containers
                .Select(c => c.Name == "demo-web" ? c with { State = ContainerStates.Exited, Health = "unhealthy", ExitCode = 137 } : c)
                .ToList(),
        };

        var converge = ConvergePlanner.Plan(plan, observed);

        Assert.Equal([Line(StepAction.Start, "demo-web")], ContainerChanges(converge));
        Assert.Equal("stopped (exit code 137)", converge.Steps.Single(s => s.Name == "demo-web").Cause);
    }

    [Fact]
    public void A_container_created_but_never_started_is_recreated_because_its_files_may_be_missing()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = observed.Containers
                .Select(c => c.Name == "demo-hub" ? c with { State = ContainerStates.Created, Health = "starting", EverStarted = false } : c)
                .ToList(),
        };

        var converge = ConvergePlanner.Plan(plan, observed);

        Assert.Equal([Line(StepAction.Recreate, "demo-hub")], ContainerChanges(converge));
        Assert.Contains("never started", converge.Steps.Single(s => s.Name == "demo-hub").Cause);
    }

    [Fact]
    public void An_orphan_with_an_unknown_role_is_removed()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = [.. observed.Containers, new ObservedContainer("id-x", "demo-old", "tool", "h", "sha256:x", "running", null, true)],
        };

        var converge = ConvergePlanner.Plan(plan, observed);

        Assert.Equal([Line(StepAction.Remove, "demo-old")], ContainerChanges(converge));
    }

    [Fact]
    public void Volumes_are_never_removed_or_recreated_by_up()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan) with
        {
            Volumes = ["koji-farm-demo-db", "koji-farm-demo-mnt-koji", "koji-farm-demo-old-data"],
        };
        var noVolumes = plan with { Volumes = [] };

        var converge = ConvergePlanner.Plan(noVolumes, observed);

        Assert.All(converge.Of(ResourceKind.Volume), s => Assert.Equal(StepAction.Keep, s.Action));
        Assert.Equal(3, converge.Of(ResourceKind.Volume).Count());
        Assert.Contains("only down --purge removes volumes", converge.Steps.Single(s => s.Name == "koji-farm-demo-old-data").Cause);
    }

    [Fact]
    public void A_missing_volume_is_created_and_the_rest_is_kept()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan) with { Volumes = ["koji-farm-demo-db"] };

        var converge = ConvergePlanner.Plan(plan, observed);

        Assert.Equal([Line(StepAction.Create, "koji-farm-demo-mnt-koji")], Changes(converge).Select(s => Line(s.Action, s.Name)));
    }

    [Fact]
    public void An_unhealthy_running_container_is_kept_and_waited_for()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = observed.Containers.Select(c => c.Name == "demo-hub" ? c with { Health = "starting" } : c).ToList(),
        };

        var converge = ConvergePlanner.Plan(plan, observed);

        Assert.False(converge.HasChanges);
        Assert.Equal("up to date, starting: waits for it", converge.Steps.Single(s => s.Name == "demo-hub").Cause);
        Assert.False(converge.Steps.Single(s => s.Name == "demo-hub").SeenHealthy);
        Assert.True(converge.Steps.Single(s => s.Name == "demo-db").SeenHealthy);
    }

    [Fact]
    public void Adding_a_dependency_does_not_change_the_config_hash()
    {
        var plan = SampleFarm.Plan();
        var hub = plan.Container("demo-hub");

        Assert.Equal(ConfigHash.Of(hub), ConfigHash.Of(hub with { DependsOn = ["demo-db", "demo-other"] }));
    }

    [Fact]
    public void A_plan_for_another_stack_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ConvergePlanner.Plan(SampleFarm.Plan("a"), ObservedFarm.Empty("b")));
    }

    [Fact]
    public void A_helper_container_a_killed_run_left_is_removed_first_and_said_to_be_one()
    {
        var plan = SampleFarm.Plan();
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = [.. observed.Containers,
                new ObservedContainer("id-h", "demo-buildroot-import", Roles.Helper, "", "sha256:b", ContainerStates.Created, null, EverStarted: false)],
        };

        var converge = ConvergePlanner.Plan(plan, observed);

        // The farm itself is kept as it is: only the helper goes.
        Assert.Equal([Line(StepAction.Remove, "demo-buildroot-import")], ContainerChanges(converge));
        var removal = converge.Steps.Single(s => s.Name == "demo-buildroot-import");
        Assert.Equal("helper container left by an interrupted run", removal.Cause);
        Assert.Equal("id-h", removal.ExistingId);
    }
}
