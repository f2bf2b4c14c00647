using System.CommandLine;
using KojiProvisioner.Content;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm content diff|apply|export`: the hub's tags, targets, external repos, groups and
/// package lists as code. diff reads only (no login); apply writes only the difference.
/// </summary>
internal static class ContentCommand
{
    public static Command Create(CliIO io)
    {
        var command = new Command("content", "Koji content as code: tags, inheritance, external repos, build groups, targets, packages");
        command.Subcommands.Add(Diff(io, apply: false));
        command.Subcommands.Add(Diff(io, apply: true));
        command.Subcommands.Add(Export(io));
        return command;
    }

    private static Option<string> File() => new("--file", "-f") { Description = "The content file (default: the stack's `content`)" };

    private static Command Diff(CliIO io, bool apply)
    {
        var options = new StackOptions();
        var file = File();
        var prune = new Option<bool>("--prune") { Description = "Also remove what the hub holds and the file does not list (packages are blocked, not deleted)" };
        var exitCode = new Option<bool>("--exit-code") { Description = "diff: exit 3 when there are changes to apply" };
        var command = apply
            ? new Command("apply", "Write only the difference between the content file and the hub, in dependency order") { options.Stack, options.Set, options.Output, file, prune }
            : new Command("diff", "Show what apply would create, change, block or remove, by kind of object") { options.Stack, options.Set, options.Output, file, prune, exitCode };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var loaded = options.Load(parse);
            var json = options.Json(parse);
            if (!apply)
            {
                var plan = await new DiffContent(loaded).RunAsync(parse.GetValue(file), parse.GetValue(prune), ct);
                if (json)
                    io.Out.WriteLine(plan.ToJson());
                else
                    io.Console.WriteLine(plan.ToString());
                return parse.GetValue(exitCode) && !plan.IsEmpty ? ExitCode.ChangesPending : ExitCode.Ok;
            }
            var (applied, result) = await new ApplyContent(loaded).RunAsync(parse.GetValue(file), parse.GetValue(prune), ct);
            if (json)
                io.Out.WriteLine(JsonOutput.Serialize(new { changes = result.Changes, writes = result.Writes, batches = result.Batches }));
            else
                io.Console.MarkupLine(applied.IsEmpty ? "no changes: the hub matches the content" : $"{Markup.Escape(applied.ToString())}\napplied {result.Changes} changes in {result.Writes} writes ({result.Batches} multicalls)");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Export(CliIO io)
    {
        var options = new StackOptions(output: false);
        var outFile = new Option<string>("--out") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Write the hub's content in the content-file format (to adopt an existing hub)") { options.Stack, options.Set, outFile };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var yaml = await new ExportContent(options.Load(parse)).RunAsync(ct);
            var target = parse.GetValue(outFile);
            if (target is null)
                io.Out.Write(yaml);
            else
                await System.IO.File.WriteAllTextAsync(target, yaml, ct);
            return ExitCode.Ok;
        }));
        return command;
    }
}
