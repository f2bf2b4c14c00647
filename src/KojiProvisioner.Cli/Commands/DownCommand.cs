using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
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
            var purging = parse.GetValue(purge);
            var confirmed = parse.GetValue(yes);
            if (parse.GetValue(name) is { } byName)
            {
                if (parse.GetValue(options.Stack) is not null || (parse.GetValue(options.Set) ?? []).Length > 0)
                    throw new InputException("--name finds the farm on the engine without a stack file: it cannot go with --stack or --set");
                var down = new DownByName(byName);
                if (purging && !confirmed && !Confirm(io, byName, await down.PurgeTargetsAsync(ct)))
                    return ExitCode.Failed;
                var outcome = await down.RunAsync(purging, new ProgressView(io, quiet: json), ct);
                if (outcome.Removed is not { } removed)
                {
                    if (json)
                        io.Out.WriteLine(JsonOutput.Serialize(new { stack = byName, found = false }));
                    else
                        io.Console.MarkupLine(Markup.Escape($"no farm of stack {byName} on the engine: nothing to remove (`koji-farm ls` lists the farms)"));
                    return ExitCode.Ok;
                }
                var stateDir = outcome.Farm!.StateDir;
                Report(io, json, removed, found: true, stateDir, outcome.StateFolderOutcome,
                    keptHint: $"`down --name {byName} --purge` removes them",
                    purging ? [stateDir is null ? $"state folder: {outcome.StateFolderOutcome}" : $"state folder {stateDir}: {outcome.StateFolderOutcome}"] : []);
                return ExitCode.Ok;
            }

            var loaded = options.Load(parse);
            if (purging && !confirmed && !Confirm(io, loaded.Name, await new Down(loaded).PurgeTargetsAsync(ct)))
                return ExitCode.Failed;
            var result = await new Down(loaded).RunAsync(purging, new ProgressView(io, quiet: json), ct);
            Report(io, json, result, found: null, stateDir: null, stateDirOutcome: null,
                keptHint: "`up` uses them again; `down --purge` removes them",
                result.RemovedStateFolder is { } removedState ? [$"removed the state folder {removedState}"] : []);
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Asks before a purge, naming every volume and folder it deletes; refuses (exit 2) when nobody can be asked.</summary>
    private static bool Confirm(CliIO io, string stack, (string? StateFolder, IReadOnlyList<string> Volumes) targets)
    {
        var (folder, volumes) = targets;
        var what = string.Join(", ", volumes.Select(v => $"volume {v}").Concat(folder is null ? [] : [$"folder {folder}"]));
        if (what.Length == 0) what = "nothing (no volumes, no state folder)";
        if (!io.Console.Profile.Capabilities.Interactive)
            throw new InputException($"down --purge of stack '{stack}' deletes {what}: add --yes to confirm");
        return io.Console.Confirm($"Delete {Markup.Escape(what)} of stack '{Markup.Escape(stack)}' (the farm's data in them and the CA)?", defaultValue: false);
    }

    /// <param name="found">For `--name` only: whether the engine had the farm (null fields are left out of the JSON).</param>
    /// <param name="extraLines">Lines after the summary (what became of the state folder).</param>
    private static void Report(CliIO io, bool json, DownResult result, bool? found, string? stateDir, string? stateDirOutcome,
        string keptHint, IReadOnlyList<string> extraLines)
    {
        if (json)
        {
            io.Out.WriteLine(JsonOutput.Serialize(new
            {
                stack = result.Stack,
                found,
                removedContainers = result.RemovedContainers,
                removedNetworks = result.RemovedNetworks,
                removedVolumes = result.RemovedVolumes,
                keptVolumes = result.KeptVolumes,
                stateDir,
                stateDirOutcome,
                warnings = result.Warnings,
                kept = result.Kept,
            }));
            return;
        }
        foreach (var warning in result.Warnings)
            io.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        io.Console.MarkupLine($"removed {result.RemovedContainers.Count} containers and {result.RemovedNetworks.Count} networks of stack [bold]{Markup.Escape(result.Stack)}[/]");
        if (result.KeptVolumes.Count > 0)
            io.Console.MarkupLine(Markup.Escape($"kept volumes {string.Join(", ", result.KeptVolumes)} (the farm's data: {keptHint})"));
        if (result.RemovedVolumes.Count > 0)
            io.Console.MarkupLine(Markup.Escape($"removed volumes {string.Join(", ", result.RemovedVolumes)}"));
        foreach (var line in result.Kept.Concat(extraLines))
            io.Console.MarkupLine(Markup.Escape(line));
    }
}
