using System.Diagnostics;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>`up` killed with SIGKILL anywhere in a cold run leaves nothing the next `up` cannot finish.</summary>
[Collection(RealKojiCollection.Name)]
public sealed class InterruptedUpTests(ITestOutputHelper output)
{
    /// <summary>
    /// Kill points spread over a cold run, each named by the progress line (step, container role,
    /// message) that triggers it; the last value says whether the builders had been created yet.
    /// </summary>
    public static TheoryData<string, string, string, bool> KillPoints => new()
    {
        // networks and volumes made, no container yet
        { "volume", "", "created", false },
        // the database container created, its password file not yet copied in or not started
        { "create", "db", "created", false },
        // the hub started: its bootstrap loads the schema right now
        { "start", "hub", "started", false },
        // the hub is healthy: builders and kojira have just been registered in Koji, the rest not yet done
        { "onhealthy", "hub", "add host", false },
        // builders created, between create and start
        { "create", "builder-2", "created", true },
    };

    [SkippableTheory]
    [MemberData(nameof(KillPoints))]
    public async Task Up_killed_then_up_again_converges_with_no_orphans(string step, string role, string message, bool buildersMade)
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("kill", builders: 2);
        var resource = role.Length == 0 ? $"koji-farm-{stack.Name}" : $"{stack.Name}-{role}";

        await steps.Run($"start `koji-farm up` as a process and SIGKILL it at `{step} {resource}: {message}`", async () =>
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "koji-farm.dll");
            using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "up", "--stack", stack.File])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var killed = new TaskCompletionSource();
            process.OutputDataReceived += (_, e) =>
            {
                // A progress line: "[  10.5s] create       NAME: message"
                if (e.Data is { } line && line.Contains($"] {step} ", StringComparison.Ordinal)
                    && line.Contains($" {resource}", StringComparison.Ordinal) && line.Contains($": {message}", StringComparison.Ordinal))
                {
                    process.Kill(entireProcessTree: true); // SIGKILL
                    killed.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var finished = await Task.WhenAny(killed.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(8)));
            Assert.True(finished == killed.Task, $"up finished or hung before it reached `{step} {resource}: {message}`");
            await process.WaitForExitAsync();
            Assert.Equal(137, process.ExitCode);
        });

        var status = await steps.Run("status sees an unfinished farm", () => stack.RunAsync("status"));
        Assert.NotEqual(0, status.ExitCode);

        var up = await steps.Run("up again finishes the job", () => stack.RunAsync("up", "--output", "json"));
        Assert.True(up.ExitCode == 0, up.ToString());
        // With --output json, standard output is one JSON document: no progress lines.
        var report = System.Text.Json.JsonDocument.Parse(up.Out).RootElement;
        Assert.Equal(stack.Name, report.GetProperty("stack").GetString());
        if (!buildersMade)
            // The builders start only after the hub is healthy: the killed run never got to them.
            Assert.Contains(report.GetProperty("changes").EnumerateArray(), c => c.GetProperty("name").GetString() == $"{stack.Name}-builder-1");

        var expected = new[] { "builder-1", "builder-2", "db", "hub", "kojira", "web" }.Select(r => $"{stack.Name}-{r}").Order().ToList();
        var after = await steps.Run("every planned container is healthy and nothing else exists", () => stack.RunAsync("status", "--output", "json"));
        Assert.True(after.ExitCode == 0, after.ToString());
        var json = System.Text.Json.JsonDocument.Parse(after.Out).RootElement;
        var names = json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order().ToList();
        Assert.Equal(expected, names);
        // No orphans on the engine either: every container of the stack's name or label is a planned one.
        var engine = await Shell.RunAsync("docker", "ps", "-a", "--format", "{{.Names}}", "--filter", $"label=koji-farm.stack={stack.Name}");
        Assert.Equal(expected, engine.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList());
        var byName = await Shell.RunAsync("docker", "ps", "-a", "--format", "{{.Names}}", "--filter", $"name=^{stack.Name}-");
        Assert.Equal(expected, byName.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList());
        // The schema was loaded once, whole: the admin exists exactly once.
        var admins = await Shell.RunAsync("docker", "exec", "-u", "postgres", $"{stack.Name}-db", "psql", "-X", "-tA", "-d", "koji", "-c",
            "SELECT count(*) FROM users WHERE name = 'kojiadmin'");
        Assert.Equal("1", admins.Stdout.Trim());
    }
}
