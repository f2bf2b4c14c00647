using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Operations;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm wait-repo TAG`: return once the tag's repo is READY, or fail naming what it waits for.</summary>
internal static class WaitRepoCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var tag = new Argument<string>("tag") { Description = "The tag (a build tag) whose repo to wait for" };
        var timeout = WaitOptions.Timeout("--timeout", "10m", "the repo");
        var fresh = new Option<bool>("--fresh")
        {
            Description = "Wait for a repo that reflects the tag's latest change (as regen-repo), not just a current one",
        };
        var command = new Command("wait-repo", "Request a repo for a tag if it has none and wait until it is READY") { tag, stack, set, output, timeout, fresh };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = parse.GetValue(output) == "json";
            var limit = WaitOptions.ParseTimeout("--timeout", parse.GetValue(timeout)!);
            var repo = await new Wait(CommonOptions.LoadStack(parse, stack, set))
                .RepoAsync(parse.GetValue(tag)!, parse.GetValue(fresh), limit, new ProgressView(io, quiet: json), ct);
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    tag = repo.Tag, repo = repo.RepoId, request = repo.RequestId, alreadyReady = repo.WasReady,
                    waitedSeconds = Math.Round(repo.Waited.TotalSeconds, 1),
                }));
                return ExitCode.Ok;
            }
            io.Console.MarkupLine(Markup.Escape(repo.WasReady
                ? $"tag {repo.Tag}: repo {repo.RepoId} is READY"
                : $"tag {repo.Tag}: repo {repo.RepoId} is READY after {repo.Waited.TotalSeconds:0.0} s (repo request {repo.RequestId})"));
            return ExitCode.Ok;
        }));
        return command;
    }
}
