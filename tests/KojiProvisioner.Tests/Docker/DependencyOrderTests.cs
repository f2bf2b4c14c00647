using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Tests.Docker;

public class DependencyOrderTests
{
    [Fact]
    public void Database_then_hub_then_everything_that_needs_the_hub_in_one_parallel_level()
    {
        var levels = DependencyOrder.Levels(SampleFarm.Plan(builders: 2).Containers);

        Assert.Equal(
            [["demo-db"], ["demo-hub"], ["demo-web", "demo-kojira", "demo-builder-1", "demo-builder-2"]],
            levels.Select(l => l.Select(c => c.Name).ToArray()).ToArray());
    }

    [Fact]
    public void Start_order_does_not_depend_on_plan_order()
    {
        var shuffled = SampleFarm.Plan().Containers.Reverse().ToList();

        var order = DependencyOrder.StartOrder(shuffled).Select(c => c.Name).ToList();

        Assert.True(order.IndexOf("demo-db") < order.IndexOf("demo-hub"));
        Assert.True(order.IndexOf("demo-hub") < order.IndexOf("demo-web"));
        Assert.True(order.IndexOf("demo-hub") < order.IndexOf("demo-builder-1"));
    }

    [Fact]
    public void Teardown_stops_builders_and_kojira_first_then_web_hub_db()
    {
        var roles = new[] { Roles.Db, Roles.Builder, Roles.Hub, Roles.Web, Roles.Kojira, Roles.Builder };

        var groups = DependencyOrder.TeardownGroups(roles, r => r);

        Assert.Equal(
            [[Roles.Builder, Roles.Kojira, Roles.Builder], [Roles.Web], [Roles.Hub], [Roles.Db]],
            groups.Select(g => g.ToArray()).ToArray());
    }

    [Fact]
    public void An_unknown_dependency_is_named()
    {
        var plan = SampleFarm.Plan();
        var broken = plan.Containers.Select(c => c.Name == "demo-web" ? c with { DependsOn = ["demo-proxy"] } : c).ToList();

        var e = Assert.Throws<InputException>(() => DependencyOrder.Levels(broken));

        Assert.Contains("demo-web depends on demo-proxy", e.Message);
    }

    [Fact]
    public void A_cycle_is_refused_with_the_containers_in_it()
    {
        var plan = SampleFarm.Plan(builders: 0);
        var cyclic = plan.Containers.Select(c => c.Name == "demo-db" ? c with { DependsOn = ["demo-web"] } : c).ToList();

        var e = Assert.Throws<InputException>(() => DependencyOrder.Levels(cyclic));

        Assert.Contains("cycle", e.Message);
        Assert.Contains("demo-db", e.Message);
    }
}
