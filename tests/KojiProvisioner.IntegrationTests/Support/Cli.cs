using Xunit.Abstractions;
using System.Text;
using KojiProvisioner.Cli;
using Spectre.Console;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>The result of one koji-farm run, with a readable ToString for assertion messages.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>Runs koji-farm in-process, as a user would from the shell.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        console.Profile.Width = 200;
        var code = await KojiFarmApp.RunAsync(args, console, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString(), started.Elapsed);
    }

    public const string NativeVariable = "KOJI_FARM_NATIVE";

    /// <summary>The natively compiled koji-farm that scripts/test installs with scripts/install, or null.</summary>
    public static string? Native => Environment.GetEnvironmentVariable(NativeVariable) is { Length: > 0 } p ? Path.GetFullPath(p) : null;

    public static void SkipWithoutNative() =>
        Skip.If(Native is null, $"skipped: {NativeVariable} is not set, so there is no native koji-farm to run (scripts/test installs one with scripts/install when clang and zlib1g-dev are there)");

    /// <summary>koji-farm as its own process: the installed native build when there is one, else this build's koji-farm.dll.</summary>
    public static System.Diagnostics.ProcessStartInfo ProcessStart(IEnumerable<string> args) => Native is { } native
        ? new System.Diagnostics.ProcessStartInfo(native, args)
        : new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "koji-farm.dll"), .. args]);

    /// <summary>
    /// Runs koji-farm as its own process (<see cref="ProcessStart"/>) with <paramref name="environment"/>
    /// changed: a null value removes the variable (a shell without KOJI_SOURCE).
    /// </summary>
    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var info = ProcessStart(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        foreach (var (name, value) in environment)
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr, started.Elapsed);
    }

    /// <summary>Runs the native koji-farm as a separate process, as a CI job runs the installed command.</summary>
    public static async Task<CliResult> RunNativeAsync(params string[] args)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await Shell.RunAsync(Native ?? throw new InvalidOperationException($"{NativeVariable} is not set"), args);
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr, started.Elapsed);
    }
}

/// <summary>Free TCP ports on 127.0.0.1 for published container ports.</summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

/// <summary>Prints each step of a long test with its duration.</summary>
public sealed class Steps(ITestOutputHelper output)
{
    private readonly System.Diagnostics.Stopwatch _total = System.Diagnostics.Stopwatch.StartNew();

    public async Task<T> Run<T>(string name, Func<Task<T>> step)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            return await step();
        }
        finally
        {
            var line = $"[{_total.Elapsed.TotalSeconds,6:F1} s] {name}: {watch.Elapsed.TotalSeconds:F1} s";
            output.WriteLine(line);
            Console.WriteLine(line);
        }
    }

    public Task Run(string name, Func<Task> step) => Run<bool>(name, async () => { await step(); return true; });
}
