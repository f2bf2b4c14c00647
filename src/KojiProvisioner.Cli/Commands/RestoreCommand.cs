using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm restore`: a backup into a farm with no data yet, then `up` brings it back.</summary>
internal static class RestoreCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var from = new Option<string>("--from") { Description = "The backup folder (made by `koji-farm backup`)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the farm's data (volumes, state folder) with the backup" };
        var command = new Command("restore", "Restore a backup into a farm with no volumes yet (hashes checked first), then bring it up: same CA, users, tags, builds, repos, tasks")
        {
            stack, set, output, from, force,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var loaded = CommonOptions.LoadStack(parse, stack, set);
            var progress = new ProgressView(io, quiet: json);
            var (manifest, result) = await new RestoreFarm(loaded).RunAsync(parse.GetValue(from)!, parse.GetValue(force), progress, ct);
            ClientConfig.WriteAdminFiles(result.Definition);
            var names = result.Definition.Names;
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    stack = loaded.Name,
                    backup = manifest,
                    koji = result.KojiChanges,
                    hub = names.PublicHubUrl,
                }));
                return ExitCodes.Of(result.FailedHosts.Count == 0);
            }
            io.Console.MarkupLine($"[bold]{Markup.Escape(loaded.Name)}[/]: restored the backup of stack '{Markup.Escape(manifest.Stack)}' made {manifest.Time:yyyy-MM-dd HH:mm:ss}Z (Koji {Markup.Escape(manifest.KojiVersion)})");
            foreach (var change in result.KojiChanges)
                io.Console.MarkupLine($"  koji: {Markup.Escape(change)}");
            io.Console.MarkupLine($"hub  {Markup.Escape(names.PublicHubUrl)}");
            return ExitCodes.Of(result.FailedHosts.Count == 0);
        }));
        return command;
    }
}
