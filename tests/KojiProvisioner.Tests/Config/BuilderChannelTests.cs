using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>A builder without mock cannot run build tasks, so it never joins the channel that hands them out.</summary>
public sealed class BuilderChannelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> NoEnv => new();

    private Stack Load(string builders, params string[] sets) =>
        StackLoader.Load(_dir.File("stack.yaml", $"name: acme\nkoji:\n  from: packages\nbuilders:\n{builders}"), sets, NoEnv);

    [Fact]
    public void Builders_without_mock_take_createrepo_tasks_only()
    {
        Assert.Equal(["createrepo"], Load("  count: 2\n").Spec.Builders.Channels);
    }

    [Fact]
    public void Builders_with_mock_take_build_and_createrepo_tasks()
    {
        Assert.Equal(["default", "createrepo"], Load("  count: 1\n  mock: true\n").Spec.Builders.Channels);
        Assert.Equal(["default", "createrepo"], Load("  count: 1\n", "builders.mock=true").Spec.Builders.Channels);
    }

    [Theory]
    [InlineData("  count: 1\n  channels: [default, createrepo]\n", "stack.yaml: builders.channels:")]
    [InlineData("  count: 1\n  channels: [default]\n  mock: false\n", "stack.yaml: builders.channels:")]
    public void The_default_channel_without_mock_is_refused_saying_to_set_mock(string builders, string expected)
    {
        var e = Assert.Throws<InputException>(() => Load(builders));
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Contains(expected, e.Message);
        Assert.Contains("builders.mock: true", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_default_channel_from_set_names_the_set()
    {
        var e = Assert.Throws<InputException>(() => Load("  count: 1\n", "builders.channels=[default]"));
        Assert.StartsWith("--set builders.channels: builders.channels:", e.Message);
    }

    [Fact]
    public void Remote_builders_keep_build_tasks_when_the_local_ones_have_no_mock()
    {
        // Remote hosts run kojid from their own packages; builders.mock is about the local containers.
        var stack = Load("  count: 1\n  remote:\n    - name: r1\n      address: 10.0.0.1\n      privateKey: k\n");
        Assert.Equal(["createrepo"], stack.Spec.Builders.Channels);
        Assert.Equal(["default", "createrepo"], stack.Spec.Builders.Remote[0].Channels);
    }

    [Fact]
    public void Without_local_builders_the_channels_are_the_remote_builders_default()
    {
        var stack = Load("  count: 0\n  channels: [default]\n  remote:\n    - name: r1\n      address: 10.0.0.1\n      privateKey: k\n");
        Assert.Equal(["default"], stack.Spec.Builders.Remote[0].Channels);
    }

    [Fact]
    public void Every_stack_file_of_the_repository_is_valid()
    {
        var koji = _dir.File("koji.tar.gz", "only its existence is checked");
        var mock = Path.Combine(_dir.Path, "mock");
        _dir.File("mock/mock-6.0.tar.gz", "");
        _dir.File("mock/templated-dictionary-1.5.tar.gz", "");
        var env = new Dictionary<string, string> { ["KOJI_SOURCE"] = koji, ["MOCK_SOURCE"] = mock };
        var files = Directory.GetFiles(Path.Combine(RepoRoot.Path, "stacks"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var stack = StackLoader.Load(file, environment: env);
            if (!stack.Spec.Builders.Mock && stack.Spec.Builders.Count > 0)
                Assert.DoesNotContain("default", stack.Spec.Builders.Channels);
        }
    }
}

/// <summary>`up` of a farm whose builders cannot build says how to make it build.</summary>
public sealed class UpBuildHintTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string? Hint(string builders) =>
        KojiProvisioner.Cli.Commands.UpCommand.BuildHint(StackLoader.Load(
            _dir.File("stack.yaml", $"name: acme\nkoji:\n  from: packages\nbuilders:\n{builders}"), environment: new Dictionary<string, string>()).Spec);

    [Fact]
    public void A_farm_of_createrepo_builders_is_told_to_set_mock()
    {
        var hint = Hint("  count: 2\n");
        Assert.NotNull(hint);
        Assert.Contains("builders.mock: true", hint);
        Assert.Contains("stacks/build-offline.yaml", hint);
    }

    [Theory]
    [InlineData("  count: 1\n  mock: true\n")]
    [InlineData("  count: 0\n")]
    [InlineData("  count: 1\n  remote:\n    - name: r1\n      address: 10.0.0.1\n      privateKey: k\n")]
    public void A_farm_that_builds_or_has_no_builders_gets_no_hint(string builders) => Assert.Null(Hint(builders));
}
