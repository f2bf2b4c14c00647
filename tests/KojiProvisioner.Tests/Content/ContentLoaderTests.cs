using KojiProvisioner.Content;

namespace KojiProvisioner.Tests.Content;

public class ContentLoaderTests
{
    private static ContentException Invalid(string yaml, string file = "stacks/starlingx/content.yaml") =>
        Assert.Throws<ContentException>(() => ContentLoader.LoadText(yaml, file));

    private const string TwoTags = """
        package_owner: kojiadmin
        tags:
          - name: stx-centos7-base
          - name: stx-centos7-build
            inheritance: [stx-centos7-base]

        """;

    [Fact]
    public void Reads_every_field_in_kojis_words()
    {
        var content = TestContent.Load();
        var build = content.FindTag("stx-centos7-build")!;
        Assert.Equal(["x86_64"], build.Arches);
        Assert.Equal("yum", build.Extra["mock.package_manager"]);
        Assert.Equal(0, build.Extra["mock.new_chroot"]);
        var link = Assert.Single(build.Inheritance);
        Assert.Equal(("stx-centos7-base", 0, (int?)null, false, false, ""), (link.Parent, link.Priority, link.MaxDepth, link.Intransitive, link.NoConfig, link.PkgFilter));
        Assert.Equal(["centos7-base", "centos7-updates"], build.ExternalRepos.Select(r => r.Name));
        Assert.Equal("simple", build.ExternalRepos[1].MergeMode);
        Assert.Equal(["build", "srpm-build"], build.Groups.Select(g => g.Name));
        Assert.Contains(new GroupPackage("rpm-build"), build.Groups[0].Packages);
        var candidate = content.FindTag("stx-centos7-candidate")!;
        Assert.Equal(("mtce", "releng"), (candidate.Packages[1].Name, candidate.Packages[1].Owner));
        Assert.Equal("kojiadmin", candidate.Packages[0].Owner);
        Assert.Equal(["x86_64", "aarch64"], content.FindTag("stx-rocky8-build")!.Arches);
        Assert.Equal(10, content.FindTag("stx-rocky8-build")!.ExternalRepos[0].Priority);
        Assert.Equal(new SourceLocation("test.yaml", 24), build.Source);
    }

    [Fact]
    public void Unknown_key_names_file_line_object_and_the_allowed_keys()
    {
        var ex = Invalid(TwoTags.Replace("  - name: stx-centos7-base\n", "  - name: stx-centos7-base\n    arch: [x86_64]\n"));
        Assert.StartsWith("stacks/starlingx/content.yaml:4: tag 'stx-centos7-base': unknown key 'arch' (expected one of: name, arches,", ex.Message);
    }

    [Fact]
    public void Unknown_top_level_key_is_refused()
    {
        var ex = Invalid("tag:\n  - name: x\n");
        Assert.Equal("stacks/starlingx/content.yaml:1: content: unknown key 'tag' (expected one of: include, flocks, package_owner, users, channels, external_repos, tags, targets)", ex.Message);
    }

    [Theory]
    [InlineData("    locked: yes\n", "'locked' must be true or false, found 'yes'")]
    [InlineData("    inheritance:\n      - parent: stx-centos7-base\n        priority: first\n", "'priority' must be a whole number, found 'first'")]
    [InlineData("    extra: [a, b]\n", "'extra' must be a mapping, found a list")]
    [InlineData("    perm: [admin]\n", "'perm' must be a string, found a list")]
    public void Wrong_type_names_the_key_and_what_was_found(string addition, string message)
    {
        var ex = Invalid(TwoTags + "\n  - name: stx-extra\n" + addition);
        Assert.Contains(message, ex.Message);
        Assert.Contains("tag 'stx-extra'", ex.Message);
    }

    [Fact]
    public void Unknown_parent_tag_is_refused()
    {
        var ex = Invalid(TwoTags.Replace("inheritance: [stx-centos7-base]", "inheritance: [stx-centos7-bsae]"));
        Assert.Equal("stacks/starlingx/content.yaml:5: tag 'stx-centos7-build': parent tag 'stx-centos7-bsae' is not defined", ex.Message);
    }

    [Fact]
    public void Inheritance_cycle_is_refused_with_the_loop()
    {
        var ex = Invalid(TwoTags.Replace("  - name: stx-centos7-base\n", "  - name: stx-centos7-base\n    inheritance: [stx-centos7-build]\n"));
        Assert.Contains("inheritance cycle: stx-centos7-base -> stx-centos7-build -> stx-centos7-base", ex.Message);
    }

    [Fact]
    public void Target_naming_a_missing_tag_is_refused()
    {
        var ex = Invalid(TwoTags + "\ntargets:\n  - name: stx-centos7\n    build_tag: stx-centos7-buld\n    dest_tag: stx-centos7-base\n");
        Assert.Equal("stacks/starlingx/content.yaml:8: target 'stx-centos7': build tag 'stx-centos7-buld' is not defined", ex.Message);
        var dest = Invalid(TwoTags + "\ntargets:\n  - name: stx-centos7\n    build_tag: stx-centos7-build\n    dest_tag: nowhere\n");
        Assert.EndsWith("target 'stx-centos7': destination tag 'nowhere' is not defined", dest.Message);
    }

