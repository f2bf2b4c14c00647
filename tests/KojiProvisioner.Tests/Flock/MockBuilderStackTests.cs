using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Flock;

/// <summary>Builders that run mock, and the bootstrapped buildroot, as the stack file says them.</summary>
public sealed class MockBuilderStackTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _koji;
    private readonly string _mock;

    public MockBuilderStackTests()
    {
        _koji = _dir.File("koji-1.35.3.tar.gz", "only its existence is checked");
        _dir.File("mock/mock-6.7.tar.gz", "x");
        _dir.File("mock/templated-dictionary-1.5.tar.gz", "x");
        _mock = Path.Combine(_dir.Path, "mock");
    }

    public void Dispose() => _dir.Dispose();

    private Stack Load(string body, Dictionary<string, string>? env = null) =>
        StackLoader.Load(_dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {_koji}\n{body}"), environment: env ?? new());

    [Fact]
    public void A_mock_builder_needs_the_mock_tarballs_from_the_stack_or_MOCK_SOURCE()
    {
        var unset = Load("builders:\n  mock: true\n");
        Assert.Null(unset.Spec.Builders.MockSource);
        Assert.Contains("builders.mockSource: required when builders.mock is true", FarmInputs.Resolve(unset, recorded: null).Mock!.Missing);
        Assert.Equal(_mock, Load("builders:\n  mock: true\n", new() { ["MOCK_SOURCE"] = _mock }).Spec.Builders.MockSource);
        Assert.Equal(_mock, Load("builders:\n  mock: true\n  mockSource: mock\n").Spec.Builders.MockSource);
        var empty = Directory.CreateDirectory(Path.Combine(_dir.Path, "empty")).FullName;
        Assert.Contains("must hold exactly one mock-*.tar.gz", Assert.Throws<InputException>(() => Load($"builders:\n  mock: true\n  mockSource: {empty}\n")).Message);
    }

    [Fact]
    public void Privileged_is_gone_and_says_so()
    {
        var e = Assert.Throws<InputException>(() => Load("builders:\n  privileged: true\n"));
        Assert.Contains("builders.privileged: unknown key", e.Message);
    }

    [Fact]
    public void A_bootstrapped_buildroot_needs_its_tags_and_a_known_kind()
    {
        Assert.Contains("buildroot.tags: name the base tag", Assert.Throws<InputException>(() => Load("buildroot:\n  bootstrap: debian-12\n")).Message);
        Assert.Contains("'fedora' is not one of: debian-12", Assert.Throws<InputException>(() => Load("buildroot:\n  bootstrap: fedora\n  tags: [a]\n")).Message);
        Assert.Equal(["line-base"], Load("buildroot:\n  bootstrap: debian-12\n  tags: [line-base]\n").Spec.Buildroot.Tags);
    }

    [Fact]
    public void Mock_builders_get_CAP_SYS_ADMIN_a_mock_volume_the_builder_image_and_the_CA_for_the_system_store()
    {
        var stack = TestFarm.Stack(2, s => s.Builders.Mock = true);
        var images = TestFarm.Images with
        {
            Builder = new ImageSpec("koji-farm/koji-builder:123", "koji-builder", new Dictionary<string, string>(), new Dictionary<string, string>()),
        };
        var plan = TestFarm.Planner.Plan(stack, TestFarm.Credentials(stack), images, []);
        Assert.Equal(["koji-farm/db:def", "koji-farm/koji:abc", "koji-farm/koji-builder:123"], plan.Images.Select(i => i.Reference));
        Assert.Contains("koji-farm-demo-builder-2-mock", plan.Volumes.Select(v => v.Name));
        Assert.All(plan.Containers.Where(c => c.Role == Roles.Builder), b =>
        {
            Assert.Equal("koji-farm/koji-builder:123", b.Image);
            Assert.Equal(["SYS_ADMIN"], b.CapAdd);
            Assert.False(b.Privileged);
            Assert.Contains(b.Mounts, m => m.Target == "/var/lib/mock" && !m.ReadOnly && m.Volume == $"koji-farm-{b.Name}-mock");
            Assert.Contains(b.Files, f => f.Path == "/usr/local/share/ca-certificates/koji-farm-ca.crt" && f.Text == "-----CA-----\n");
        });
        Assert.All(plan.Containers.Where(c => c.Role != Roles.Builder), c => Assert.Empty(c.CapAdd));
        var p = KojiProvisioner.Docker.ContainerParameters.From(plan.Container("demo-builder-1"), "demo", plan.Network.Name);
        Assert.Equal(["SYS_ADMIN"], p.HostConfig!.CapAdd);
    }

    [Fact]
    public void Builders_without_mock_keep_their_plan_and_hash()
    {
        var plain = TestFarm.Plan(TestFarm.Stack(1));
        var builder = plain.Container("demo-builder-1");
        Assert.Empty(builder.CapAdd);
        Assert.Equal(ConfigHash.Of(builder with { CapAdd = [] }), builder.ConfigHash);
        Assert.NotEqual(builder.ConfigHash, ConfigHash.Of(builder with { CapAdd = ["SYS_ADMIN"] }));
    }

    [Fact]
    public void The_buildroot_image_is_named_by_its_recipe_and_its_release_is_that_hash()
    {
        var images = Path.Combine(RepoRoot.Path, "infra", "images");
        var a = ImageRecipes.Buildroot("koji-farm/debian-base:bookworm", images);
        Assert.StartsWith("koji-farm/buildroot:", a.Reference);
        Assert.Equal(a.Reference.Split(':')[1], a.BuildArgs["RELEASE"]);
        Assert.Equal(a, ImageRecipes.Buildroot("koji-farm/debian-base:bookworm", images) with { BuildArgs = a.BuildArgs, ExtraContext = a.ExtraContext });
        Assert.NotEqual(a.Reference, ImageRecipes.Buildroot("other/base:1", images).Reference);
    }

    [Theory]
    [InlineData("stacks/starlingx/flock-company.yaml")]
    [InlineData("stacks/build-offline/flock.yaml")]
    public void Example_flocks_load_and_their_repositories_pass_their_allowed_scms(string file)
    {
        var flock = FlockManifest.LoadFile(Path.Combine(RepoRoot.Path, file));
        Assert.NotEmpty(flock.Repositories);
        Assert.All(flock.AllowedScms, s => Assert.Equal(4, s.Split(':').Length));
    }

    [Fact]
    public void The_offline_stack_has_a_mock_builder_the_buildroot_and_the_stx_offline_target()
    {
        var stack = StackLoader.Load(Path.Combine(RepoRoot.Path, "stacks", "build-offline.yaml"),
            environment: new Dictionary<string, string> { ["KOJI_SOURCE"] = _koji, ["MOCK_SOURCE"] = _mock });
        Assert.True(stack.Spec.Builders.Mock);
        Assert.Contains("default", stack.Spec.Builders.Channels);
        Assert.Equal("debian-12", stack.Spec.Buildroot.Bootstrap);
        var content = ContentLoader.LoadFile(stack.ContentPath!);
        var target = Assert.Single(content.Targets);
        Assert.Equal("stx-offline", target.Name);
        Assert.Contains(stack.Spec.Buildroot.Tags.Single(), KojiProvisioner.Flock.FlockPlan.Ancestry(content, target.BuildTag));
        var build = content.FindTag(target.BuildTag)!;
        Assert.All(build.Groups, g => Assert.Equal(["debian-buildroot"], g.Packages.Select(p => p.Name)));
    }
}
