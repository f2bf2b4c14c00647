using System.CommandLine;
using KojiProvisioner.Content;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm content diff|apply|export`: the hub's tags, targets, external repos, groups and
/// package lists as code, for any hub: a stack's, a koji client profile's, or one named by URL.
/// diff and export read only (no login); apply writes only the difference.
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
        var hubOptions = new HubOptions();
        var output = CommonOptions.Output();
        var file = File();
        var prune = new Option<string?>("--prune")
        {
            Description = $"Also remove what the hub holds and the file does not list, of these kinds ({string.Join(",", PruneScope.Names.Keys)}; alone: all). Packages are blocked, not deleted",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var yes = new Option<bool>("--yes", "-y") { Description = "apply --prune: do not ask before removing (needed when not at a terminal)" };
        var exitCode = new Option<bool>("--exit-code") { Description = "diff: exit 3 when there are changes to apply" };
        var command = apply
            ? new Command("apply", "Write only the difference between the content file and the hub, in dependency order") { output, file, prune, yes }
            : new Command("diff", "Show what apply would create, change, block or remove, by kind of object") { output, file, prune, exitCode };
        foreach (var option in hubOptions.All) command.Options.Add(option);
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var verb = apply ? "apply" : "diff";
            var scope = parse.GetResult(prune) is null ? PruneScope.None : PruneScope.Parse(parse.GetValue(prune));
            var (connect, stack) = hubOptions.Choose(parse);
            if (stack is not null)
                scope = scope with { KeepGranted = Users.Granted(stack) };
            var path = parse.GetValue(file) ?? stack?.ContentPath
                ?? throw new InputException(stack is null
                    ? $"content {verb}: name the content file with --file"
                    : $"{stack.FilePath}: content: no content file: set `content:` in the stack or pass --file");
            // The whole file is judged before the stack's state folder or the hub is read.
            var content = ContentVerbs.Load(path, scope);
            Timings.Mark($"content {verb}: content file loaded");
            var target = connect();
            var json = parse.GetValue(output) == "json";
            var hubName = target.Options.HubUrl.ToString();
            if (!apply)
            {
                var diff = await new DiffContent(target).RunAsync(content, scope, ct);
                if (json)
                    io.Out.WriteLine(ContentPlanDocument.Write(diff, "diff", hubName));
                else
                    io.Console.WriteLine(ContentPlanText.Render(diff, hubName));
                return parse.GetValue(exitCode) && !diff.IsEmpty ? ExitCode.ChangesPending : ExitCode.Ok;
            }

            using var applier = new ApplyContent(target);
            var plan = await applier.PlanAsync(content, scope, ct);
            var removals = PruneSafety.RemovalCount(plan);
            if (removals > 0 && !parse.GetValue(yes))
            {
                var what = $"content apply --prune removes {PruneSafety.Describe(plan)} from {target.Description}";
                if (!io.Console.Profile.Capabilities.Interactive)
                    throw new InputException($"{what}: add --yes to confirm (`content diff --prune` lists them)");
                io.Console.WriteLine(ContentPlanText.Render(plan, hubName));
                if (!io.Console.Confirm($"{Markup.Escape(what)}. Go on?", defaultValue: false))
                {
                    io.Error.WriteLine("koji-farm: nothing applied");
                    return ExitCode.Failed;
                }
            }
            var result = await applier.ApplyAsync(plan, ct);
            if (json)
                io.Out.WriteLine(ContentPlanDocument.Write(plan, "apply", hubName, result));
            else
                io.Console.WriteLine(plan.IsEmpty
                    ? ContentPlanText.Render(plan, hubName)
                    : $"{ContentPlanText.Render(plan, hubName)}\napplied {result.Changes} changes in {result.Writes} writes ({result.Batches} multicalls)");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Export(CliIO io)
    {
        var hubOptions = new HubOptions();
        var outFile = new Option<string>("--out") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Write the hub's content in the content-file format (to adopt a hub you already run)") { outFile };
        foreach (var option in hubOptions.All) command.Options.Add(option);
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var (target, _) = hubOptions.Resolve(parse);
            await new ExportContent(target).RunAsync(parse.GetValue(outFile), io.Out, ct);
            return ExitCode.Ok;
        }));
        return command;
    }
}