    [Fact]
    public void Duplicate_names_are_refused_with_both_places()
    {
        var ex = Invalid(TwoTags + "  - name: stx-centos7-base\n");
        Assert.Equal("stacks/starlingx/content.yaml:6: tag 'stx-centos7-base': is defined twice (first at stacks/starlingx/content.yaml:3)", ex.Message);
        Assert.Contains("package 'bash': is defined twice", Invalid(TwoTags + "    packages: [bash, bash]\n").Message);
        Assert.Contains("target 't': is defined twice", Invalid(TwoTags + "targets:\n  - {name: t, build_tag: stx-centos7-build, dest_tag: stx-centos7-base}\n  - {name: t, build_tag: stx-centos7-build, dest_tag: stx-centos7-base}\n").Message);
    }

    [Fact]
    public void Unknown_external_repo_is_refused()
    {
        var ex = Invalid(TwoTags + "    external_repos:\n      - name: centos7-os\n        priority: 10\n");
        Assert.Equal("stacks/starlingx/content.yaml:7: tag 'stx-centos7-build': external repo 'centos7-os' is not defined", ex.Message);
    }

    [Fact]
    public void Bad_merge_mode_and_duplicate_priorities_are_refused()
    {
        var repos = "external_repos:\n  - {name: a, url: 'http://x/a'}\n  - {name: b, url: 'http://x/b'}\n";
        Assert.Contains("merge_mode 'fancy' is not one of koji, simple, bare",
            Invalid(repos + TwoTags + "    external_repos:\n      - {name: a, priority: 1, merge_mode: fancy}\n").Message);
        Assert.Contains("external repo priority '5': is defined twice",
            Invalid(repos + TwoTags + "    external_repos:\n      - {name: a, priority: 5}\n      - {name: b, priority: 5}\n").Message);
    }

    [Fact]
    public void Package_without_owner_is_refused()
    {
        var ex = Invalid("tags:\n  - name: t\n    packages: [bash]\n");
        Assert.Contains("tag 't': package 'bash' has no owner", ex.Message);
    }

    [Fact]
    public void Invalid_yaml_reports_the_line()
    {
        var ex = Invalid("tags:\n  - name: t\n   bad: [\n");
        Assert.StartsWith("stacks/starlingx/content.yaml:3: not valid YAML", ex.Message);
    }

    [Fact]
    public void Includes_resolve_relative_to_the_including_file_and_merge()
    {
        var dir = Directory.CreateTempSubdirectory("content-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "os"));
            File.WriteAllText(Path.Combine(dir.FullName, "content.yaml"), "package_owner: kojiadmin\ninclude: [os/centos7.yaml]\ntags:\n  - name: top\n    inheritance: [c7]\n");
            File.WriteAllText(Path.Combine(dir.FullName, "os", "centos7.yaml"), "tags:\n  - name: c7\n");
            var content = ContentLoader.LoadFile(Path.Combine(dir.FullName, "content.yaml"));
            Assert.Equal(["c7", "top"], content.Tags.Select(t => t.Name));

            File.WriteAllText(Path.Combine(dir.FullName, "os", "centos7.yaml"), "tags:\n  - name: c7\n    inheritance: [missing]\n");
            var ex = Assert.Throws<ContentException>(() => ContentLoader.LoadFile(Path.Combine(dir.FullName, "content.yaml")));
            Assert.StartsWith(Path.Combine(dir.FullName, "os", "centos7.yaml") + ":3: tag 'c7': parent tag 'missing'", ex.Message);

            File.WriteAllText(Path.Combine(dir.FullName, "os", "centos7.yaml"), "include: [../content.yaml]\n");
            Assert.Contains("include cycle", Assert.Throws<ContentException>(() => ContentLoader.LoadFile(Path.Combine(dir.FullName, "content.yaml"))).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_include_names_the_including_file_and_line()
    {
        var ex = Invalid("package_owner: kojiadmin\ninclude:\n  - nowhere.yaml\n");
        Assert.StartsWith("stacks/starlingx/content.yaml:3: content: include: 'nowhere.yaml' does not exist", ex.Message);
    }

    [Fact]
    public void A_file_that_includes_itself_names_the_file_and_line()
    {
        using var dir = new Support.TempDir();
        var file = dir.File("content.yaml", "tags:\n  - name: a\ninclude: [content.yaml]\n");
        var ex = Assert.Throws<ContentException>(() => ContentLoader.LoadFile(file));
        Assert.StartsWith($"{file}:3: content: include: 'content.yaml' is already being read", ex.Message);
        Assert.Contains("cycle", ex.Message);
    }

    [Fact]
    public void An_include_cycle_names_the_file_and_line_that_closes_it()
    {
        using var dir = new Support.TempDir();
        var top = dir.File("content.yaml", "include: [os/a.yaml]\n");
        var a = dir.File("os/a.yaml", "\ninclude: [../content.yaml]\n");
        var ex = Assert.Throws<ContentException>(() => ContentLoader.LoadFile(top));
        Assert.StartsWith($"{Path.Combine(Path.GetDirectoryName(top)!, "os", "a.yaml")}:2: content: include: '../content.yaml'", ex.Message);
        Assert.Contains("content.yaml -> a.yaml -> content.yaml", ex.Message);
    }

    [Theory]
    [InlineData("users:\n  - name: alice\n    permission: [admin]\n", "content.yaml:3: user 'alice': unknown key 'permission'")]
    [InlineData("channels:\n  - name: image\n    enable: true\n", "content.yaml:3: channel 'image': unknown key 'enable'")]
    public void Unknown_keys_of_users_and_channels_name_the_file_and_line(string yaml, string expected)
    {
        var ex = Invalid(yaml, "content.yaml");
        Assert.StartsWith(expected, ex.Message);
    }
}
