using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Tests.Docker;

public sealed class FarmInventoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static EngineObject Container(string stack, string role, string status = "Up 3 minutes (healthy)", string state = "running",
        string? expires = null, string? stateDir = "/ci/state", IReadOnlyList<EnginePort>? ports = null, int minutesOld = 10)
    {
        var labels = new Dictionary<string, string> { [Labels.Stack] = stack, [Labels.Role] = role, [Labels.PublicHost] = "localhost" };
        if (expires is not null)
            labels[Labels.Expires] = expires;
        if (stateDir is not null)
            labels[Labels.StateDir] = stateDir;
        return new EngineObject(EngineObjectKind.Container, $"{stack}-{role}", labels, Now.AddMinutes(-minutesOld), state, status, ports ?? []);
    }

    private static EngineObject Other(EngineObjectKind kind, string name, string stack, string? expires = null)
    {
        var labels = new Dictionary<string, string> { [Labels.Stack] = stack };
        if (expires is not null)
            labels[Labels.Expires] = expires;
        return new EngineObject(kind, name, labels, Now.AddMinutes(-20), "", "", []);
    }

    [Fact]
    public void A_farm_is_its_labelled_objects_with_healthy_count_hub_url_state_folder_and_age()
    {
        var farms = FarmInventory.Summarize(
        [
            Container("ci-1", Roles.Db),
            Container("ci-1", Roles.Hub, ports: [new EnginePort("127.0.0.1", 443, 40211)]),
            Container("ci-1", Roles.Builder, status: "Up 2 seconds (health: starting)"),
            Container("ci-1", Roles.Kojira, status: "Exited (1) 3 seconds ago", state: "exited"),
            Other(EngineObjectKind.Network, "koji-farm-ci-1", "ci-1"),
            Other(EngineObjectKind.Volume, "koji-farm-ci-1-db", "ci-1"),
            new EngineObject(EngineObjectKind.Container, "not-a-farm", new Dictionary<string, string>(), Now, "running", "Up", []),
        ]);

        var farm = Assert.Single(farms);
        Assert.Equal("ci-1", farm.Stack);
        Assert.Equal((2, 4), (farm.Healthy, farm.Total));
        Assert.Equal("https://localhost:40211/kojihub", farm.HubUrl);
        Assert.Equal("/ci/state", farm.StateDir);
        Assert.Equal(TimeSpan.FromMinutes(20), farm.AgeAt(Now));
        Assert.Equal(["koji-farm-ci-1"], farm.Networks);
        Assert.Equal(["koji-farm-ci-1-db"], farm.Volumes);
        Assert.Null(farm.Expires);
        Assert.False(farm.ExpiredAt(Now.AddYears(10)));
    }

    [Fact]
    public void A_farm_expires_at_its_latest_expiry_only_when_every_container_carries_one()
    {
        var past = FarmLabels.FormatTime(Now.AddMinutes(-5));
        var later = FarmLabels.FormatTime(Now.AddMinutes(5));
        var farms = FarmInventory.Summarize(
        [
            Container("gone", Roles.Hub, expires: past), Container("gone", Roles.Db, expires: past),
            Container("extended", Roles.Hub, expires: past), Container("extended", Roles.Builder, expires: later),
            // made partly without --ttl (or by an older koji-farm): never taken for expired
            Container("mixed", Roles.Hub, expires: past), Container("mixed", Roles.Db),
        ]).ToDictionary(f => f.Stack);

        Assert.True(farms["gone"].ExpiredAt(Now));
        Assert.False(farms["extended"].ExpiredAt(Now));
        Assert.True(farms["extended"].ExpiredAt(Now.AddMinutes(6)));
        Assert.False(farms["mixed"].ExpiredAt(Now.AddDays(1)));
    }

    [Fact]
    public void A_farm_left_with_only_a_network_and_volumes_is_still_found_and_can_expire()
    {
        var past = FarmLabels.FormatTime(Now.AddMinutes(-1));
        var farm = Assert.Single(FarmInventory.Summarize(
        [
            Other(EngineObjectKind.Network, "koji-farm-half", "half", past),
            Other(EngineObjectKind.Volume, "koji-farm-half-db", "half", past),
        ]));

        Assert.Equal(0, farm.Total);
        Assert.True(farm.ExpiredAt(Now));
        Assert.Null(farm.HubUrl);
    }

    [Fact]
    public void Only_folders_koji_farm_made_are_deleted_by_gc()
    {
        using var dir = new TempDir();
        var state = Path.Combine(dir.Path, "state");
        new StateFolder(state).Create();
        var plain = Path.Combine(dir.Path, "plain");
        Directory.CreateDirectory(plain);
        // A folder that only looks like one (a pki folder, no marker) is the user's.
        var lookalike = Path.Combine(dir.Path, "lookalike");
        Directory.CreateDirectory(Path.Combine(lookalike, "pki"));
        File.WriteAllText(Path.Combine(lookalike, "notes.txt"), "mine");

        Assert.True(FarmReaper.LooksLikeStateFolder(state));
        Assert.False(FarmReaper.LooksLikeStateFolder(plain));
        Assert.False(FarmReaper.LooksLikeStateFolder(lookalike));
        Assert.False(FarmReaper.LooksLikeStateFolder("/"));
        Assert.False(FarmReaper.LooksLikeStateFolder("relative/state"));
    }

    [Fact]
    public void A_helper_container_is_listed_for_removal_but_counts_neither_healthy_nor_at_all()
    {
        // A backup's helper is created and never started: were it counted, a healthy farm would read 2/3 in `ls`.
        var past = FarmLabels.FormatTime(Now.AddMinutes(-5));
        var farm = Assert.Single(FarmInventory.Summarize(
        [
            Container("ci-1", Roles.Db, expires: past),
            Container("ci-1", Roles.Hub, expires: past),
            // made by a backup from the stack's plan labels: no expiry, and it must not keep the farm from expiring
            Container("ci-1", Roles.Helper, status: "Created", state: "created"),
        ]));

        Assert.Equal((2, 2), (farm.Healthy, farm.Total));
        Assert.Equal(["ci-1-db", "ci-1-helper", "ci-1-hub"], farm.Containers);
        Assert.True(farm.ExpiredAt(Now));
    }

    [Fact]
    public void A_farm_left_with_only_a_helper_container_is_still_found()
    {
        var farm = Assert.Single(FarmInventory.Summarize([Container("left", Roles.Helper, status: "Created", state: "created")]));

        Assert.Equal("left", farm.Stack);
        Assert.Equal(["left-helper"], farm.Containers);
        Assert.Equal((0, 0), (farm.Healthy, farm.Total));
        Assert.Equal("/ci/state", farm.StateDir);
    }
}
