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
        command.Subcommands.Add(Import(io));
        return command;
    }

    /// <summary>A StarlingX-style tree moved into package-git repositories and a Flock manifest listing them.</summary>
    private static Command Import(CliIO io)
    {
        var from = new Option<string>("--from") { Description = "The tree: one folder per package with centos/NAME.spec and centos/build_srpm.data", Required = true };
        var outDir = new Option<string>("--out") { Description = "Where the package-git repositories are made (one folder per package)", Required = true };
        var manifest = new Option<string>("--manifest") { Description = "The Flock manifest to write (default: OUT/flock.yaml)" };
        var url = new Option<string>("--git-url") { Description = "The git server the repositories will be served from (each is URL/NAME)", DefaultValueFactory = _ => "git://git.example.internal" };
        var tags = new Option<string[]>("--tag") { Description = "Tags the packages are listed in (repeatable)", DefaultValueFactory = _ => ["stx-offline-base"], AllowMultipleArgumentsPerToken = true };
        var owner = new Option<string>("--owner") { Description = "Owner of the package-list entries", DefaultValueFactory = _ => "kojiadmin" };
        var patch = new Option<int?>("--tis-patch-ver") { Description = "The release number of a tree without git history (default 0); a git work tree counts the commits touching each folder" };
        var command = new Command("import",
            "Turn a StarlingX-style tree into package-git repositories (spec at the root, SRC_DIR as NAME-VERSION.tar.gz, COPY_LIST beside it) and a Flock manifest. Exit 2 naming a folder without build_srpm.data or spec")
            { from, outDir, manifest, url, tags, owner, patch };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, () =>
        {
            var o = parse.GetValue(outDir)!;
            var options = new StarlingXImportOptions(parse.GetValue(from)!, o, parse.GetValue(manifest) ?? Path.Combine(o, "flock.yaml"),
                parse.GetValue(url)!, parse.GetValue(tags)!, parse.GetValue(owner)!, parse.GetValue(patch));
            var done = StarlingXImport.Run(options, new CallbackProgress<string>(io.Out.WriteLine));
            io.Out.WriteLine($"{done.Count} package-git repositories in {o}; manifest {options.Manifest}");
            return ExitCode.Ok;
        }));
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
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Only say what would be submitted, in which layer, and why a package is skipped: reads the hub, writes nothing",
        };
        var sign = new Option<bool>("--sign") { Description = "Then sign what was built with the company key (as `koji-farm sign --build NVR ...`)" };
        var command = new Command("build",
            "Submit a Koji build of git+URL#ref for each package not yet built at its ref, in BuildRequires layers; wait and report. Exit 1 when a build fails")
            { stack, set, output, packages, target, dryRun, sign };
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
            if (parse.GetValue(dryRun))
            {
                var plan = await new FlockBuild(loaded).PlanAsync(items, progress, ct);
                if (json)
                    io.Out.WriteLine(JsonOutput.Serialize(new
                    {
                        dryRun = true, submitted = plan.Submitted, layers = plan.Layers.Count,
                        plan = plan.Layers.Select(l => new
                        {
                            layer = l[0].Layer, repoOf = FlockBuildPlan.RepoWaits(l),
                            builds = l.Select(b => new
                            {
                                package = b.Item.Name, target = b.Item.Target, source = b.Source, commit = b.Commit,
                                action = b.Submit ? "submit" : "skip", reason = b.Reason, nvr = b.Built?.Nvr, needs = b.Needs,
                            }),
                        }),
                    }));
                else
                    foreach (var line in plan.Lines())
                        io.Out.WriteLine(line);
                return ExitCode.Ok;
            }
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
                        seconds = Math.Round(r.Seconds, 1), submitted = r.Submitted, error = r.Error, logError = r.LogError, failedTask = r.FailedTask, failedMethod = r.FailedMethod,
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
            if (!json)
                io.Out.WriteLine(FlockSummary.Counts(report));
            foreach (var r in report.Rows.Where(r => !r.Ok))
                io.Error.WriteLine(r.State == FlockBuildRow.Failed
                    ? $"koji-farm: build of {r.Package} failed: task {r.FailedTask} ({r.FailedMethod}) of build task {r.Task}: {r.Error}{(r.LogError is null ? "" : $": {r.LogError}")}; build log: {r.LogUrl}"
                    : $"koji-farm: {r.Package}: {r.Error}");
            return ExitCodes.Of(report.Ok);
        }));
        return command;
    }
}
