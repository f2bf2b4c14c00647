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
        var name = new Option<string>("--name")
        {
            Description = "Instead of --stack: the farm of this stack name, found on the engine by its labels (for a farm whose stack file is gone; `koji-farm ls` lists them)",
        };
        var command = new Command("down", "Remove the farm's containers and network; volumes are kept unless --purge") { options.Stack, options.Set, options.Output, purge, yes, name };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = options.Json(parse);
            if (parse.GetValue(name) is { } byName)
                return await ByNameAsync(io, parse, byName, json, parse.GetValue(purge), parse.GetValue(yes), options, ct);
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

    private static async Task<ExitCode> ByNameAsync(CliIO io, System.CommandLine.ParseResult parse, string stack, bool json, bool purging, bool yes,
        StackOptions options, CancellationToken ct)
    {
        if (parse.GetValue(options.Stack) is not null || (parse.GetValue(options.Set) ?? []).Length > 0)
            throw new InputException("--name finds the farm on the engine without a stack file: it cannot go with --stack or --set");
        var down = new DownByName(stack);
        if (purging && !yes)
        {
            var (folder, volumes) = await down.PurgeTargetsAsync(ct);
            var what = string.Join(", ", volumes.Select(v => $"volume {v}").Concat(folder is null ? [] : [$"folder {folder}"]));
            if (what.Length == 0) what = "nothing (no volumes, no state folder)";
            if (!io.Console.Profile.Capabilities.Interactive)
                throw new InputException($"down --purge of stack '{stack}' deletes {what}: add --yes to confirm");
            if (!io.Console.Confirm($"Delete {Markup.Escape(what)} of stack '{Markup.Escape(stack)}' (the database, /mnt/koji and the CA)?", defaultValue: false))
                return ExitCode.Failed;
        }
        var outcome = await down.RunAsync(purging, new ProgressView(io, quiet: json), ct);
        var result = outcome.Removed;
        if (json)
        {
            io.Out.WriteLine(JsonOutput.Serialize(new
            {
                stack,
                found = outcome.Farm is not null,
                removedContainers = result?.RemovedContainers ?? [],
                removedNetworks = result?.RemovedNetworks ?? [],
                removedVolumes = result?.RemovedVolumes ?? [],
                keptVolumes = result?.KeptVolumes ?? [],
                stateDir = outcome.Farm?.StateDir,
                stateDirOutcome = outcome.StateFolderOutcome,
                warnings = result?.Warnings ?? [],
            }));
            return ExitCode.Ok;
        }
        if (result is null)
        {
            io.Console.MarkupLine(Markup.Escape($"no farm of stack {stack} on the engine: nothing to remove (`koji-farm ls` lists the farms)"));
            return ExitCode.Ok;
        }
        foreach (var warning in result.Warnings)
            io.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        io.Console.MarkupLine($"removed {result.RemovedContainers.Count} containers and {result.RemovedNetworks.Count} networks of stack [bold]{Markup.Escape(stack)}[/]");
        if (result.KeptVolumes.Count > 0)
            io.Console.MarkupLine($"kept volumes {Markup.Escape(string.Join(", ", result.KeptVolumes))} (the farm's data: `down --name {Markup.Escape(stack)} --purge` removes them)");
        if (result.RemovedVolumes.Count > 0)
            io.Console.MarkupLine($"removed volumes {Markup.Escape(string.Join(", ", result.RemovedVolumes))}");
        if (purging)
            io.Console.MarkupLine(Markup.Escape(outcome.Farm!.StateDir is { } dir ? $"state folder {dir}: {outcome.StateFolderOutcome}" : $"state folder: {outcome.StateFolderOutcome}"));
        return ExitCode.Ok;
    }
}
