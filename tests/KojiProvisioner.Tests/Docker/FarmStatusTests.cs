using KojiProvisioner.Docker;

namespace KojiProvisioner.Tests.Docker;

public class FarmStatusTests
{
    [Fact]
    public void A_converged_farm_is_all_healthy_in_start_order()
    {
        var plan = SampleFarm.Plan();

        var status = FarmStatus.From(SampleFarm.Converged(plan), plan);

        Assert.True(status.AllHealthy);
        Assert.Equal(["demo-db", "demo-hub", "demo-web", "demo-kojira", "demo-builder-1", "demo-builder-2"], status.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Missing_stopped_and_unhealthy_containers_are_problems()
    {
        var plan = SampleFarm.Plan(builders: 2);
        var observed = SampleFarm.Converged(SampleFarm.Plan(builders: 1));
        observed = observed with
        {
            Containers = observed.Containers.Select(c => c.Name switch
            {
                "demo-web" => c with { State = ContainerStates.Exited, ExitCode = 1 },
                "demo-kojira" => c with { Health = "unhealthy" },
                _ => c,
            }).ToList(),
        };

        var status = FarmStatus.From(observed, plan);

        Assert.False(status.AllHealthy);
        Assert.Equal(
            [("demo-web", "exited with code 1"), ("demo-kojira", "unhealthy"), ("demo-builder-2", "missing: run up")],
            status.Problems.Select(p => (p.Name, p.Problem!)));
        Assert.Equal(ContainerStates.Missing, status.Containers.Single(c => c.Name == "demo-builder-2").State);
    }

    [Fact]
    public void Without_a_plan_status_comes_from_labels_db_first()
    {
        var plan = SampleFarm.Plan(builders: 1);

        var status = FarmStatus.From(SampleFarm.Converged(plan), null);

        Assert.True(status.AllHealthy);
        Assert.Equal("demo-db", status.Containers[0].Name);
        Assert.All(status.Containers, c => Assert.False(c.Planned));
    }

    [Fact]
    public void Nothing_on_the_engine_is_not_healthy()
    {
        Assert.False(FarmStatus.From(ObservedFarm.Empty("demo"), null).AllHealthy);
    }

    private static ObservedContainer Helper(string name) =>
        new("id-" + name, name, KojiProvisioner.Farm.Roles.Helper, "", "sha256:p", ContainerStates.Created, null, EverStarted: false);

    [Fact]
    public void A_helper_container_is_listed_but_does_not_make_a_healthy_farm_a_problem()
    {
        var plan = SampleFarm.Plan(builders: 1);
        var observed = SampleFarm.Converged(plan);
        observed = observed with { Containers = [.. observed.Containers, Helper("demo-backup")] };

        var status = FarmStatus.From(observed, plan);

        Assert.True(status.AllHealthy);
        var row = status.Containers.Single(c => c.Name == "demo-backup");
        Assert.Equal((KojiProvisioner.Farm.Roles.Helper, ContainerStates.Created, false), (row.Role, row.State, row.Planned));
        Assert.Empty(status.Problems);
    }

    [Fact]
    public void A_helper_container_alone_is_not_a_healthy_farm()
    {
        var observed = ObservedFarm.Empty("demo") with { Containers = [Helper("demo-buildroot-import")] };

        Assert.False(FarmStatus.From(observed, null).AllHealthy);
        Assert.False(FarmStatus.From(observed, SampleFarm.Plan()).AllHealthy);
    }
}
