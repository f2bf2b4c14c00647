using KojiProvisioner.Cli;
using Spectre.Console;

namespace KojiProvisioner.Tests.Support;

/// <summary>One in-process koji-farm run, as a user would start it from a script (no terminal).</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";

    /// <summary>What an unhandled exception leaves in the output.</summary>
    public bool HasStackTrace => (Out + Error).Contains("   at ", StringComparison.Ordinal) || (Out + Error).Contains("Unhandled exception", StringComparison.Ordinal);

    public static async Task<CliRun> RunAsync(params string[] args)
    {
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
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
