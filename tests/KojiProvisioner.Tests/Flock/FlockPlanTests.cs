using KojiProvisioner.Content;
using KojiProvisioner.Flock;

namespace KojiProvisioner.Tests.Flock;

public sealed class FlockPlanTests
{
    private const string Flock = FlockTestContent.Flock;

    private static KojiContent WithFlock(string flock) => FlockTestContent.WithFlock(flock);

    [Fact]
    public void Each_package_builds_for_the_target_whose_build_tag_inherits_its_tags()
    {
        var items = FlockPlan.Select(WithFlock(Flock), [], null);
        Assert.All(items, i => Assert.Equal("line", i.Target));
        Assert.Equal(["lib", "tools", "app"], items.Select(i => i.Name));
    }

    [Fact]
    public void The_source_url_is_git_plus_url_with_the_spec_folder_as_koji_sub_path()
    {
        var items = FlockPlan.Select(WithFlock(Flock), [], null);
        Assert.Equal("git://git.example/lib#master", items[0].SourceAt("master"));
        Assert.Equal("git+https://git.example/tools.git?pkg/centos#v2", items[1].SourceAt("v2"));
    }

    [Fact]
    public void Unknown_packages_and_targets_are_named()
    {
        var content = WithFlock(Flock);
        Assert.Contains("no Flock package named nope", Assert.Throws<ContentException>(() => FlockPlan.Select(content, ["nope"], null)).Message);
        Assert.Contains("target 'nope' is not in the content", Assert.Throws<ContentException>(() => FlockPlan.Select(content, [], "nope")).Message);
        Assert.Single(FlockPlan.Select(content, ["app"], "other"), i => i.Target == "other");
    }

    [Fact]
    public void A_package_on_no_line_with_a_target_asks_for_target()
    {
        var flock = Flock.Replace("tags: [line-base]\n    packages:\n      - { name: app", "tags: [nowhere]\n    packages:\n      - { name: app");
        var e = Assert.Throws<ContentException>(() => FlockPlan.Select(WithFlock(flock), [], null));
        Assert.Contains("package 'app'", e.Message);
        Assert.Contains("--target", e.Message);
    }

    [Fact]
    public void BuildRequires_names_come_without_versions_macros_or_paths()
    {
        var spec = """
            Name: app
            BuildRequires: lib >= 1.2, gcc
            BuildRequires:  %{?python_provide} /usr/bin/perl tools
            buildrequires: (foo or bar)
            Requires: notabuildrequire
            """;
        Assert.Equal(["gcc", "lib", "tools"], FlockPlan.BuildRequiresOf(spec).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Packages_come_in_layers_after_the_flock_packages_they_BuildRequire()
    {
        var items = FlockPlan.Select(WithFlock(Flock), [], null);
        var layers = FlockPlan.Layers(items, new Dictionary<string, IReadOnlySet<string>>
        {
            ["app"] = new HashSet<string> { "lib", "tools", "gcc" },
            ["tools"] = new HashSet<string> { "lib" },
            ["lib"] = new HashSet<string> { "gcc" },
        });
        Assert.Equal([["lib"], ["tools"], ["app"]], layers.Select(l => l.Select(i => i.Name).ToArray()).ToArray());
    }

    [Fact]
    public void Independent_packages_share_the_first_layer_and_a_cycle_is_named()
    {
        var items = FlockPlan.Select(WithFlock(Flock), [], null);
        var flat = FlockPlan.Layers(items, new Dictionary<string, IReadOnlySet<string>>());
        Assert.Single(flat);
        var e = Assert.Throws<ContentException>(() => FlockPlan.Layers(items, new Dictionary<string, IReadOnlySet<string>>
        {
            ["app"] = new HashSet<string> { "tools" },
            ["tools"] = new HashSet<string> { "app" },
        }));
        Assert.Contains("app (needs tools)", e.Message);
        Assert.Contains("tools (needs app)", e.Message);
    }

    [Fact]
    public void A_recorded_build_source_matches_the_same_repository_sub_path_and_commit_only()
    {
        var items = FlockPlan.Select(WithFlock(Flock), [], null);
        const string sha = "0123456789abcdef0123456789abcdef01234567";
        Assert.True(FlockBuilder.SameSource($"git+https://git.example/tools.git?pkg/centos#{sha}", items[1], sha));
        Assert.False(FlockBuilder.SameSource($"git+https://git.example/tools.git?pkg/centos#{sha}", items[1], "fedcba"));
        Assert.False(FlockBuilder.SameSource($"git://git.example/other#{sha}", items[0], sha));
        Assert.True(FlockBuilder.SameSource($"git://git.example/lib#{sha}", items[0], sha));
    }
}
