using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Koji;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Content;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Operations;

/// <summary>The farm's own Koji registration, planned and applied by the content path against an in-memory hub.</summary>
public sealed class FarmKojiTests
{
    private static StackSpec Spec(int builders = 2, Action<StackSpec>? edit = null) => TestFarm.Stack(builders, edit).Spec;

    private static async Task<FarmKojiPlan> Converge(FakeKojiHub hub, StackSpec spec, KojiContent? content = null, params string[] retired)
    {
        var plan = await FarmKoji.PlanAsync(hub, spec, content, retired, CancellationToken.None);
        await ContentApplier.ApplyAsync(hub, plan.Plan);
        return plan;
    }

    [Fact]
    public async Task A_new_farm_registers_its_builders_and_kojira_and_a_rerun_writes_nothing()
    {
        var hub = new FakeKojiHub();
        var spec = Spec(edit: s => s.Builders.Capacity = 4);

        var first = await Converge(hub, spec);
        Assert.Equal(["add host demo-builder-1 (x86_64; capacity 4; channels default, createrepo)",
                      "add host demo-builder-2 (x86_64; capacity 4; channels default, createrepo)",
                      "create user kojira", "grant repo to kojira"],
            first.Registration.Changes.Select(c => c.Summary).Order(StringComparer.Ordinal).ToArray());
        Assert.True(first.Content.IsEmpty);
        foreach (var name in new[] { "demo-builder-1", "demo-builder-2" })
        {
            Assert.Equal("x86_64", hub.Host(name)["arches"]);
            Assert.Equal(4.0, hub.Host(name)["capacity"]);
            Assert.Equal(true, hub.Host(name)["enabled"]);
            Assert.Equal(["createrepo", "default"], hub.HostChannels(name));
        }
        // One login, one multicall for all the writes.
        Assert.Equal(1, hub.Logins);

        var writes = hub.Writes;
        var again = await Converge(hub, spec);
        Assert.True(again.Plan.IsEmpty, again.Plan.ToString());
        Assert.Equal(writes, hub.Writes);
    }

    [Fact]
    public async Task The_plan_of_a_new_farm_without_a_hub_is_the_plan_against_a_fresh_hub()
    {
        var spec = Spec(edit: s => s.Builders.Channels = ["createrepo", "image-build"]);
        var offline = FarmKoji.Plan(spec, null, [], FarmKoji.NewHub(spec));
        var online = await FarmKoji.PlanAsync(new FakeKojiHub(), spec, null, [], CancellationToken.None);
        Assert.Equal(online.Plan.Changes.Select(c => c.Summary), offline.Plan.Changes.Select(c => c.Summary));
        Assert.Equal(online.Plan.Changes.SelectMany(c => c.Calls).Select(c => c.Call.ToString()),
            offline.Plan.Changes.SelectMany(c => c.Calls).Select(c => c.Call.ToString()));
        // Koji puts a new host in `default`: a builder that is not listed there leaves it.
        Assert.Contains(offline.Plan.Changes.SelectMany(c => c.Calls), c => c.Call.Method == "removeHostFromChannel" && Equals(c.Call.Args[1], "default"));
    }

    [Fact]
    public async Task Builders_that_left_the_stack_are_disabled_and_changed_ones_edited()
    {
        var hub = new FakeKojiHub();
        var withRemote = Spec(3, s => s.Builders.Remote = [new RemoteBuilderSpec { Name = "far-1", Arches = ["aarch64"], Channels = ["default"] }]);
        await Converge(hub, withRemote);
        await hub.CallAsync(new KojiCall("disableHost", "demo-builder-1"));

        // One local builder left, with new settings; the remote host left the stack.
        var smaller = Spec(1, s => { s.Builders.Capacity = 8; s.Builders.Channels = ["default"]; s.Builders.Arches = ["x86_64", "i686"]; });
        var plan = await Converge(hub, smaller, retired: "far-1");

        Assert.Equal([
            "change host demo-builder-1: arches 'x86_64' -> 'x86_64 i686', capacity 2 -> 8",
            "disable host demo-builder-2 (kept in Koji with its task history)",
            "disable host demo-builder-3 (kept in Koji with its task history)",
            "disable host far-1 (kept in Koji with its task history)",
            "enable host demo-builder-1",
            "host demo-builder-1 leaves channel createrepo",
        ], plan.Registration.Changes.Select(c => c.Summary).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(true, hub.Host("demo-builder-1")["enabled"]);
        Assert.Equal(["default"], hub.HostChannels("demo-builder-1"));
        Assert.All(new[] { "demo-builder-2", "demo-builder-3", "far-1" }, h => Assert.Equal(false, hub.Host(h)["enabled"]));
        Assert.True((await FarmKoji.PlanAsync(hub, smaller, null, ["far-1"], CancellationToken.None)).Plan.IsEmpty);
    }

    [Fact]
    public async Task A_retired_host_that_Koji_never_knew_is_not_created()
    {
        var plan = await FarmKoji.PlanAsync(new FakeKojiHub(), Spec(0, s => s.Kojira.Enabled = false), null, ["gone"], CancellationToken.None);
        Assert.True(plan.Plan.IsEmpty, plan.Plan.ToString());
    }

    [Fact]
    public async Task Registration_and_the_content_file_are_one_plan_applied_in_one_apply()
    {
        var hub = new FakeKojiHub();
        var content = new KojiContent
        {
            Tags = [new TagSpec { Name = "f40" }, new TagSpec { Name = "f40-build", Arches = ["x86_64"] }],
            Targets = [new BuildTarget { Name = "f40", BuildTag = "f40-build", DestTag = "f40" }],
            // The content file may name kojira too: one user, permissions joined.
            Users = [new UserSpec { Name = "kojira", Permissions = ["tag"] }],
        };
        hub.MultiCallSizes.Clear();
        var plan = await Converge(hub, Spec(), content);

        Assert.Equal(["create tag f40", "create tag f40-build (arches x86_64)", "create target f40 (f40-build -> f40)", "grant tag to kojira"],
            plan.Content.Changes.Select(c => c.Summary).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("create user kojira", plan.Registration.Changes.Select(c => c.Summary));
        // One read (nothing exists to read in detail) and two write batches: tags before what needs their IDs.
        Assert.Equal(3, hub.MultiCallSizes.Count);
        Assert.Equal(1, hub.Logins);
        Assert.True((await FarmKoji.PlanAsync(hub, Spec(), content, [], CancellationToken.None)).Plan.IsEmpty);
    }

    [Fact]
    public async Task Down_disables_only_hosts_that_Koji_has_enabled()
    {
        var hub = new FakeKojiHub();
        await Converge(hub, Spec(1));
        var plan = await ContentPlanner.PlanAsync(hub, KojiProvisioner.Farm.FarmRegistration.Disabled(["demo-builder-1", "unknown"]), prune: false);
        Assert.Equal(["disable host demo-builder-1 (kept in Koji with its task history)"], plan.Changes.Select(c => c.Summary));
    }
}
