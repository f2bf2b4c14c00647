using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm preview`: the farm a stack describes, and what `up` would change. Writes nothing.</summary>
internal static class PreviewCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions();
        var command = new Command("preview", "Show the farm a stack describes (and, when the engine answers, what `up` would create, recreate, keep or remove)")
        {
            options.Stack, options.Set, options.Output,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var preview = await new Preview(options.Load(parse)).RunAsync(ct);
            PlanView.Write(io, preview.Definition.Plan, preview.Engine, preview.Koji, options.Json(parse));
            return ExitCode.Ok;
        }));
        return command;
    }
}
