using Docker.DotNet.Models;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using ContainerSpec = KojiProvisioner.Farm.ContainerSpec;
using HealthCheck = KojiProvisioner.Farm.HealthCheck;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Tests.Docker;

public class ContainerParametersTests
{
    private static ContainerSpec Hub()
    {
        var hub = new ContainerSpec(
        "demo-hub", Roles.Hub, "koji-farm/koji:0123456789ab",
        Command: ["hub"],
        Aliases: ["hub"],
        Environment: new Dictionary<string, string> { ["Z"] = "last", ["KOJI_ADMIN"] = "kojiadmin" },
        Mounts: [new KojiProvisioner.Farm.Mount("koji-farm-demo-mnt-koji", "/mnt/koji", false)],
        Ports: [new PublishedPort("127.0.0.1", 8443, 443)],
        Health: new HealthCheck(["CMD", "koji-farm-health", "hub"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), 3, TimeSpan.FromSeconds(120)),
        RestartPolicy: "unless-stopped",
        Privileged: false,
        DependsOn: ["demo-db"],
        Files: []);
        return hub with { ConfigHash = ConfigHash.Of(hub) };
    }

    [Fact]
    public void Labels_name_the_stack_the_role_and_the_config_hash()
    {
        var hub = Hub();

        var p = ContainerParameters.From(hub, "demo", "koji-farm-demo");

        Assert.Equal("demo", p.Labels[Labels.Stack]);
        Assert.Equal("hub", p.Labels[Labels.Role]);
        Assert.Equal(hub.ConfigHash, p.Labels[Labels.ConfigHash]);
        Assert.Equal(3, p.Labels.Count);
    }

    [Fact]
    public void The_container_joins_the_farm_network_with_its_aliases_and_is_named_after_itself()
    {
        var p = ContainerParameters.From(Hub(), "demo", "koji-farm-demo");

        Assert.Equal("demo-hub", p.Name);
        Assert.Equal("demo-hub", p.Hostname);
        Assert.Equal("koji-farm-demo", p.HostConfig!.NetworkMode);
        Assert.Equal(["hub"], p.NetworkingConfig!.EndpointsConfig!["koji-farm-demo"].Aliases);
        Assert.Single(p.NetworkingConfig!.EndpointsConfig!);
    }

    [Fact]
    public void Ports_are_published_on_the_stack_address_only()
    {
        var p = ContainerParameters.From(Hub(), "demo", "koji-farm-demo");

        var binding = Assert.Single(p.HostConfig!.PortBindings!["443/tcp"]);
        Assert.Equal("127.0.0.1", binding.HostIP);
        Assert.Equal("8443", binding.HostPort);
        Assert.True(p.ExposedPorts!.ContainsKey("443/tcp"));
        Assert.False(p.HostConfig!.PublishAllPorts);
    }

    [Fact]
    public void No_ports_means_no_bindings()
    {
        var p = ContainerParameters.From(Hub() with { Ports = [] }, "demo", "koji-farm-demo");

        Assert.Null(p.HostConfig!.PortBindings);
        Assert.Null(p.ExposedPorts);
    }

    [Fact]
    public void Named_volumes_are_mounted_with_their_read_only_flag()
    {
        var builder = Hub() with { Mounts = [new KojiProvisioner.Farm.Mount("koji-farm-demo-mnt-koji", "/mnt/koji", true)] };

        var p = ContainerParameters.From(builder, "demo", "koji-farm-demo");

        var mount = Assert.Single(p.HostConfig!.Mounts!);
        Assert.Equal("volume", mount.Type);
        Assert.Equal("koji-farm-demo-mnt-koji", mount.Source);
        Assert.Equal("/mnt/koji", mount.Target);
        Assert.True(mount.ReadOnly);
        Assert.Null(p.HostConfig!.Binds);
    }

    [Fact]
    public void The_health_check_is_passed_as_planned()
    {
        var p = ContainerParameters.From(Hub(), "demo", "koji-farm-demo");

        Assert.Equal(["CMD", "koji-farm-health", "hub"], p.Healthcheck!.Test);
        Assert.Equal(TimeSpan.FromSeconds(5), p.Healthcheck!.Interval);
        Assert.Equal(TimeSpan.FromSeconds(20), p.Healthcheck!.Timeout);
        Assert.Equal(3, p.Healthcheck!.Retries);
        Assert.Equal(TimeSpan.FromSeconds(120), p.Healthcheck!.StartPeriod);
    }

    [Fact]
    public void An_empty_health_test_leaves_the_image_health_check_alone()
    {
        var spec = Hub() with { Health = new HealthCheck([], TimeSpan.Zero, TimeSpan.Zero, 0, TimeSpan.Zero) };

        Assert.Null(ContainerParameters.From(spec, "demo", "koji-farm-demo").Healthcheck);
    }

