using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Flock;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm flock build`: the Flock's package-git repositories built into RPMs by the farm's Koji,
/// in BuildRequires order, with what is already built at its ref left alone.
/// </summary>
internal static class FlockCommand
{
    public static Command Create(CliIO io)
    {
        var command = new Command("flock", "The Flock's packages: build them in the farm from their package-git repositories");
        command.Subcommands.Add(Build(io));
        command.Subcommands.Add(Buildroot(io));
        return command;
    }

    /// <summary>What `up` does at its end for buildroot.bootstrap, on its own (e.g. after adding a base tag).</summary>
    private static Command Buildroot(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var command = new Command("buildroot",
            "Make the bootstrapped buildroot RPM (once per machine), import it into Koji and tag it into buildroot.tags") { stack, set };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var loaded = CommonOptions.LoadStack(parse, stack, set);
            var spec = loaded.Spec;
            var progress = new CallbackProgress<FarmEvent>(e => io.Out.WriteLine(e.ToString()));
            var result = await new FlockBuildroot(loaded).RunAsync(progress, ct);
            io.Out.WriteLine(result.Changed
                ? $"{result.Nvr}: {(result.Imported ? "imported" : "already in Koji")}, tagged into {string.Join(", ", result.TaggedInto)} ({result.Total.TotalSeconds:F0} s)"
                : $"{result.Nvr} is in Koji and tagged into {string.Join(", ", spec.Buildroot.Tags)}: nothing to do");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Build(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var packages = new Option<string[]>("--package", "-p")
        {
            Description = "Build only these Flock packages (repeatable; default: all of the content's Flocks)",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var target = new Option<string>("--target", "-t") { Description = "The build target (default: the one target building from each package's tags)" };
        var sign = new Option<bool>("--sign") { Description = "Then sign what was built with the company key (as `koji-farm sign --build NVR ...`)" };
        var command = new Command("build",
            "Submit a Koji build of git+URL#ref for each package not yet built at its ref, in BuildRequires layers; wait and report. Exit 1 when a build fails")
            { stack, set, output, packages, target, sign };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var loaded = CommonOptions.LoadStack(parse, stack, set);
            var spec = loaded.Spec;
            var content = StackContent.Load(loaded)
                ?? throw new InputException($"{loaded.FilePath}: content: the stack has no content file, so no Flock manifest");
            var items = FlockPlan.Select(content, parse.GetValue(packages) ?? [], parse.GetValue(target));
            var allowed = spec.Builders.AllowedScms.Concat(content.AllowedScms).ToList();
            foreach (var item in items)
            {
                var uri = new Uri(item.Repository.Url);
                if (allowed.Count == 0 || !FlockManifest.IsAllowed(allowed, uri.Host, uri.AbsolutePath))
                    throw new InputException($"package {item.Name}: {uri.Host}:{uri.AbsolutePath} is not in the builders' allowed_scms (builders.allowedScms or the Flock's allowed_scms): kojid would refuse it");
            }
            if (spec.Builders.Count < 1)
                throw new InputException($"{loaded.FilePath}: builders.count: flock build reads the specs through a local builder; the stack has none");

            var progressOut = json ? io.Error : io.Out;
            var progress = new CallbackProgress<string>(line => { progressOut.WriteLine(line); progressOut.Flush(); });
            var report = await new FlockBuild(loaded).RunAsync(items, progress, ct);
            var built = report.Rows.Where(r => r.Ok && r.Nvr is not null).Select(r => r.Nvr!).ToList();
            var signed = parse.GetValue(sign) && built.Count > 0
                ? await new SignBuilds(loaded).RunAsync(null, built, newKey: false, progress, ct)
                : null;

            if (json)
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    ok = report.Ok, submitted = report.Submitted, layers = report.Layers, seconds = Math.Round(report.Seconds, 1),
                    signed = signed?.Signed, signingKey = signed?.Key.KeyId,
                    builds = report.Rows.Select(r => new
                    {
                        package = r.Package, target = r.Target, nvr = r.Nvr, state = r.State, task = r.Task, logUrl = r.LogUrl, host = r.Host,
                        seconds = Math.Round(r.Seconds, 1), submitted = r.Submitted, error = r.Error, failedTask = r.FailedTask, failedMethod = r.FailedMethod,
                    }),
                }));
            else
            {
                var table = new Table().AddColumns("package", "NVR", "state", "task", "log");
                foreach (var r in report.Rows)
                    table.AddRow(Markup.Escape(r.Package), Markup.Escape(r.Nvr ?? "-"),
                        r.Ok ? $"[green]{r.State}[/]" : $"[red]{r.State}[/]",
                        r.Task?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", Markup.Escape(r.LogUrl ?? "-"));
                io.Console.Write(table);
                io.Console.WriteLine(report.Submitted == 0 && report.Ok
                    ? $"all {report.Rows.Count} package(s) are built at their refs: nothing submitted"
                    : $"{report.Submitted} build(s) submitted in {report.Layers} layer(s), {report.Seconds:F0} s");
                if (signed is not null)
                    SignCommand.Write(io, json: false, signed);
            }
            foreach (var r in report.Rows.Where(r => !r.Ok))
                io.Error.WriteLine(r.State == FlockBuildRow.Failed
                    ? $"koji-farm: build of {r.Package} failed: task {r.FailedTask} ({r.FailedMethod}) of build task {r.Task}: {r.Error}; build log: {r.LogUrl}"
                    : $"koji-farm: {r.Package}: {r.Error}");
            return ExitCodes.Of(report.Ok);
        }));
        return command;
    }
}
