using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Cli;

/// <summary>Errors a user can cause end in one line and an exit code, never a stack trace.</summary>
public class UserErrorTests
{
    private static string Stack(TempDir dir, string body = "") =>
        dir.File("stack.yaml", $"name: demo\nkoji:\n  from: packages\n{body}");

    [Theory]
    [InlineData("hub:\n  publicHost: ' '\n", "hub.publicHost")]
    [InlineData("hub:\n  publicHost: '../../x'\n", "hub.publicHost")]
    [InlineData("hub:\n  publicHost: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "hub.publicHost")]
    [InlineData("hub:\n  bindAddress: '../../x'\n", "hub.bindAddress")]
    [InlineData("hub:\n  bindAddress: ' '\n", "hub.bindAddress")]
    public async Task A_host_or_address_the_pki_cannot_use_is_bad_input_naming_the_key(string body, string key)
    {
        using var dir = new TempDir();
        var run = await CliRun.RunAsync("render", "--stack", Stack(dir, body), "--out", Path.Combine(dir.Path, "out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($": {key}: ", run.Error);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.False(Directory.Exists(Path.Combine(dir.Path, ".state")), "bad input wrote the state folder");
    }

    [Fact]
    public async Task A_corrupt_ca_certificate_is_one_line_and_exit_1()
    {
        using var dir = new TempDir();
        var stack = Stack(dir);
        var first = await CliRun.RunAsync("render", "--stack", stack, "--out", Path.Combine(dir.Path, "out"));
        Assert.True(first.ExitCode == 0, first.ToString());
        File.WriteAllText(Path.Combine(dir.Path, ".state", "demo", "pki", "ca.crt"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        var run = await CliRun.RunAsync("render", "--stack", stack, "--out", Path.Combine(dir.Path, "out2"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("koji-farm: ", run.Error);
        Assert.Contains("ca.crt", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(run.HasStackTrace, run.ToString());
    }
}