    [Fact]
    public void The_command_replaces_cmd_and_keeps_the_image_entrypoint()
    {
        var p = ContainerParameters.From(Hub(), "demo", "koji-farm-demo");

        Assert.Equal(["hub"], p.Cmd);
        Assert.Null(p.Entrypoint);
        Assert.Null(ContainerParameters.From(Hub() with { Command = [] }, "demo", "koji-farm-demo").Cmd);
    }

    [Fact]
    public void Environment_is_sorted_so_the_request_is_stable()
    {
        var p = ContainerParameters.From(Hub(), "demo", "koji-farm-demo");

        Assert.Equal(["KOJI_ADMIN=kojiadmin", "Z=last"], p.Env);
    }

    [Theory]
    [InlineData("unless-stopped", RestartPolicyKind.UnlessStopped)]
    [InlineData("always", RestartPolicyKind.Always)]
    [InlineData("on-failure", RestartPolicyKind.OnFailure)]
    [InlineData("no", RestartPolicyKind.No)]
    [InlineData("", RestartPolicyKind.No)]
    public void Restart_policy_and_privilege_are_passed(string policy, RestartPolicyKind kind)
    {
        var p = ContainerParameters.From(Hub() with { RestartPolicy = policy, Privileged = true }, "demo", "koji-farm-demo");

        Assert.Equal(kind, p.HostConfig!.RestartPolicy.Name);
        Assert.True(p.HostConfig!.Privileged);
    }

    [Fact]
    public void An_unknown_restart_policy_names_the_container()
    {
        var e = Assert.Throws<FarmException>(() => ContainerParameters.From(Hub() with { RestartPolicy = "sometimes" }, "demo", "n"));
        Assert.Contains("demo-hub", e.Message);
        Assert.Contains("sometimes", e.Message);
    }

    [Fact]
    public void Files_are_not_part_of_the_request_they_are_copied_in_before_start()
    {
        var spec = Hub() with { Files = [new ContainerFile("/etc/koji-hub/hub.conf", "secret"u8.ToArray(), 0b110_100_000, 0, 33, true)] };

        var p = ContainerParameters.From(spec, "demo", "koji-farm-demo");

        Assert.DoesNotContain(p.Env, e => e.Contains("secret", StringComparison.Ordinal));
        Assert.DoesNotContain(p.HostConfig!.Mounts!, m => m.Type == "bind");
    }

    private static HelperContainer Backup(IReadOnlyDictionary<string, string>? farmLabels = null) =>
        new("demo", "backup", "koji-farm/postgres:0123456789ab",
            [new KojiProvisioner.Farm.Mount("koji-farm-demo-mnt-koji", "/mnt/koji", true)], farmLabels);

    [Fact]
    public void A_helper_is_labelled_with_its_stack_the_helper_role_and_its_purpose_and_named_after_both()
    {
        var p = ContainerParameters.Helper(Backup());

        Assert.Equal("demo-backup", p.Name);
        Assert.Equal("demo", p.Labels[Labels.Stack]);
        Assert.Equal(Roles.Helper, p.Labels[Labels.Role]);
        Assert.Equal("backup", p.Labels[Labels.Purpose]);
        Assert.False(p.Labels.ContainsKey(Labels.ConfigHash));
    }

    [Fact]
    public void A_helper_carries_the_farm_wide_labels_and_nothing_else_of_the_container_they_came_from()
    {
        // The buildroot import passes the hub's labels: its state folder and expiry go with the helper, its role and hash do not.
        var hubLabels = new Dictionary<string, string>
        {
            [Labels.Stack] = "other", [Labels.Role] = Roles.Hub, [Labels.ConfigHash] = "sha256:abc",
            [Labels.StateDir] = "/srv/state/demo", [Labels.PublicHost] = "koji.example.com", [Labels.Expires] = "2026-12-01T21:00:00Z",
        };

        var p = ContainerParameters.Helper(Backup(hubLabels));

        Assert.Equal("demo", p.Labels[Labels.Stack]);
        Assert.Equal(Roles.Helper, p.Labels[Labels.Role]);
        Assert.Equal("/srv/state/demo", p.Labels[Labels.StateDir]);
        Assert.Equal("koji.example.com", p.Labels[Labels.PublicHost]);
        Assert.Equal("2026-12-01T21:00:00Z", p.Labels[Labels.Expires]);
        Assert.False(p.Labels.ContainsKey(Labels.ConfigHash));
        Assert.Equal(6, p.Labels.Count);
    }

    [Fact]
    public void A_helper_reaches_its_volumes_only_with_no_network_and_no_program_of_its_own()
    {
        var p = ContainerParameters.Helper(Backup());

        var mount = Assert.Single(p.HostConfig!.Mounts!);
        Assert.Equal(("volume", "koji-farm-demo-mnt-koji", "/mnt/koji", true), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
        Assert.Equal("none", p.HostConfig!.NetworkMode);
        Assert.Equal(["true"], p.Entrypoint);
        Assert.Null(p.HostConfig!.PortBindings);
        Assert.Null(p.HostConfig!.RestartPolicy);
    }
}
