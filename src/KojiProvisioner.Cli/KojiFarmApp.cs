using System.CommandLine;
using KojiProvisioner.Cli.Commands;
using Spectre.Console;

namespace KojiProvisioner.Cli;

/// <summary>The `koji-farm` command line. Every verb lives in its own file under Commands/.</summary>
public static class KojiFarmApp
{
    /// <param name="interrupted">Cancelled by Ctrl-C or SIGTERM (see <see cref="Interruption"/>); tests pass none.</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter stdout, TextWriter stderr,
        CancellationToken interrupted = default)
    {
        var io = new CliIO(console, stdout, stderr);
        var root = new RootCommand("koji-farm: a company's Koji build farm (hub, web, kojira, builders) as code");
        root.Subcommands.Add(PreviewCommand.Create(io));
        root.Subcommands.Add(RenderCommand.Create(io));
        root.Subcommands.Add(ClientConfigCommand.Create(io));
        foreach (var extra in ExtraCommands(io))
            root.Subcommands.Add(extra);

        var parse = root.Parse(args);
        // ProcessTerminationTimeout null: System.CommandLine's signal handling would end the process
        // before the command could stop and say so; the caller's Interruption cancels instead.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null };
        try
        {
            return await parse.InvokeAsync(config, interrupted);
        }
        catch (OperationCanceledException e)
        {
            return CommonOptions.Report(io, e);
        }
    }

    private static IEnumerable<Command> ExtraCommands(CliIO io) =>
        [UpCommand.Create(io), DownCommand.Create(io), StatusCommand.Create(io), ContentCommand.Create(io),
         LsCommand.Create(io), GcCommand.Create(io), WaitRepoCommand.Create(io), BackupCommand.Create(io), RestoreCommand.Create(io),
        FlockCommand.Create(io), UserCommand.Create(io), SignCommand.Create(io), SignCommand.DistRepo(io)];
}

/// <summary>Where output goes: Spectre for people, raw writers for JSON and errors.</summary>
public sealed record CliIO(IAnsiConsole Console, TextWriter Out, TextWriter Error);
