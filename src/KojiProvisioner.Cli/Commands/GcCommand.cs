using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using KojiProvisioner.Operations;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm gc`: remove the farms whose `up --ttl` is past, and say what went.</summary>
internal static class GcCommand
{
    public static Command Create(CliIO io)
    {
        var output = CommonOptions.Output();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say which farms would be removed" };
        var match = new Option<string>("--match")
        {
            Description = "Only farms whose stack name matches this pattern (* and ? wildcards), e.g. ci-*",
        };
        var command = new Command("gc",
            "Remove expired farms (made with up --ttl): containers, network, volumes and their state folders; farms without --ttl are never touched")
            { output, dryRun, match };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var dry = parse.GetValue(dryRun);
            var pattern = parse.GetValue(match) is { Length: > 0 } glob ? Glob(glob) : null;
            var now = DateTimeOffset.UtcNow;
            var reaped = await new CollectFarms().RunAsync(now, dry, pattern is null ? null : pattern.IsMatch,
                new ProgressView(io, quiet: json), ct);
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    dryRun = dry,
                    farms = reaped.Select(r => new
                    {
                        stack = r.Farm.Stack,
                        expires = r.Farm.Expires?.UtcDateTime,
                        removedContainers = r.Removed?.RemovedContainers ?? [],
                        removedNetworks = r.Removed?.RemovedNetworks ?? [],
                        removedVolumes = r.Removed?.RemovedVolumes ?? [],
                        containers = r.Farm.Containers,
                        networks = r.Farm.Networks,
                        volumes = r.Farm.Volumes,
                        stateDir = r.StateFolder,
                        stateDirOutcome = r.StateFolderOutcome,
                        warnings = r.Removed?.Warnings ?? [],
                        inUse = r.InUse,
                    }),
                }));
                return ExitCode.Ok;
            }
            if (reaped.Count == 0)
            {
                io.Console.MarkupLine(Markup.Escape($"no expired farms{(pattern is null ? "" : $" matching {parse.GetValue(match)}")}: nothing to remove"));
                return ExitCode.Ok;
            }
            foreach (var r in reaped)
            {
                var f = r.Farm;
                var when = $"expired {LsCommand.Age(now - f.Expires!.Value)} ago";
                if (r.InUse is { } inUse)
                {
                    io.Console.MarkupLine(Markup.Escape($"left farm {f.Stack} ({when}): {inUse}"));
                    continue;
                }
                var (verb, containers, networks, volumes) = r.Removed is { } d
                    ? ("removed", d.RemovedContainers, d.RemovedNetworks, d.RemovedVolumes)
                    : ("would remove", f.Containers, f.Networks, f.Volumes);
                io.Console.MarkupLine(Markup.Escape($"{verb} farm {f.Stack} ({when})"));
                io.Console.MarkupLine(Markup.Escape($"  containers: {List(containers)}"));
                io.Console.MarkupLine(Markup.Escape($"  networks: {List(networks)}; volumes: {List(volumes)}"));
                io.Console.MarkupLine(Markup.Escape(r.StateFolder is null
                    ? $"  state folder: {r.StateFolderOutcome}"
                    : $"  state folder {r.StateFolder}: {r.StateFolderOutcome}"));
                foreach (var warning in r.Removed?.Warnings ?? [])
                    io.Console.MarkupLine($"  [yellow]warning:[/] {Markup.Escape(warning)}");
            }
            return ExitCode.Ok;
        }));
        return command;
    }

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    internal static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$");
}
