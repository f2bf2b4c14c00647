using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm up`: converge the farm on the engine, register its parts in Koji, seed the content.</summary>
internal static class UpCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions();
        var command = new Command("up", "Create or converge the farm: only what changed is touched; volumes are never recreated") { options.Stack, options.Set, options.Output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = options.Json(parse);
            var loaded = options.Load(parse);
            var result = await new Up(loaded).RunAsync(new ProgressView(io, quiet: json), ct);
            ClientConfig.WriteAdminFiles(result.Definition);
            var names = result.Definition.Names;
            if (json)
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    stack = loaded.Name,
                    changes = result.Engine.Steps.Where(s => s.IsChange).Select(s => new { action = s.Action.ToString().ToLowerInvariant(), kind = s.Kind.ToString().ToLowerInvariant(), name = s.Name, cause = s.Cause }),
                    koji = result.KojiChanges,
                    content = result.ContentApplied is null ? null : new { changes = result.ContentApplied.Changes, writes = result.ContentApplied.Writes },
                    hub = names.PublicHubUrl,
                    web = loaded.Spec.Web.Enabled ? names.PublicWebUrl : null,
                    remote = result.Remote?.Select(r => new { name = r.Name, address = r.Endpoint, changes = r.Changes, uploads = r.Uploads, restarted = r.Restarted, error = r.Error }),
                }));
                return ExitCodes.Of(result.FailedHosts.Count == 0);
            }
            io.Console.MarkupLine($"[bold]{Markup.Escape(loaded.Name)}[/]: {Markup.Escape(result.Engine.SummaryText)}");
            foreach (var change in result.KojiChanges)
                io.Console.MarkupLine($"  koji: {Markup.Escape(change)}");
            foreach (var host in result.Remote ?? [])
            {
                if (host.Failed)
                    continue;
                var what = host.Changes.Count == 0 ? "up to date" : string.Join("; ", host.Changes);
                io.Console.MarkupLine($"  remote {Markup.Escape(host.Name)} ({Markup.Escape(host.Endpoint)}): {Markup.Escape(what)}");
            }
            if (result.ContentApplied is { } applied)
                io.Console.MarkupLine($"  content: {applied.Changes} changes in {applied.Writes} writes");
            io.Console.MarkupLine($"hub  {Markup.Escape(names.PublicHubUrl)}");
            if (loaded.Spec.Web.Enabled)
                io.Console.MarkupLine($"web  {Markup.Escape(names.PublicWebUrl)}");
            io.Console.MarkupLine($"admin certificate {Markup.Escape(result.Definition.AdminCertificatePath)}; `koji-farm client-config --stack {Markup.Escape(parse.GetValue(options.Stack)!)} --install` sets up `koji -p {Markup.Escape(loaded.Name)}`");
            if (result.FailedHosts.Count > 0)
            {
                // Everything else converged; these hosts did not. One message each, naming the host.
                io.Error.WriteLine($"koji-farm: {result.FailedHosts.Count} of {result.Remote!.Count} remote builder hosts failed: {string.Join(", ", result.FailedHosts.Select(h => h.Name))}");
                foreach (var host in result.FailedHosts)
                    io.Error.WriteLine($"  {host.Error}");
                return ExitCode.Failed;
            }
            return ExitCode.Ok;
        }));
        return command;
    }
}
