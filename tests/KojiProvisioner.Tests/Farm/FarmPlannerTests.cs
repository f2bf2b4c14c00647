using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

public sealed class FarmPlannerTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Plan_has_db_hub_web_kojira_and_every_builder(int builders)
    {
        var plan = TestFarm.Plan(TestFarm.Stack(builders));

        var expected = new[] { "demo-db", "demo-hub", "demo-web", "demo-kojira" }
            .Concat(Enumerable.Range(1, builders).Select(i => $"demo-builder-{i}"));
        Assert.Equal(expected, plan.Containers.Select(c => c.Name));
        Assert.Equal("koji-farm-demo", plan.Network.Name);
        Assert.Equal(["koji-farm-demo-db", "koji-farm-demo-mnt-koji"], plan.Volumes.Select(v => v.Name));
        Assert.All(plan.Containers.Where(c => c.Role == Roles.Builder), b =>
        {
            Assert.Equal(["demo-hub"], b.DependsOn);
            Assert.Equal("koji-farm/koji:abc", b.Image);
            Assert.Contains(b.Mounts, m => m.Target == "/mnt/koji" && m.ReadOnly);
            Assert.Empty(b.Ports);
        });
    }

    [Fact]
    public void Database_comes_first_and_the_hub_waits_for_it()
    {
        var plan = TestFarm.Plan(TestFarm.Stack());
        var db = plan.Container("demo-db");
        var hub = plan.Container("demo-hub");
        Assert.Empty(db.DependsOn);
        Assert.Equal(["demo-db"], hub.DependsOn);
        Assert.Equal(["demo-hub"], plan.Container("demo-web").DependsOn);
        Assert.Equal(["demo-hub"], plan.Container("demo-kojira").DependsOn);
        Assert.Equal("pg_isready", db.Health.Test[1]);
        Assert.Empty(db.Ports); // not published unless the stack says so
        Assert.Contains(db.Mounts, m => m.Volume == "koji-farm-demo-db" && !m.ReadOnly);
    }

    [Fact]
    public void Hub_and_web_publish_on_loopback_by_default()
    {
        var plan = TestFarm.Plan(TestFarm.Stack());
        Assert.Equal([new PublishedPort("127.0.0.1", 8443, 443)], plan.Container("demo-hub").Ports);
        Assert.Equal([new PublishedPort("127.0.0.1", 8444, 443)], plan.Container("demo-web").Ports);
    }

    [Fact]
    public void Secrets_are_not_world_readable_and_the_hub_config_is_readable_by_httpd()
    {
        var plan = TestFarm.Plan(TestFarm.Stack());
        var hubConf = plan.Container("demo-hub").Files.Single(f => f.Path == "/etc/koji-hub/hub.conf");
        Assert.Equal(0b110_100_000, hubConf.Mode);
        Assert.Equal(33, hubConf.Gid);
        Assert.All(plan.Containers.SelectMany(c => c.Files).Where(f => f.Secret), f => Assert.Equal(0, f.Mode & 0b111));
        Assert.Equal(0b110_000_000, plan.Container("demo-hub").Files.Single(f => f.Path.EndsWith("server.key")).Mode);
    }

    [Fact]
    public void Web_and_kojira_can_be_left_out()
    {
        var plan = TestFarm.Plan(TestFarm.Stack(1, s => { s.Web.Enabled = false; s.Kojira.Enabled = false; }));
        Assert.Equal(["demo-db", "demo-hub", "demo-builder-1"], plan.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Same_input_gives_the_same_hashes_and_a_hub_setting_changes_only_the_hub()
    {
        var before = TestFarm.Plan(TestFarm.Stack());
        var again = TestFarm.Plan(TestFarm.Stack());
        var after = TestFarm.Plan(TestFarm.Stack(edit: s => s.Hub.RunInterval = 60));

        Assert.Equal(before.Containers.Select(c => c.ConfigHash), again.Containers.Select(c => c.ConfigHash));
        var changed = before.Containers.Zip(after.Containers).Where(p => p.First.ConfigHash != p.Second.ConfigHash).Select(p => p.First.Name);
        Assert.Equal(["demo-hub"], changed);
    }

    [Fact]
    public void Adding_a_builder_leaves_the_other_containers_alone()
    {
        var two = TestFarm.Plan(TestFarm.Stack(2));
        var three = TestFarm.Plan(TestFarm.Stack(3));
        foreach (var c in two.Containers)
            Assert.Equal(c.ConfigHash, three.Container(c.Name).ConfigHash);
    }

    [Fact]
    public void Allowed_scms_reach_every_builder_and_change_only_builders()
    {
        var without = TestFarm.Plan(TestFarm.Stack());
        var with = TestFarm.Plan(TestFarm.Stack(), ["opendev.org:/starlingx/*:false"]);
        foreach (var c in without.Containers)
            Assert.Equal(c.Role == Roles.Builder, c.ConfigHash != with.Container(c.Name).ConfigHash);
        var kojid = with.Container("demo-builder-1").Files.Single(f => f.Path == "/etc/kojid/kojid.conf").Text;
        Assert.Equal("opendev.org:/starlingx/*:false", Ini.Section(kojid, "kojid")["allowed_scms"]);
    }

    [Fact]
    public void Config_hash_does_not_depend_on_environment_key_order()
    {
        var c = TestFarm.Plan(TestFarm.Stack()).Container("demo-db");
        var reordered = c with { Environment = c.Environment.Reverse().ToDictionary(p => p.Key, p => p.Value) };
        Assert.Equal(ConfigHash.Of(c), ConfigHash.Of(reordered));
        Assert.NotEqual(ConfigHash.Of(c), ConfigHash.Of(c with { Environment = new Dictionary<string, string>(c.Environment) { ["X"] = "1" } }));
    }
}
