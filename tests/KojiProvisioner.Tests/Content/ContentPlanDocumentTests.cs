using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Koji;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// The schema-1 JSON document of `content diff|apply --output json` is a contract: its text is
/// pinned by a golden file (docs/content-format.md documents it). A change of shape must change
/// the golden file and the schema number together.
/// </summary>
public class ContentPlanDocumentTests
{
    private static string GoldenPath => Path.Combine(RepoRoot.Path, "tests", "KojiProvisioner.Tests", "Content", "golden", "content-diff.schema1.json");

    /// <summary>A hub with the test content, changed by hand so the plan holds every action.</summary>
    private static async Task<ContentPlan> PlanWithEveryAction()
    {
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false));
        await hub.EnsureLoggedInAsync();
        await hub.CallAsync(new KojiCall("createTag", "stray-tag"));
        await hub.CallAsync(new KojiCall("createBuildTarget", "stray-target", "stx-centos7-build", "stx-centos7-candidate"));
        await hub.CallAsync(new KojiCall("packageListAdd", "stx-centos7-base", "stray-pkg", "kojiadmin"));
        var edited = TestContent.Yaml
            .Replace("packages: [bash, coreutils]", "packages: [bash, coreutils, zsh]", StringComparison.Ordinal)
            .Replace("arches: [x86_64, aarch64]", "arches: [x86_64]", StringComparison.Ordinal)
            .Replace("permissions: [admin]", "permissions: []", StringComparison.Ordinal)
            .Replace("  - name: stx-rocky8\n    build_tag: stx-rocky8-build\n    dest_tag: stx-rocky8-build",
                "  - name: stx-rocky8\n    build_tag: stx-rocky8-build\n    dest_tag: stx-centos7-candidate", StringComparison.Ordinal);
        return await ContentPlanner.PlanAsync(hub, TestContent.Load(edited), PruneScope.All with { KeepAdminOf = "kojiadmin" });
    }

    [Fact]
    public async Task Diff_json_matches_the_golden_document()
    {
        var plan = await PlanWithEveryAction();
        var json = ContentPlanDocument.Write(plan, "diff", "https://koji.example.com/kojihub") + "\n";
        if (Environment.GetEnvironmentVariable("KOJI_FARM_UPDATE_GOLDEN") == "1")
            File.WriteAllText(GoldenPath, json);
        Assert.Equal(File.ReadAllText(GoldenPath), json);
    }

    [Fact]
    public async Task Every_change_has_kind_name_action_and_fields_before_and_after()
    {
        var plan = await PlanWithEveryAction();
        using var doc = System.Text.Json.JsonDocument.Parse(ContentPlanDocument.Write(plan, "apply", "https://h/kojihub", new ContentApplyResult(plan.Changes.Count, plan.WriteCount, 2)));
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal("apply", root.GetProperty("command").GetString());
        Assert.Equal(2, root.GetProperty("batches").GetInt32());
        foreach (var change in root.GetProperty("changes").EnumerateArray())
        {
            var action = change.GetProperty("action").GetString();
            Assert.Contains(action, ContentPlanDocument.Actions);
            Assert.False(string.IsNullOrEmpty(change.GetProperty("name").GetString()));
            // a creation has no before, a removal no after; everything else has both
            Assert.Equal(action == "create", change.GetProperty("before").ValueKind == System.Text.Json.JsonValueKind.Null);
            Assert.Equal(action == "remove", change.GetProperty("after").ValueKind == System.Text.Json.JsonValueKind.Null);
        }
        var counted = root.GetProperty("kinds").EnumerateObject().Sum(k => k.Value.EnumerateObject().Sum(a => a.Value.GetInt32()));
        Assert.Equal(plan.Changes.Count, counted);
    }

    [Fact]
    public void Prune_kinds_parse_by_name_and_bare_prune_is_every_kind()
    {
        Assert.Equal(PruneScope.All.Kinds, PruneScope.Parse(null).Kinds);
        Assert.Equal(PruneScope.All.Kinds, PruneScope.Parse("all").Kinds);
        Assert.Equal(["targets", "external-repos"], PruneScope.Parse("external_repos, targets").KindNames);
        var e = Assert.Throws<ContentException>(() => PruneScope.Parse("tags,hosts"));
        Assert.Contains("--prune hosts", e.Message);
    }

    [Fact]
    public async Task Prune_of_one_kind_plans_removals_of_that_kind_only()
    {
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false));
        await hub.EnsureLoggedInAsync();
        await hub.CallAsync(new KojiCall("createTag", "stray-tag"));
        await hub.CallAsync(new KojiCall("createBuildTarget", "stray-target", "stx-centos7-build", "stx-centos7-candidate"));
        await hub.CallAsync(new KojiCall("createExternalRepo", "stray-repo", "https://example.com/repo/"));
        foreach (var kind in Enum.GetValues<PruneKind>())
        {
            var plan = await ContentPlanner.PlanAsync(hub, TestContent.Load(), new PruneScope { Kinds = new HashSet<PruneKind> { kind } });
            Assert.All(plan.Changes, c => Assert.Equal(kind, PruneSafety.KindOf(c.Kind)));
        }
        var targets = await ContentPlanner.PlanAsync(hub, TestContent.Load(), PruneScope.Parse("targets"));
        Assert.Equal("stray-target", Assert.Single(targets.Changes).Object);
    }

    [Fact]
    public async Task Export_streamed_in_slices_is_the_text_of_the_whole_hub_written_at_once()
    {
        var hub = new FakeKojiHub();
        var tags = string.Join("\n", Enumerable.Range(0, ContentExporter.TagsPerSlice * 2 + 3).Select(i =>
            $"  - name: t{i:D3}\n    packages: [p{i}, q{i}]" + (i > 0 ? $"\n    inheritance: [t{(i * 7) % i:D3}]" : "")));
        var content = TestContent.Load($"package_owner: kojiadmin\ntags:\n{tags}\n");
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, content, prune: false));

        var streamed = await ContentExporter.ExportAsync(hub);
        var whole = ContentWriter.ToYaml(await ContentExporter.ReadAsync(hub), "Koji content exported from a hub; apply it with: koji-farm content apply");
        Assert.Equal(whole, streamed);
        Assert.True(hub.MultiCallSizes.Count > 3);
    }

    [Fact]
    public async Task An_export_applies_to_a_fresh_hub_even_when_package_owners_hold_no_permissions()
    {
        var source = new FakeKojiHub();
        await source.EnsureLoggedInAsync();
        await source.CallAsync(new KojiCall("createUser", "packager"));
        await source.CallAsync(new KojiCall("createTag", "t"));
        await source.CallAsync(new KojiCall("packageListAdd", "t", "p", "packager"));
        var exported = ContentLoader.LoadText(await ContentExporter.ExportAsync(source), "exported.yaml");
        Assert.DoesNotContain(exported.Users, u => u.Name == "packager"); // no permissions, so not listed

        var fresh = new FakeKojiHub();
        var plan = await ContentPlanner.PlanAsync(fresh, exported, prune: false);
        Assert.Contains(plan.Changes, c => c.Summary == "create user packager (owns packages in the content)");
        await ContentApplier.ApplyAsync(fresh, plan);
        Assert.True((await ContentPlanner.PlanAsync(fresh, exported, prune: true)).IsEmpty);
    }

    [Fact]
    public void The_stack_file_is_found_as_compose_finds_its_file()
    {
        using var dir = new TempDir();
        Assert.Null(StackFileLocator.Find(null, new Dictionary<string, string>(), dir.Path));
        var e = Assert.Throws<InputException>(() => StackFileLocator.Require(null, new Dictionary<string, string>(), dir.Path));
        Assert.Contains("--stack", e.Message);
        Assert.Contains("KOJIFARM_STACK", e.Message);
        Assert.Contains("koji-farm.yaml", e.Message);

        var local = dir.File("koji-farm.yaml", "name: here\nkoji:\n  from: packages\n");
        Assert.Equal(local, StackFileLocator.Find(null, new Dictionary<string, string>(), dir.Path));
        var env = new Dictionary<string, string> { ["KOJIFARM_STACK"] = "/elsewhere.yaml" };
        Assert.Equal("/elsewhere.yaml", StackFileLocator.Find(null, env, dir.Path));
        Assert.Equal("given.yaml", StackFileLocator.Find("given.yaml", env, dir.Path));

        // KOJIFARM_STACK names the file; it is not read as a stack setting
        var stack = StackLoader.Load(local, environment: env);
        Assert.Equal("here", stack.Name);
    }
}
