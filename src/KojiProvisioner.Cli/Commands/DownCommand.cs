using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm down`: remove containers and the network; keep the data unless --purge.</summary>
internal static class DownCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions();
        var purge = new Option<bool>("--purge") { Description = "Also remove the volumes (database, /mnt/koji) and the stack's state folder (CA, keys)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask before --purge (needed when not at a terminal)" };
        var command = new Command("down", "Remove the farm's containers and network; volumes are kept unless --purge") { options.Stack, options.Set, options.Output, purge, yes };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = options.Json(parse);
            var loaded = options.Load(parse, needsKojiSource: false);
            var purging = parse.GetValue(purge);
            if (purging && !parse.GetValue(yes))
            {
                var (folder, volumes) = await new Down(loaded).PurgeTargetsAsync(ct);
                var what = string.Join(", ", volumes.Select(v => $"volume {v}").Concat(folder is null ? [] : [$"folder {folder}"]));
                if (what.Length == 0) what = "nothing (no volumes, no state folder)";
                if (!io.Console.Profile.Capabilities.Interactive)
                    throw new InputException($"down --purge of stack '{loaded.Name}' deletes {what}: add --yes to confirm");
                if (!io.Console.Confirm($"Delete {Markup.Escape(what)} of stack '{Markup.Escape(loaded.Name)}' (the database, /mnt/koji and the CA)?", defaultValue: false))
                    return ExitCode.Failed;
            }
            var result = await new Down(loaded).RunAsync(purging, new ProgressView(io, quiet: json), ct);
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    stack = result.Stack,
                    removedContainers = result.RemovedContainers,
                    removedNetworks = result.RemovedNetworks,
                    removedVolumes = result.RemovedVolumes,
                    keptVolumes = result.KeptVolumes,
                    warnings = result.Warnings,
                }));
                return ExitCode.Ok;
            }
            foreach (var warning in result.Warnings)
                io.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            io.Console.MarkupLine($"removed {result.RemovedContainers.Count} containers and {result.RemovedNetworks.Count} networks of stack [bold]{Markup.Escape(result.Stack)}[/]");
            if (result.KeptVolumes.Count > 0)
                io.Console.MarkupLine($"kept volumes {Markup.Escape(string.Join(", ", result.KeptVolumes))} (the farm's data: `up` uses them again; `down --purge` removes them)");
            if (result.RemovedVolumes.Count > 0)
                io.Console.MarkupLine($"removed volumes {Markup.Escape(string.Join(", ", result.RemovedVolumes))} and the state folder");
            return ExitCode.Ok;
        }));
        return command;
    }
}
