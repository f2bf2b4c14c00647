using Spectre.Console;
using System.CommandLine;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm render`: writes every file each container will get, exactly as `up` copies it in,
/// so an operator can read what the farm will run. Uses (and on first use makes) the stack's CA.
/// </summary>
internal static class RenderCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions(output: false);
        var outDir = new Option<string>("--out") { Description = "Folder to write into (one subfolder per container)", Required = true };
        var command = new Command("render", "Write every rendered config file and certificate of the farm into a folder") { options.Stack, options.Set, outDir };
        command.SetAction((parse, _) => CommonOptions.Guard(io, () =>
        {
            var root = Path.GetFullPath(parse.GetValue(outDir)!);
            var (definition, count) = new Render(options.Load(parse)).Run(root, m => io.Error.WriteLine($"koji-farm: {m}"));
            io.Console.MarkupLine($"wrote {count} files for {definition.Plan.Containers.Count} containers into {Spectre.Console.Markup.Escape(root)}");
            foreach (var change in definition.StateChanges)
                io.Console.MarkupLine($"  [grey]{Spectre.Console.Markup.Escape(change)}[/]");
            return ExitCode.Ok;
        }));
        return command;
    }
}
