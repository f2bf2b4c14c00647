using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Tests.Farm;

public sealed class ThrowawayFarmTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    public void Ttl_takes_seconds_minutes_hours_and_days(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), FarmLabels.ParseTtl(text));

    [Theory]
    [InlineData("2", "not a duration")]
    [InlineData("2w", "unknown unit 'w'")]
    [InlineData("0s", "must be longer than zero")]
    [InlineData("soon", "not a duration")]
    public void A_bad_ttl_is_bad_input_naming_the_flag(string text, string expected)
    {
        var e = Assert.Throws<InputException>(() => FarmLabels.ParseTtl(text));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("--ttl", e.Message);
    }

    [Fact]
    public void The_expiry_label_is_the_time_plus_the_ttl_in_utc()
    {
        var labels = FarmLabels.WithExpiry(new Dictionary<string, string>(), TimeSpan.FromHours(2),
            new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal("2026-12-01T21:00:00Z", labels[Labels.Expires]);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero), FarmLabels.ParseTime(labels[Labels.Expires]));
    }

    [Fact]
    public void Farm_labels_go_on_every_container_and_never_change_its_config_hash()
    {
        var stack = TestFarm.Stack();
        var plan = TestFarm.Plan(stack);
        var hub = plan.Containers.Single(c => c.Role == Roles.Hub);
        var labels = FarmLabels.WithExpiry(plan.Labels, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        var p = ContainerParameters.From(hub, "demo", "koji-farm-demo", labels);

        Assert.Equal("/tmp/state/demo", p.Labels[Labels.StateDir]);
        Assert.Equal("localhost", p.Labels[Labels.PublicHost]);
        Assert.True(p.Labels.ContainsKey(Labels.Expires));
        Assert.Equal(ContainerParameters.From(hub, "demo", "koji-farm-demo").Labels[Labels.ConfigHash], p.Labels[Labels.ConfigHash]);
    }

    private string StackFile(string body)
    {
        var koji = Path.Combine(_dir.Path, "koji.tar.gz");
        File.WriteAllText(koji, "");
        var file = Path.Combine(_dir.Path, "stack.yaml");
        File.WriteAllText(file, $"name: ci\nkoji:\n  path: {koji}\nstateDir: state\n{body}");
        return file;
    }

    [Fact]
    public void Port_zero_is_a_free_port_chosen_once_and_read_back_by_every_later_load()
    {
        var file = StackFile("hub:\n  port: 0\nweb:\n  port: 0\n");
        var stack = StackLoader.Load(file, environment: new Dictionary<string, string>());
        Assert.Equal(0, stack.Spec.Hub.Port);

        var chosen = HostPorts.Choose(stack);

        Assert.Equal(2, chosen.Count);
        Assert.InRange(stack.Spec.Hub.Port, 1, 65535);
        Assert.NotEqual(stack.Spec.Hub.Port, stack.Spec.Web.Port);
        var again = StackLoader.Load(file, environment: new Dictionary<string, string>());
        Assert.Equal(stack.Spec.Hub.Port, again.Spec.Hub.Port);
        Assert.Equal(stack.Spec.Web.Port, again.Spec.Web.Port);
        Assert.Equal($"https://localhost:{stack.Spec.Hub.Port}/kojihub", new FarmNames(again.Spec).PublicHubUrl);
        Assert.Empty(HostPorts.Choose(again)); // nothing left to choose: the recorded ports stay
    }

    [Fact]
    public void A_fixed_port_is_never_replaced_by_a_recorded_one()
    {
        var file = StackFile("hub:\n  port: 9443\n");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "state"));
        File.WriteAllText(Path.Combine(_dir.Path, "state", HostPorts.FileName), "hub=40000\n");
        Assert.Equal(9443, StackLoader.Load(file, environment: new Dictionary<string, string>()).Spec.Hub.Port);
    }

    [Fact]
    public void The_ci_stack_is_valid_and_tuned_for_a_first_repo()
    {
        var stack = StackLoader.Load(Path.Combine(RepoRoot.Path, "stacks", "ci.yaml"),
            environment: new Dictionary<string, string> { ["KOJI_SOURCE"] = StackFile("") });
        Assert.Equal(0, stack.Spec.Hub.Port);
        Assert.Equal(1, stack.Spec.Hub.RunInterval);
        Assert.Equal(1, stack.Spec.Kojira.SleepTime);
        Assert.Equal(1, stack.Spec.Builders.SleepTime);
        var plan = TestFarm.Plan(stack);
        var builder = plan.Containers.Single(c => c.Role == Roles.Builder);
        Assert.Equal("1", Ini.Section(builder.Files.Single(f => f.Path == "/etc/kojid/kojid.conf").Text, "kojid")["sleeptime"]);
        Assert.Equal(TimeSpan.FromSeconds(3), builder.Health.Interval);
    }
}
