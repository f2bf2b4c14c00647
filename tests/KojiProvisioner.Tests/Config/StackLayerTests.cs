using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>
/// Every `--set` and `KOJIFARM_` variable reaches the stack or is refused naming its key: a list
/// is given whole (`key=[a, b]`, replacing the lower layers' list) or by index (`key.0=a`).
/// </summary>
public sealed class StackLayerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StackFile(string body) =>
        _dir.File("stack.yaml", $"name: acme\nkoji:\n  from: packages\nbuilders:\n  allowedScms:\n    - git.example.com:/a/*:no\n    - git.example.com:/b/*:no\n{body}");

    private static Dictionary<string, string> NoEnv => new();

    [Fact]
    public void A_bracketed_list_replaces_the_files_list_whole()
    {
        var stack = StackLoader.Load(StackFile(""), ["builders.allowedScms=[host:/*:no:]"], NoEnv);
        Assert.Equal(["host:/*:no:"], stack.Spec.Builders.AllowedScms);
    }

    [Fact]
    public void A_bracketed_list_with_several_entries_and_quotes_is_read_as_yaml()
    {
        var stack = StackLoader.Load(StackFile(""), ["builders.allowedScms=[\"h1:/x/*:no\", h2:/y/*]", "builders.arches=[x86_64, aarch64]"], NoEnv);
        Assert.Equal(["h1:/x/*:no", "h2:/y/*"], stack.Spec.Builders.AllowedScms);
        Assert.Equal(["x86_64", "aarch64"], stack.Spec.Builders.Arches);
    }

    [Fact]
    public void Empty_brackets_empty_the_list()
    {
        var stack = StackLoader.Load(StackFile(""), ["builders.allowedScms=[]"], NoEnv);
        Assert.Empty(stack.Spec.Builders.AllowedScms);
    }

    [Fact]
    public void An_index_replaces_only_that_entry()
    {
        var stack = StackLoader.Load(StackFile(""), ["builders.allowedScms.1=h:/c/*"], NoEnv);
        Assert.Equal(["git.example.com:/a/*:no", "h:/c/*"], stack.Spec.Builders.AllowedScms);
    }

    [Fact]
    public void An_environment_list_replaces_the_files_and_set_replaces_the_environments()
    {
        var env = new Dictionary<string, string> { ["KOJIFARM_BUILDERS__ALLOWEDSCMS"] = "[e:/1/*, e:/2/*, e:/3/*]" };
        Assert.Equal(["e:/1/*", "e:/2/*", "e:/3/*"], StackLoader.Load(StackFile(""), environment: env).Spec.Builders.AllowedScms);
        Assert.Equal(["s:/1/*"], StackLoader.Load(StackFile(""), ["builders.allowedScms=[s:/1/*]"], env).Spec.Builders.AllowedScms);
    }

    [Fact]
    public void A_list_of_maps_replaces_the_remote_builders()
    {
        var body = "  remote:\n    - name: old1\n      address: 10.0.0.1\n      privateKey: k\n      port: 2222\n    - name: old2\n      address: 10.0.0.2\n      privateKey: k\n";
        var stack = StackLoader.Load(StackFile(body), ["builders.remote=[{name: new1, address: 10.0.0.9, privateKey: k}]"], NoEnv);
        var only = Assert.Single(stack.Spec.Builders.Remote);
        Assert.Equal("new1", only.Name);
        Assert.Equal(22, only.Port); // not the old entry's 2222: the entry was replaced, not merged
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "builders.allowedScms=host:/*:no:", "--set builders.allowedScms: builders.allowedScms: is a list: give it whole in brackets" },
        { "builders.arches=x86_64", "--set builders.arches: builders.arches: is a list" },
        { "hub.port=[1, 2]", "--set hub.port: hub.port: takes one value, not a list" },
        { "organization=[Acme]", "--set organization: organization: takes one value, not a list" },
        { "hub.port.0=5", "--set hub.port.0: hub.port: takes one value; it has no '0'" },
        { "hub=x", "--set hub: hub: is a map: set its keys one by one" },
        { "builders.allowedScms.first=x", "--set builders.allowedScms.first: builders.allowedScms: is a list: 'first' is not an index" },
        { "builders.allowedScms=[a, [b]", "--set builders.allowedScms: builders.allowedScms: not a list" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_set_that_cannot_reach_the_stack_is_refused_naming_the_key(string set, string expected)
    {
        var e = Assert.Throws<InputException>(() => StackLoader.Load(StackFile(""), [set], NoEnv));
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_environment_scalar_for_a_list_is_refused_naming_the_variable()
    {
        var env = new Dictionary<string, string> { ["KOJIFARM_BUILDERS__ALLOWEDSCMS"] = "host:/*:no:" };
        var e = Assert.Throws<InputException>(() => StackLoader.Load(StackFile(""), environment: env));
        Assert.StartsWith("environment KOJIFARM_BUILDERS__ALLOWEDSCMS: builders.allowedScms: is a list", e.Message);
    }

    [Fact]
    public async Task The_cli_exits_2_with_one_line_for_a_scalar_given_to_a_list()
    {
        var run = await CliRun.RunAsync("render", "--stack", StackFile(""), "--set", "builders.allowedScms=host:/*:no:", "--out", Path.Combine(_dir.Path, "out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("builders.allowedScms", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }
}
