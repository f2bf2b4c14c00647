using System.CommandLine;
using KojiProvisioner.Docker;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm sign`: the company's signature on every RPM of the named builds that lacks it, imported
/// into Koji with the signed copies written; `koji-farm dist-repo`: a repository of a tag, signed,
/// that hosts install from.
/// </summary>
internal static class SignCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var tag = new Option<string>("--tag", "-t") { Description = "Sign the latest build of every package in this tag (with inheritance)" };
        var builds = new Option<string[]>("--build", "-b")
        {
            Description = "Sign these builds (NVR; repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var newKey = new Option<bool>("--new-key")
        {
            Description = "Make a new company key (RSA 4096) that signs from now on; the old keys' signatures stay valid and listed",
        };
        var command = new Command("sign",
            "Sign every RPM of the builds that lacks the company's signature (rpmsign in a short-lived container), import the signatures into Koji and write the signed copies")
            { stack, set, output, tag, builds, newKey };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var loaded = CommonOptions.LoadStack(parse, stack, set);
            var nvrs = parse.GetValue(builds) ?? [];
            var chosen = parse.GetValue(tag);
            if (chosen is null && nvrs.Length == 0 && !parse.GetValue(newKey))
                throw new InputException("sign: name a tag (--tag TAG) or builds (--build NVR ...)");
            var progress = Progress(io, json);
            if (chosen is null && nvrs.Length == 0)
            {
                var made = await new SignBuilds(loaded).NewKeyAsync(progress, ct);
                Write(io, json, new SignReport(made, true, [], new CompanyKey(loaded, new Farm.FarmNames(loaded.Spec)).PublicKeyUrl, 0));
                return ExitCode.Ok;
            }
            var report = await new SignBuilds(loaded).RunAsync(chosen, nvrs, parse.GetValue(newKey), progress, ct);
            Write(io, json, report);
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Progress lines: to stdout for people, to stderr when stdout is the JSON document.</summary>
    private static CallbackProgress<string> Progress(CliIO io, bool json)
    {
        var to = json ? io.Error : io.Out;
        return new CallbackProgress<string>(line => { to.WriteLine(line); to.Flush(); });
    }

    /// <summary>The report of `sign` (and of `flock build --sign`).</summary>
    public static void Write(CliIO io, bool json, SignReport report)
    {
        if (json)
        {
            io.Out.WriteLine(JsonOutput.Serialize(new
            {
                key = new { keyId = report.Key.KeyId, sigkey = report.Key.Sigkey, fingerprint = report.Key.Fingerprint, made = report.KeyMade, publicKeyUrl = report.PublicKeyUrl },
                signed = report.Signed,
                seconds = Math.Round(report.Seconds, 1),
                builds = report.Builds.Select(b => new { nvr = b.Nvr, rpms = b.Rpms, signed = b.Signed, alreadySigned = b.AlreadySigned }),
            }));
            return;
        }
        io.Out.WriteLine(report.Signed == 0
            ? $"nothing to sign: every RPM of {report.Builds.Count} build(s) carries the company signature (key {report.Key.KeyId})"
            : $"signed {report.Signed} RPM(s) of {report.Builds.Count(b => b.Signed > 0)} build(s) with key {report.Key.KeyId} in {report.Seconds:F0} s");
        io.Out.WriteLine($"public key: {report.PublicKeyUrl}");
    }

    public static Command DistRepo(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var tag = new Argument<string>("tag") { Description = "The tag whose latest builds make the repository" };
        var wait = new Option<bool>("--wait") { Description = "Wait until Koji has made the repository" };
        var command = new Command("dist-repo",
            "Ask Koji for a dist repo of the tag signed with the company key (distRepo); print its base URL and a .repo file for hosts")
            { tag, stack, set, output, wait };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var loaded = CommonOptions.LoadStack(parse, stack, set);
            var progress = Progress(io, json);
            var repo = await new DistRepo(loaded).RunAsync(parse.GetValue(tag)!, parse.GetValue(wait), progress, ct);
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    tag = repo.Tag, task = repo.Task, repo = repo.RepoId, ready = repo.Ready, baseUrl = repo.BaseUrl, keys = repo.Keys,
                    repoFile = repo.RepoFile, seconds = Math.Round(repo.Seconds, 1),
                }));
                return ExitCode.Ok;
            }
            io.Out.WriteLine(repo.Ready
                ? $"dist repo {repo.RepoId} of {repo.Tag} is ready ({repo.Seconds:F0} s): {repo.BaseUrl}"
                : $"dist repo {repo.RepoId} of {repo.Tag} is being made by task {repo.Task} (pass --wait to wait): {repo.BaseUrl}");
            io.Out.WriteLine();
            io.Out.Write(repo.RepoFile);
            return ExitCode.Ok;
        }));
        return command;
    }
}
