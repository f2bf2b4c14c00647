using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

public class ContentPlannerTests
{
    private static async Task<FakeKojiHub> Applied(string yaml = TestContent.Yaml)
    {
        var hub = new FakeKojiHub();
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(yaml), prune: false);
        await ContentApplier.ApplyAsync(hub, plan);
        return hub;
    }

    [Fact]
    public async Task Empty_hub_plans_a_create_for_every_object()
    {
        var hub = new FakeKojiHub();
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);

        Assert.All(plan.Changes, c => Assert.True(c.Action is ContentAction.Create));
        var kinds = plan.Changes.Select(c => c.Kind).Distinct().ToHashSet();
        // Every kind a content file declares; hosts come from the stack file (the farm's registration).
        Assert.Equal(Enum.GetValues<ContentKind>().Where(k => k != ContentKind.Host).ToHashSet(), kinds);
        Assert.Contains(plan.Changes, c => c.Summary == "create tag stx-centos7-build (arches x86_64; extra mock.new_chroot, mock.package_manager)");
        Assert.Contains(plan.Changes, c => c.Summary == "create target stx-centos7 (stx-centos7-build -> stx-centos7-candidate)");
        Assert.Contains(plan.Changes, c => c.Summary == "grant stx-release to releng (new permission)");
        Assert.DoesNotContain(plan.Changes, c => c.Object == "kojiadmin" && c.Kind == ContentKind.User);
        Assert.DoesNotContain(plan.Changes, c => c.Object == "createrepo");
    }

    [Fact]
    public async Task Preview_makes_no_writes_and_does_not_log_in()
    {
        var hub = new FakeKojiHub();
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: true);
        Assert.False(plan.IsEmpty);
        Assert.Equal(0, hub.Writes);
        Assert.Equal(0, hub.Logins);
    }

    [Fact]
    public async Task Apply_then_plan_is_empty()
    {
        var hub = await Applied();
        var again = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        Assert.True(again.IsEmpty, again.ToString());
        var pruned = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: true);
        Assert.True(pruned.IsEmpty, pruned.ToString());
    }

    [Fact]
    public async Task Second_apply_writes_nothing()
    {
        var hub = await Applied();
        var writes = hub.Writes;
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        var result = await ContentApplier.ApplyAsync(hub, plan);
        Assert.Equal(0, result.Writes);
        Assert.Equal(writes, hub.Writes);
    }

    [Fact]
    public async Task Writes_run_in_dependency_order()
    {
        var hub = await Applied();
        var order = hub.WriteMethods.Distinct().ToList();
        Assert.Equal(
            ["createUser", "grantPermission", "addChannel", "createExternalRepo", "createTag", "setInheritanceData",
             "addExternalRepoToTag", "groupListAdd", "groupPackageListAdd", "createBuildTarget", "packageListAdd"],
            order);
        var writes = hub.WriteMethods.ToList();
        Assert.True(writes.LastIndexOf("createTag") < writes.IndexOf("setInheritanceData"));
        Assert.True(writes.LastIndexOf("createBuildTarget") < writes.IndexOf("packageListAdd"));
    }

    [Fact]
    public async Task Reading_the_hub_for_a_first_plan_asks_nothing_that_fails()
    {
        // The hub logs a warning with a traceback for each failed call: a plan against a hub that
        // has none of the content yet must not ask for the details of tags or users it lacks.
        var hub = new FakeKojiHub { BatchSize = 1000 };
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        Assert.Contains(plan.Changes, c => c.Summary.StartsWith("create tag", StringComparison.Ordinal));
        Assert.Equal(0, hub.FailedCalls);
    }

    [Fact]
    public async Task A_batch_ends_after_tag_creation_so_inheritance_gets_new_tag_ids()
    {
        var hub = new FakeKojiHub { BatchSize = 1000 };
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        hub.MultiCallSizes.Clear();
        var result = await ContentApplier.ApplyAsync(hub, plan);
        Assert.Equal(2, result.Batches);
        Assert.Equal(2, hub.MultiCallSizes.Count);
        Assert.Equal(plan.WriteCount, result.Writes);
        Assert.Contains(plan.Changes.SelectMany(c => c.Calls), c => c.Call.ToString().Contains("id('stx-centos7-base')"));
    }

    [Fact]
    public async Task Progress_is_reported_after_each_batch()
    {
        var hub = new FakeKojiHub { BatchSize = 10 };
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        var reports = new List<ContentApplyProgress>();
        hub.MultiCallSizes.Clear();
        await ContentApplier.ApplyAsync(hub, plan, new SyncProgress(reports.Add));
        Assert.Equal(hub.MultiCallSizes.Count, reports.Count);
        Assert.Equal(plan.WriteCount, reports[^1].WritesDone);
        Assert.All(reports, r => Assert.Equal(plan.WriteCount, r.WritesTotal));
    }

    private sealed class SyncProgress(Action<ContentApplyProgress> report) : IProgress<ContentApplyProgress>
    {
        public void Report(ContentApplyProgress value) => report(value);
    }

    [Fact]
    public async Task Small_batches_split_the_writes()
    {
        var hub = new FakeKojiHub { BatchSize = 5 };
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        hub.MultiCallSizes.Clear();
        await ContentApplier.ApplyAsync(hub, plan);
        Assert.All(hub.MultiCallSizes, size => Assert.InRange(size, 1, 5));
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Changed_settings_plan_changes_and_apply_converges()
    {
        var hub = await Applied();
        var changed = TestContent.Yaml
            .Replace("arches: x86_64\n", "arches: x86_64 i686\n")
            .Replace("mock.new_chroot: 0", "mock.new_chroot: 1")
            .Replace("mock.package_manager: yum\n", "")
            .Replace("priority: 10\n", "priority: 30\n")
            .Replace("merge_mode: simple", "merge_mode: bare")
            .Replace("dest_tag: stx-centos7-candidate", "dest_tag: stx-centos7-base")
            .Replace("packages: [bash, rpm-build]", "packages: [bash, rpm-build, cpio]")
            .Replace("owner: releng", "owner: kojira")
            .Replace("description: StarlingX builders", "description: StarlingX build hosts");
        var desired = TestContent.Load(changed);
        var plan = await ContentPlanner.PlanAsync(hub, desired, prune: false);

        string Summary(ContentKind kind, string obj) => Assert.Single(plan.Changes, c => c.Kind == kind && c.Object == obj).Summary;
        Assert.All(plan.Changes, c => Assert.Equal(ContentAction.Change, c.Action));
        Assert.Equal("change tag stx-centos7-build: arches 'x86_64' -> 'x86_64 i686', extra mock.new_chroot=1, remove extra mock.package_manager",
            Summary(ContentKind.Tag, "stx-centos7-build"));
        Assert.Equal("change external repo centos7-base of stx-centos7-build: priority 10 koji -> priority 30 koji",
            Summary(ContentKind.TagExternalRepo, "stx-centos7-build/centos7-base"));
        Assert.Equal("change target stx-centos7: stx-centos7-build -> stx-centos7-candidate becomes stx-centos7-build -> stx-centos7-base",
            Summary(ContentKind.Target, "stx-centos7"));
        Assert.Equal("change group srpm-build in stx-centos7-build: add cpio", Summary(ContentKind.Group, "stx-centos7-build/srpm-build"));
        Assert.Equal("change mtce in stx-centos7-candidate: owner releng -> kojira", Summary(ContentKind.Package, "stx-centos7-candidate/mtce"));
        Assert.Equal("change channel stx: description 'StarlingX builders' -> 'StarlingX build hosts'", Summary(ContentKind.Channel, "stx"));

        await ContentApplier.ApplyAsync(hub, plan);
        var after = await ContentPlanner.PlanAsync(hub, desired, prune: false);
        Assert.True(after.IsEmpty, after.ToString());
    }

    [Fact]
    public async Task Swapped_external_repo_priorities_apply_cleanly()
    {
        var hub = await Applied();
        var swapped = TestContent.Yaml.Replace("priority: 10\n", "priority: 99\n").Replace("priority: 20\n", "priority: 10\n").Replace("priority: 99\n", "priority: 20\n");
        var desired = TestContent.Load(swapped);
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, desired, prune: false));
        Assert.True((await ContentPlanner.PlanAsync(hub, desired, prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Changed_inheritance_replaces_the_parent_list()
    {
        var hub = await Applied();
        var changed = TestContent.Yaml.Replace("inheritance: [stx-centos7-base]", "inheritance: [stx-centos7-build, stx-centos7-base]");
        var desired = TestContent.Load(changed);
        var plan = await ContentPlanner.PlanAsync(hub, desired, prune: false);
        var change = Assert.Single(plan.Changes);
        Assert.Equal(ContentKind.Inheritance, change.Kind);
        Assert.Equal("inheritance of stx-centos7-candidate: stx-centos7-build@0, stx-centos7-base@10 (was stx-centos7-base@0)", change.Summary);
        await ContentApplier.ApplyAsync(hub, plan);
        Assert.True((await ContentPlanner.PlanAsync(hub, desired, prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Without_prune_nothing_is_removed()
    {
        var hub = await Applied();
        var smaller = TestContent.Load(TestContent.Yaml.Replace("      - fm-common\n", ""));
        var plan = await ContentPlanner.PlanAsync(hub, smaller, prune: false);
        Assert.True(plan.IsEmpty, plan.ToString());
    }

    [Fact]
    public async Task Prune_blocks_unlisted_packages_and_removes_unlisted_objects_in_reverse_order()
    {
        var hub = await Applied();
        await hub.EnsureLoggedInAsync();
        await hub.MultiCallAsync(
        [
            new KojiCall("createTag", "old-tag"),
            new KojiCall("createBuildTarget", "old-target", "old-tag", "old-tag"),
            new KojiCall("createExternalRepo", "old-repo", "http://example.invalid/repo"),
            new KojiCall("groupListAdd", "stx-rocky8-build", "appliance-build"),
            new KojiCall("packageListAdd", "stx-centos7-candidate", "old-package", "kojiadmin"),
        ]);
        var removedPackage = TestContent.Yaml.Replace("      - fm-common\n", "");
        var desired = TestContent.Load(removedPackage.Replace("[tag, target, stx-release]", "[tag, stx-release]"));

        var plan = await ContentPlanner.PlanAsync(hub, desired, prune: true);
        var text = plan.ToString();
        Assert.Contains("! block fm-common in stx-centos7-candidate (not in the content)", text);
        Assert.Contains("! block old-package in stx-centos7-candidate (not in the content)", text);
        Assert.Contains("- delete tag old-tag (not in the content)", text);
        Assert.Contains("- delete target old-target (not in the content)", text);
        Assert.Contains("- delete external repo old-repo (not in the content)", text);
        Assert.Contains("- remove group appliance-build from stx-rocky8-build (not in the content)", text);
        Assert.Contains("- revoke target from releng (not in the content)", text);

        hub.Calls.Clear();
        await ContentApplier.ApplyAsync(hub, plan);
        var writes = hub.WriteMethods.ToList();
        Assert.Equal(["packageListBlock", "deleteBuildTarget", "groupListRemove", "deleteTag", "deleteExternalRepo", "revokePermission"], writes.Distinct());

        var packages = (IReadOnlyList<object?>)(await hub.CallAsync(new KojiCall("listPackages", new KojiKwargs { { "tagID", "stx-centos7-candidate" } })))!;
        var fm = packages.Cast<IReadOnlyDictionary<string, object?>>().Single(p => (string)p["package_name"]! == "fm-common");
        Assert.Equal(true, fm["blocked"]);
        Assert.True((await ContentPlanner.PlanAsync(hub, desired, prune: true)).IsEmpty);
    }

    [Fact]
    public async Task Package_listed_in_parent_and_child_converges()
    {
        // Koji skips a packageListAdd that inheritance already satisfies, so the diff must too
        var yaml = TestContent.Yaml.Replace("      - fm-common\n", "      - fm-common\n      - bash\n");
        var hub = await Applied(yaml);
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(yaml), prune: true)).IsEmpty);
    }

    [Fact]
    public async Task Owner_differing_from_an_inherited_entry_is_left_to_the_parent()
    {
        // Koji cannot give a child its own owner for an entry it inherits unchanged
        var yaml = TestContent.Yaml.Replace("      - fm-common\n", "      - fm-common\n      - {name: bash, owner: releng}\n");
        var hub = await Applied(yaml);
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(yaml), prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Prune_drops_a_childs_own_entry_that_the_content_inherits_from_a_parent()
    {
        var hub = await Applied();
        await hub.EnsureLoggedInAsync();
        await hub.CallAsync(new KojiCall("packageListAdd", "stx-centos7-candidate", "bash", "releng", new KojiKwargs { { "extra_arches", "i686" } }));
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: true);
        var change = Assert.Single(plan.Changes);
        Assert.Equal(ContentAction.Remove, change.Action);
        Assert.Equal("packageListRemove", change.Calls.Single().Call.Method);
        await ContentApplier.ApplyAsync(hub, plan);
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: true)).IsEmpty);
    }

    [Fact]
    public async Task Blocked_package_in_content_is_blocked_and_unblocked_again()
    {
        var hub = await Applied();
        var blocked = TestContent.Yaml.Replace("owner: releng", "owner: releng\n        blocked: true");
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(blocked), prune: false);
        Assert.Equal(ContentAction.Block, Assert.Single(plan.Changes).Action);
        await ContentApplier.ApplyAsync(hub, plan);

        var unblock = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        Assert.Equal("unblock mtce in stx-centos7-candidate", Assert.Single(unblock.Changes).Summary);
        await ContentApplier.ApplyAsync(hub, unblock);
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Hub_fault_stops_apply_with_the_change_named_and_keeps_earlier_writes()
    {
        var hub = new FakeKojiHub();
        var yaml = TestContent.Yaml.Replace("  - name: stx-rocky8-build\n", "  - name: stx-rocky8-build\n    maven_support: true\n");
        var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(yaml), prune: false);
        var ex = await Assert.ThrowsAsync<ContentApplyException>(() => ContentApplier.ApplyAsync(hub, plan));
        Assert.Contains("create tag stx-rocky8-build (arches x86_64 aarch64; maven): createTag: koji.GenericError: Maven support not enabled", ex.Message);
        Assert.True(ex.WritesDone > 0);
        // the rest is finished by the next run once the cause is fixed
        var fixedPlan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false);
        Assert.Contains(fixedPlan.Changes, c => c.Summary.StartsWith("create tag stx-rocky8-build"));
        Assert.DoesNotContain(fixedPlan.Changes, c => c.Summary.StartsWith("create tag stx-centos7-base"));
        await ContentApplier.ApplyAsync(hub, fixedPlan);
        Assert.True((await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Plan_prints_grouped_by_kind_and_as_json()
    {
        var plan = await ContentPlanner.PlanAsync(new FakeKojiHub(), TestContent.Load(), prune: false);
        var text = plan.ToString();
        Assert.StartsWith("users:\n  + create user kojira\n", text);
        Assert.True(text.IndexOf("tags:", StringComparison.Ordinal) < text.IndexOf("targets:", StringComparison.Ordinal));
        Assert.EndsWith($"{plan.Changes.Count} to create ({plan.WriteCount} writes)", text);

        using var json = System.Text.Json.JsonDocument.Parse(plan.ToJson());
        var first = json.RootElement.GetProperty("changes")[0];
        Assert.Equal("user", first.GetProperty("kind").GetString());
        Assert.Equal("create", first.GetProperty("action").GetString());
        Assert.Equal("createUser('kojira')", first.GetProperty("calls")[0].GetString());
        Assert.Equal(plan.WriteCount, json.RootElement.GetProperty("writes").GetInt32());
    }

    [Fact]
    public async Task Empty_plan_applies_without_logging_in()
    {
        var hub = await Applied();
        var logins = hub.Logins;
        var result = await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false));
        Assert.Equal(ContentApplyResult.Nothing, result);
        Assert.Equal(logins, hub.Logins);
    }
}
