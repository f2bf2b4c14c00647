using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Cli;

/// <summary>
/// A content file is judged whole before the state folder or the hub is read: a bad file is exit 2
/// naming the file and line, also for a stack whose farm was never made (not "run up first").
/// </summary>
public sealed class ContentFirstTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StackDir => _dir.Path;

    private string Stack(string content = "content.yaml") =>
        _dir.File("stack.yaml", $"name: never-up\nkoji:\n  from: packages\ncontent: {content}\n");

    public static TheoryData<string, string, int> BadFiles => new()
    {
        { "users:\n  - name: alice\n    permision: [admin]\n", "content.yaml", 3 },
        { "channels:\n  - name: image\n    descripton: x\n", "content.yaml", 3 },
        { "tags:\n  - name: a\ninclude: [content.yaml]\n", "content.yaml", 3 },
        { "\ninclude: [missing.yaml]\n", "content.yaml", 2 },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Content_diff_and_apply_of_a_farm_never_made_judge_the_file_first(string yaml, string file, int line)
    {
        _dir.File("content.yaml", yaml);
        var stack = Stack();
        foreach (var verb in new[] { "diff", "apply" })
        {
            var run = await CliRun.RunAsync("content", verb, "--stack", stack);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains($"{file}:{line}: ", run.Error);
            Assert.DoesNotContain("koji-farm up", run.Error);
            Assert.Single(run.Error.Trim().Split('\n'));
        }
    }

    [Fact]
    public async Task Content_diff_with_a_file_option_judges_it_before_the_state_folder()
    {
        _dir.File("content.yaml", "tags:\n  - name: good\n");
        var bad = _dir.File("other.yaml", "users:\n  - name: bob\n    perms: [admin]\n");
        var run = await CliRun.RunAsync("content", "diff", "--stack", Stack(), "--file", bad);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("other.yaml:3: user 'bob': unknown key 'perms'", run.Error);
    }

    [Fact]
    public async Task Up_judges_the_content_file_before_it_makes_the_state_folder()
    {
        _dir.File("content.yaml", "channels:\n  - name: image\n    colour: red\n");
        var run = await CliRun.RunAsync("up", "--stack", Stack());
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("content.yaml:3: channel 'image': unknown key 'colour'", run.Error);
        Assert.False(Directory.Exists(Path.Combine(StackDir, ".state")), "a bad content file made the state folder");
    }
}
