using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using Spectre.Console;
using KojiProvisioner.Database;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm backup`: the database, /mnt/koji and the state folder of a running farm, with a manifest.</summary>
internal static class BackupCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var outDir = new Option<string>("--out") { Description = "A new (or empty) folder for the backup", Required = true };
        var command = new Command("backup", "Back up a running farm (pg_dump, /mnt/koji, the state folder) into a folder, with a manifest of sizes and SHA-256s")
        {
            stack, set, output, outDir,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var dir = Path.GetFullPath(parse.GetValue(outDir)!);
            var manifest = await new BackupFarm(CommonOptions.LoadStack(parse, stack, set)).RunAsync(dir, new ProgressView(io, quiet: json), ct);
            if (json)
            {
                io.Out.WriteLine(manifest.ToJson());
                return ExitCode.Ok;
            }
            io.Console.MarkupLine($"[bold]{Markup.Escape(manifest.Stack)}[/]: backup in {Markup.Escape(dir)} (Koji {Markup.Escape(manifest.KojiVersion)}, schema {Markup.Escape(manifest.SchemaVersion ?? "none")})");
            foreach (var part in manifest.Parts)
                io.Console.MarkupLine($"  {Markup.Escape(part.Name),-9} {Markup.Escape(part.File),-14} {Markup.Escape(Bytes.Format(part.Bytes)),10}  sha256 {Markup.Escape(part.Sha256)}");
            io.Console.MarkupLine($"restore with `koji-farm restore --stack STACK --from {Markup.Escape(dir)}`");
            return ExitCode.Ok;
        }));
        return command;
    }
}
