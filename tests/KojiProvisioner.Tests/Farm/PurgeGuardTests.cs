using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

/// <summary>`down --purge` deletes only a state folder koji-farm made, never a folder that happens to be named.</summary>
public class PurgeGuardTests
{
    private static string Stack(TempDir dir, string stateDir) =>
        dir.File("stacks/stack.yaml", $"name: demo\nkoji:\n  from: packages\nstateDir: '{stateDir}'\n");

    [Fact]
    public async Task Down_purge_yes_refuses_a_folder_koji_farm_did_not_make_and_keeps_its_files()
    {
        using var dir = new TempDir();
        var precious = dir.File("data/precious.txt", "years of work\n");
        var run = await CliRun.RunAsync("down", "--stack", Stack(dir, Path.Combine(dir.Path, "data")), "--purge", "--yes");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"refusing to purge the state folder {Path.Combine(dir.Path, "data")}: koji-farm did not make it", run.Error);
        Assert.True(File.Exists(precious));
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Theory]
    [InlineData(".", "it is the stack file's own folder")]
    [InlineData("..", "it is the stack file's own folder (or holds it)")]
    [InlineData("/", "it is the root of the file system")]
    public async Task Down_purge_refuses_the_stack_folder_its_ancestors_and_the_root(string stateDir, string why)
    {
        using var dir = new TempDir();
        var stack = Stack(dir, stateDir);
        // Even with a marker in it: these folders are never the state folder.
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(stack)!, StateFolder.MarkerName), "");
        var run = await CliRun.RunAsync("down", "--stack", stack, "--purge", "--yes");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(why, run.Error);
        Assert.True(File.Exists(stack));
    }

    [Fact]
    public void A_home_folder_is_refused_even_with_a_marker()
    {
        using var dir = new TempDir();
        var home = Path.Combine(dir.Path, "home", "alice");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, StateFolder.MarkerName), "");
        Assert.Equal("it is a home folder (or holds one)", PurgeGuard.Refusal(home, Path.Combine(dir.Path, "x", "stack.yaml"), home));
        Assert.Equal("it is a home folder (or holds one)", PurgeGuard.Refusal(Path.Combine(dir.Path, "home"), Path.Combine(dir.Path, "x", "stack.yaml"), home));
        Assert.Equal("it is a home folder", PurgeGuard.Refusal("/home/bob", "/srv/stacks/stack.yaml", "/root"));
    }

    [Fact]
    public void A_state_folder_koji_farm_created_may_be_purged()
    {
        using var dir = new TempDir();
        var state = new StateFolder(Path.Combine(dir.Path, ".state", "demo"));
        state.Create();
        Assert.True(state.HasMarker);
        Assert.Null(PurgeGuard.Refusal(state.Path, Path.Combine(dir.Path, "stack.yaml")));
    }

    [Fact]
    public void A_user_folder_named_as_state_folder_never_gets_the_marker_but_an_older_state_folder_does()
    {
        using var dir = new TempDir();
        dir.File("mine/notes.txt", "mine\n");
        var mine = new StateFolder(Path.Combine(dir.Path, "mine"));
        mine.Create();
        Assert.False(mine.HasMarker);
        Assert.NotNull(PurgeGuard.Refusal(mine.Path, Path.Combine(dir.Path, "stacks", "stack.yaml")));

        // Made before the marker existed: only koji-farm's own files in it.
        dir.File("old/pki/ca.crt", "-----BEGIN CERTIFICATE-----\n");
        dir.File("old/secrets/db-password", "x\n");
        var old = new StateFolder(Path.Combine(dir.Path, "old"));
        old.Create();
        Assert.True(old.HasMarker);
    }
}
