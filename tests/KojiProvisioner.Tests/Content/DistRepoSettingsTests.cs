using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// A tag's dist_repo block lands where Koji reads it, the tag's extra under Koji's names
/// (distrepo.cancel_others for the hub's distRepo, tag2distrepo.* for Koji's tag2distrepo plugin),
/// so `content diff` shows it, `content apply` writes it and `content export` gives it back.
/// </summary>
public class DistRepoSettingsTests
{
    private const string Release = """
        package_owner: kojiadmin
        tags:
          - name: stx-release
            arches: [x86_64]
            extra:
              mock.package_manager: dnf
            dist_repo:
              cancel_others: true
              on_tag: true
              keys: [A1B2C3D4, 0badf00d]
              inherit: false
              latest: true
        """;

    private static ContentException Invalid(string yaml) => Assert.Throws<ContentException>(() => ContentLoader.LoadText(yaml, "content.yaml"));

    [Fact]
    public void The_block_becomes_the_tag_extra_koji_reads_for_dist_repos()
    {
        var extra = ContentLoader.LoadText(Release, "content.yaml").FindTag("stx-release")!.Extra;
        Assert.Equal(new Dictionary<string, object?>
        {
            ["distrepo.cancel_others"] = true, ["mock.package_manager"] = "dnf", ["tag2distrepo.enabled"] = true,
            ["tag2distrepo.inherit"] = false, ["tag2distrepo.keys"] = "a1b2c3d4 0badf00d", ["tag2distrepo.latest"] = true,
        }, extra.ToDictionary());
    }

    [Theory]
    [InlineData("keys: [A1B2C3D4, 0badf00d]", "keys: [a1b2c3]", "content.yaml:10: tag 'stx-release' dist_repo: 'a1b2c3' is not a Koji signature key")]
    [InlineData("latest: true", "latest: yes", "content.yaml:12: tag 'stx-release' dist_repo: 'latest' must be true or false, found 'yes'")]
    [InlineData("latest: true", "auto: true", "content.yaml:12: tag 'stx-release' dist_repo: unknown key 'auto' (expected one of: cancel_others, on_tag, keys, inherit, latest, split_debuginfo)")]
    public void A_wrong_value_names_file_line_and_key(string line, string replacement, string message)
    {
        var ex = Invalid(Release.Replace(line, replacement));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void A_setting_given_in_extra_too_is_refused()
    {
        var ex = Invalid(Release.Replace("mock.package_manager: dnf", "distrepo.cancel_others: false"));
        Assert.Contains("'cancel_others' is extra distrepo.cancel_others, which 'extra' sets too", ex.Message);
    }

    [Fact]
    public void On_tag_without_the_tags_own_arches_is_refused_as_tag2distrepo_would()
    {
        var ex = Invalid(Release.Replace("    arches: [x86_64]\n", ""));
        Assert.Contains("'on_tag' needs the tag's own arches", ex.Message);
    }

    [Fact]
    public async Task Content_diff_shows_each_setting_and_apply_leaves_nothing_to_do()
    {
        var hub = new FakeKojiHub();
        var first = await ContentPlanner.PlanAsync(hub, ContentLoader.LoadText(Release, "content.yaml"), prune: false);
        Assert.Contains(first.Changes, c => c.Summary == "create tag stx-release (arches x86_64; extra distrepo.cancel_others, mock.package_manager, " +
            "tag2distrepo.enabled, tag2distrepo.inherit, tag2distrepo.keys, tag2distrepo.latest)");
        await ContentApplier.ApplyAsync(hub, first);

        var rotated = Release.Replace("[A1B2C3D4, 0badf00d]", "[99aa00ff, a1b2c3d4]").Replace("cancel_others: true", "cancel_others: false");
        var plan = await ContentPlanner.PlanAsync(hub, ContentLoader.LoadText(rotated, "content.yaml"), prune: false);
        Assert.Equal("change tag stx-release: extra distrepo.cancel_others=False, extra tag2distrepo.keys='99aa00ff a1b2c3d4'",
            Assert.Single(plan.Changes, c => c.Kind == ContentKind.Tag).Summary);
        await ContentApplier.ApplyAsync(hub, plan);
        Assert.DoesNotContain((await ContentPlanner.PlanAsync(hub, ContentLoader.LoadText(rotated, "content.yaml"), prune: false)).Changes, c => c.Kind == ContentKind.Tag);
    }

    [Fact]
    public void Export_writes_the_block_back_and_keeps_what_it_cannot_hold_in_extra()
    {
        var content = new KojiContent
        {
            Tags =
            [
                new TagSpec
                {
                    Name = "stx-release", Arches = ["x86_64"],
                    Extra = new Dictionary<string, object?>
                    {
                        ["distrepo.cancel_others"] = true, ["tag2distrepo.keys"] = "a1b2c3d4", ["tag2distrepo.latest"] = "True", ["mock.package_manager"] = "dnf",
                    },
                },
            ],
        };
        var yaml = ContentWriter.ToYaml(content);
        Assert.Contains("dist_repo:", yaml);
        Assert.Contains("cancel_others: true", yaml);
        Assert.Contains("keys: [a1b2c3d4]", yaml);
        Assert.Contains("tag2distrepo.latest: \"True\"", yaml);   // a text, not the true/false Koji's plugin reads as such
        var back = ContentLoader.LoadText(yaml, "w.yaml").FindTag("stx-release")!.Extra;
        Assert.True(ContentDiff.ValueEquals(content.Tags[0].Extra, back), yaml);
    }
}
