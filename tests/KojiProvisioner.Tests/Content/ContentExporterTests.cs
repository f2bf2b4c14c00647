using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

public class ContentExporterTests
{
    private static async Task<FakeKojiHub> HubWith(string yaml)
    {
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, TestContent.Load(yaml), prune: false));
        return hub;
    }

    [Fact]
    public async Task Exported_content_applied_to_the_same_hub_is_a_no_op_even_with_prune()
    {
        var hub = await HubWith(TestContent.Yaml);
        var yaml = await ContentExporter.ExportAsync(hub);
        var exported = ContentLoader.LoadText(yaml, "exported.yaml");

        var plan = await ContentPlanner.PlanAsync(hub, exported, prune: true);
        Assert.True(plan.IsEmpty, plan + "\n---\n" + yaml);
    }

    [Fact]
    public async Task Export_of_a_hub_changed_by_hand_keeps_what_the_hub_has()
    {
        var hub = await HubWith(TestContent.Yaml);
        await hub.EnsureLoggedInAsync();
        var results = await hub.MultiCallAsync(
        [
            new KojiCall("editTag2", "stx-centos7-build", new KojiKwargs { { "extra", new Dictionary<string, object?> { ["rpm.macro.dist"] = ".el7", ["weird"] = "123", ["nested"] = new Dictionary<string, object?> { ["a"] = new List<object?> { 1, true, null } } } } }),
            new KojiCall("packageListAdd", "stx-centos7-candidate", "blocked-one", "kojiadmin", new KojiKwargs { { "block", true } }),
            new KojiCall("packageListAdd", "stx-centos7-candidate", "multi", "releng", new KojiKwargs { { "extra_arches", "i686 ppc64le" } }),
            new KojiCall("groupPackageListAdd", "stx-centos7-build", "build", "gdb", new KojiKwargs { { "type", "optional" } }),
            new KojiCall("setInheritanceData", "stx-rocky8-build", new List<object?> { new Dictionary<string, object?>
            {
                ["parent_id"] = ((IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("getTag", "stx-centos7-base")))!)["id"],
                ["priority"] = 5, ["maxdepth"] = 2, ["intransitive"] = true, ["noconfig"] = true, ["pkg_filter"] = "^fm-.*",
            } }),
            new KojiCall("addChannel", "image-builders", "for image tasks"),
        ]);
        Assert.DoesNotContain(results, r => r.IsFault);

        var yaml = await ContentExporter.ExportAsync(hub);
        Assert.Contains("weird: \"123\"", yaml);
        Assert.Contains("pkg_filter: ^fm-.*", yaml);
        Assert.Contains("url: https://vault.centos.org/7.9.2009/os/$arch/", yaml);
        var exported = ContentLoader.LoadText(yaml, "exported.yaml");
        var candidate = exported.FindTag("stx-centos7-candidate")!;
        Assert.True(candidate.Packages.Single(p => p.Name == "blocked-one").Blocked);
        Assert.Equal(["i686", "ppc64le"], candidate.Packages.Single(p => p.Name == "multi").ExtraArches);
        Assert.Equal("optional", exported.FindTag("stx-centos7-build")!.Groups.Single(g => g.Name == "build").Packages.Single(p => p.Name == "gdb").Type);
        var link = exported.FindTag("stx-rocky8-build")!.Inheritance.Single();
        Assert.Equal((5, (int?)2, true, true), (link.Priority, link.MaxDepth, link.Intransitive, link.NoConfig));

        var plan = await ContentPlanner.PlanAsync(hub, exported, prune: true);
        Assert.True(plan.IsEmpty, plan + "\n---\n" + yaml);
    }

    [Fact]
    public async Task Exported_file_rebuilds_the_content_on_an_empty_hub()
    {
        var source = await HubWith(TestContent.Yaml);
        var exported = ContentLoader.LoadText(await ContentExporter.ExportAsync(source), "exported.yaml");

        var fresh = new FakeKojiHub();
        await ContentApplier.ApplyAsync(fresh, await ContentPlanner.PlanAsync(fresh, exported, prune: false));
        Assert.True((await ContentPlanner.PlanAsync(fresh, TestContent.Load(), prune: false)).IsEmpty);
    }

    [Fact]
    public async Task Exported_tags_list_parents_first()
    {
        var hub = await HubWith(TestContent.Yaml);
        var exported = await ContentExporter.ReadAsync(hub);
        var names = exported.Tags.Select(t => t.Name).ToList();
        Assert.True(names.IndexOf("stx-centos7-base") < names.IndexOf("stx-centos7-build"));
        Assert.True(names.IndexOf("stx-centos7-base") < names.IndexOf("stx-centos7-candidate"));
    }
}

public class ContentWriterTests
{
    [Theory]
    [InlineData("yes")]
    [InlineData("true")]
    [InlineData("1.0")]
    [InlineData("007")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData(" padded ")]
    [InlineData("- dash")]
    [InlineData("a: b")]
    [InlineData("x #y")]
    [InlineData("'quoted'")]
    [InlineData("\"double\"")]
    [InlineData("multi\nline")]
    [InlineData("ünïcødé ✓")]
    [InlineData("%{dist}")]
    public void Extra_strings_survive_write_and_read(string text)
    {
        var content = new KojiContent
        {
            Tags = [new TagSpec { Name = "t", Extra = new Dictionary<string, object?> { ["k"] = text, ["n"] = 3, ["b"] = false, ["z"] = null, ["l"] = new List<object?> { 1.5, "2" } } }],
        };
        var back = ContentLoader.LoadText(ContentWriter.ToYaml(content), "w.yaml").FindTag("t")!.Extra;
        Assert.Equal(text, back["k"]);
        Assert.True(ContentDiff.ValueEquals(content.Tags[0].Extra, back), ContentWriter.ToYaml(content));
    }
}
