using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm preview`: the farm a stack describes, and what `up` would change. Writes nothing.</summary>
internal static class PreviewCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var command = new Command("preview", "Show the farm a stack describes (and, when the engine answers, what `up` would create, recreate, keep or remove)")
        {
            stack, set, output,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var preview = await new Preview(CommonOptions.LoadStack(parse, stack, set)).RunAsync(ct);
            PlanView.Write(io, preview.Definition.Plan, preview.Engine, preview.Koji, parse.GetValue(output) == "json");
            return ExitCode.Ok;
        }));
        return command;
    }
}
