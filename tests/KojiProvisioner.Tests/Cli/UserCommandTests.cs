using KojiProvisioner.Pki;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Cli;

/// <summary>`user` commands refuse bad input before anything is written or the hub is asked: exit 2, one line.</summary>
public sealed class UserCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Stack(string extra = "") => _dir.File("stack.yaml", "name: acme\norganization: Acme\n" + extra);

    private string State => Path.Combine(_dir.Path, ".state", "acme");

    private static void RefusedInOneLine(CliRun run, string expected)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, run.Error);
    }

    [Theory]
    [InlineData("alice smith")]
    [InlineData("ops/alice")]
    public async Task A_name_with_a_space_or_a_slash_is_refused_and_nothing_is_written(string name)
    {
        var stack = Stack();
        var folder = Path.Combine(_dir.Path, "out");
        var run = await CliRun.RunAsync("user", "add", name, "--stack", stack, "--out", folder);
        RefusedInOneLine(run, "not a valid user name");
        Assert.False(Directory.Exists(folder));
        Assert.False(Directory.Exists(State));
    }

    [Fact]
    public async Task The_farms_own_names_are_refused()
    {
        var run = await CliRun.RunAsync("user", "add", "kojira", "--stack", Stack(), "--out", Path.Combine(_dir.Path, "out"));
        RefusedInOneLine(run, "the farm itself uses");
    }

    [Fact]
    public async Task Adding_a_user_twice_is_refused_and_nothing_is_written()
    {
        var stack = Stack();
        FarmPki.LoadOrCreate(State, new PkiRequest("Acme", ["localhost"], []));
        var alice = FarmPki.IssueUser(State, "Acme", "alice", UserKinds.Person, TimeSpan.FromDays(10), "pw");
        FarmPki.RecordUser(State, new UserRecord("alice", UserKinds.Person, [], [alice.Record]));
        var before = File.ReadAllText(UserRegistry.PathIn(State));
        var folder = Path.Combine(_dir.Path, "out");

        var run = await CliRun.RunAsync("user", "add", "alice", "--stack", stack, "--out", folder);
        RefusedInOneLine(run, "already has a certificate");
        Assert.False(Directory.Exists(folder));
        Assert.Equal(before, File.ReadAllText(UserRegistry.PathIn(State)));
    }

    [Fact]
    public async Task Revoking_an_unknown_user_is_refused_and_the_crl_is_left_alone()
    {
        var stack = Stack();
        var crl = FarmPki.LoadOrCreate(State, new PkiRequest("Acme", ["localhost"], [])).CrlPem;
        var run = await CliRun.RunAsync("user", "revoke", "nobody", "--stack", stack);
        RefusedInOneLine(run, "'nobody' is not a user");
        Assert.Equal(crl, File.ReadAllText(FarmPki.CrlPath(State)));
    }

    [Theory]
    [InlineData("hub:\n  policy:\n    tag:\n      - \"has_perm admin allow\"\n", "hub.policy.tag[0]")]
    [InlineData("hub:\n  policy:\n    tagging:\n      - \"all :: allow\"\n", "hub.policy.tagging")]
    public async Task A_malformed_or_unknown_policy_is_refused_naming_the_key_and_line(string yaml, string key)
    {
        var run = await CliRun.RunAsync("user", "ls", "--stack", Stack(yaml));
        RefusedInOneLine(run, key);
        Assert.False(Directory.Exists(State));
    }
}
