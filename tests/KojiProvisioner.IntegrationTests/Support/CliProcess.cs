using System.Diagnostics;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>koji-farm as its own process, stopped (a signal, SIGKILL) at a progress line it prints.</summary>
public static class CliProcess
{
    /// <summary>"native" or "dotnet": which koji-farm <see cref="RunUntilAsync"/> starts, for step names.</summary>
    public static string Build => Cli.Native is null ? "dotnet" : "native";

    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>
    /// Starts koji-farm with <paramref name="args"/> on the stack as its own process (the installed
    /// native build when there is one, else this build's koji-farm.dll; arguments as TestStack runs them),
    /// and calls <paramref name="stop"/> on the first progress line with that step, resource and
    /// message. Returns the exit code, standard error and how long the process took to end after
    /// <paramref name="stop"/>.
    /// </summary>
    public static async Task<(int Code, string Stderr, TimeSpan AfterStop)> RunUntilAsync(
        TestStack stack, string[] args, string step, string resource, string message, Action<Process> stop)
    {
        var full = stack.OnThisStack(args);
        var start = Cli.ProcessStart(full);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stopped = new TaskCompletionSource<Stopwatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        Exception? stopFailed = null;
        process.OutputDataReceived += (_, e) =>
        {
            // A progress line: "[  10.5s] create       NAME: message"
            if (e.Data is { } line && line.Contains($"] {step} ", StringComparison.Ordinal)
                && line.Contains($" {resource}", StringComparison.Ordinal) && line.Contains($": {message}", StringComparison.Ordinal))
            {
                // Marked before the stop: the process may well have ended by the time stop returns.
                if (!stopped.TrySetResult(Stopwatch.StartNew()))
                    return;
                try
                {
                    stop(process);
                }
                catch (Exception failure)
                {
                    stopFailed = failure; // thrown on this reader thread it would end the test run
                }
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (stderr) stderr.AppendLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(stopped.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(8)));
        Assert.True(finished == stopped.Task, $"{args[0]} finished or hung before it reached `{step} {resource}: {message}`; stderr:\n{stderr}");
        var exit = process.WaitForExitAsync();
        if (await Task.WhenAny(exit, Task.Delay(TimeSpan.FromMinutes(2))) != exit)
            process.Kill(entireProcessTree: true); // it did not stop: the assertions on the time say so
        await process.WaitForExitAsync();
        if (stopFailed is not null)
            throw new InvalidOperationException($"stopping {args[0]} failed", stopFailed);
        var afterStop = stopped.Task.Result.Elapsed;
        lock (stderr)
            return (process.ExitCode, stderr.ToString(), afterStop);
    }
}
