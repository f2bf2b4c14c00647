using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// A farm remembers what it is made of: after one `up` with KOJI_SOURCE, every later command runs in a
/// shell without KOJI_SOURCE or MOCK_SOURCE, also once the tarball it was made from is moved away.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class FarmInputsTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> NoSources = new() { ["KOJI_SOURCE"] = null, ["MOCK_SOURCE"] = null };

    [SkippableFact]
    public async Task After_up_with_KOJI_SOURCE_status_content_up_and_down_need_it_no_more()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("inputs", builders: 0, kojiPathInFile: false);
        // A read-only copy of the Koji tarball, as a fresh machine may have it; moved away after `up`.
        var copy = Path.Combine(stack.Directory, "sources", Path.GetFileName(TestStack.KojiSource!));
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(TestStack.KojiSource!, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var content = Path.Combine(stack.Directory, "content.yaml");
        await File.WriteAllTextAsync(content, "tags:\n  - name: inputs-base\n    arches: [x86_64]\n");

        var made = await steps.Run("up with KOJI_SOURCE (a read-only copy)", () =>
            stack.RunProcessAsync(new Dictionary<string, string?> { ["KOJI_SOURCE"] = copy, ["MOCK_SOURCE"] = null }, "up"));
        Assert.True(made.ExitCode == 0, made.ToString());
        var containers = await ContainerIds(stack);

        var status = await steps.Run("status without KOJI_SOURCE", () => stack.RunProcessAsync(NoSources, "status"));
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.DoesNotContain("out of date", status.Out);

        File.Delete(copy); // the tarball is gone: the farm's images are what it runs
        var diff = await steps.Run("content diff without KOJI_SOURCE", () => stack.RunProcessAsync(NoSources, "content", "diff", "--file", content));
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Contains("inputs-base", diff.Out);

        var again = await steps.Run("up without KOJI_SOURCE, its source gone: changes nothing", () => stack.RunProcessAsync(NoSources, "up"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("no changes", again.Out);
        Assert.Equal(containers, await ContainerIds(stack));

        var later = await steps.Run("status again", () => stack.RunProcessAsync(NoSources, "status"));
        Assert.True(later.ExitCode == 0, later.ToString());
        Assert.DoesNotContain("out of date", later.Out);

        var down = await steps.Run("down without KOJI_SOURCE", () => stack.RunProcessAsync(NoSources, "down"));
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Empty(await ContainerIds(stack));
    }

    private static async Task<string> ContainerIds(TestStack stack)
    {
        var ps = await Shell.RunAsync("docker", "ps", "-a", "--no-trunc", "--filter", $"label=koji-farm.stack={stack.Name}", "--format", "{{.Names}} {{.ID}}");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        return string.Join("\n", ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }
}
