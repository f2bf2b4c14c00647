using System.Diagnostics;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>`up` killed with SIGKILL half-way leaves nothing the next `up` cannot finish.</summary>
[Collection(RealKojiCollection.Name)]
public sealed class InterruptedUpTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Up_killed_half_way_then_up_again_converges_with_no_orphans()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("kill", builders: 2);

        await steps.Run("start `koji-farm up` as a process and SIGKILL it once the database is healthy", async () =>
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
                // Half-way: the database is up and the hub is being made.
                if (e.Data is { } line && line.Contains($"{stack.Name}-hub", StringComparison.Ordinal) && line.Contains("create", StringComparison.Ordinal))
                {
                    process.Kill(entireProcessTree: true); // SIGKILL
                    killed.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var finished = await Task.WhenAny(killed.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(8)));
            Assert.True(finished == killed.Task, "up finished or hung before it reached the hub");
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
        // The builders start only after the hub is healthy: the killed run never got to them.
        Assert.Contains(report.GetProperty("changes").EnumerateArray(), c => c.GetProperty("name").GetString() == $"{stack.Name}-builder-1");

        var after = await steps.Run("every planned container is healthy and nothing else exists", () => stack.RunAsync("status", "--output", "json"));
        Assert.True(after.ExitCode == 0, after.ToString());
        var json = System.Text.Json.JsonDocument.Parse(after.Out).RootElement;
        var names = json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(new[] { "builder-1", "builder-2", "db", "hub", "kojira", "web" }.Select(r => $"{stack.Name}-{r}").Order(), names);
    }
}
