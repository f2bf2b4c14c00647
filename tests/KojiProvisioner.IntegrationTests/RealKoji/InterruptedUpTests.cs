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

        await steps.Run($"start `koji-farm up` as a process ({CliProcess.Build}) and SIGKILL it at `{step} {resource}: {message}`", async () =>
        {
            var (code, _, _) = await CliProcess.RunUntilAsync(stack, ["up"], step, resource, message, p => p.Kill(entireProcessTree: true));
            Assert.Equal(137, code);
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

    /// <summary>
    /// Ctrl-C at a terminal (SIGINT) and a CI job's cancel (SIGTERM) while `up` waits for the hub:
    /// it stops, says that running it again finishes the job, exits as a shell reports that signal,
    /// and the next `up` finishes the farm. Run on the installed native koji-farm when there is one.
    /// </summary>
    [SkippableTheory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task Up_stopped_by_a_signal_says_so_exits_with_the_signals_code_and_up_again_finishes(string signal, int exitCode)
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("sig", builders: 1);

        var (code, stderr, afterSignal) = await steps.Run($"SIG{signal} to `koji-farm up` ({CliProcess.Build}) while it waits for the hub",
            () => CliProcess.RunUntilAsync(stack, ["up"], "waithealthy", $"{stack.Name}-hub", "waiting", p => CliProcess.Signal(p, signal)));
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}; stderr:\n{stderr}");
        Assert.Contains("koji-farm: stopped; run the same command again to finish the job", stderr);
        // Stopping soon after the signal is the behaviour, so a bound stays: the exit code and message
        // above show it stopped rather than finished, and this shows it did not sit out the hub's health
        // wait first. Loose on purpose, so a loaded machine's slow process exit cannot fail it.
        Assert.True(afterSignal < TimeSpan.FromSeconds(60), $"up took {afterSignal.TotalSeconds:F1} s to stop after the signal");

        var up = await steps.Run("up again finishes the job", () => stack.RunAsync("up", "--output", "json"));
        Assert.True(up.ExitCode == 0, up.ToString());
        var status = await stack.RunAsync("status", "--output", "json");
        Assert.True(status.ExitCode == 0, status.ToString());

        // `up` waiting up to 30 s for the state folder's lock (held here, as by another run) stops at
        // the first signal; were that wait ever deaf to it again, the second signal sent a second
        // later must still end the process at once.
        await steps.Run($"SIG{signal} ends `up` at once while it waits for the state folder's lock", async () =>
        {
            using var held = StateFolderLock.Acquire(new StateFolder(stack.Load().StateDirectory));
            var (second, stderr2, afterSecond) = await CliProcess.RunUntilAsync(stack, ["up"], "warning", stack.Name, "waiting for the koji-farm run",
                p =>
                {
                    CliProcess.Signal(p, signal);
                    Thread.Sleep(TimeSpan.FromSeconds(1));
                    if (!p.HasExited)
                        CliProcess.Signal(p, signal);
                });
            Assert.True(second == exitCode, $"exit {second}, expected {exitCode}; stderr:\n{stderr2}");
            Assert.DoesNotContain("holds the state folder", stderr2); // it did not sit out the lock's wait
            Assert.True(afterSecond < TimeSpan.FromSeconds(15), $"up took {afterSecond.TotalSeconds:F1} s to end after the first signal");
        });
        var after = await steps.Run("up after the second signal finds the farm whole: nothing to change", () => stack.RunAsync("up"));
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("no changes", after.Out);
    }
}
