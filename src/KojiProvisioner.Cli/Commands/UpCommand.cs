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
        var adopt = new Option<bool>("--adopt") { Description = "Take over a farm made from another (or a lost) state folder: keep its data, reissue certificates from this state folder's CA, reset the database password to this folder's" };
        var ttl = WaitOptions.Ttl();
        var wait = WaitOptions.Wait();
        var waitTimeout = WaitOptions.Timeout("--wait-timeout", "5m", "--wait");
        var noBackup = new Option<bool>("--no-backup") { Description = "Upgrade Koji's database schema without taking a backup first" };
        var command = new Command("up", "Create or converge the farm: only what changed is touched; volumes are never recreated")
            { options.Stack, options.Set, options.Output, adopt, ttl, wait, waitTimeout, noBackup };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var json = options.Json(parse);
            var loaded = options.Load(parse);
            var timeout = WaitOptions.ParseTimeout("--wait-timeout", parse.GetValue(waitTimeout)!);
            var progress = new ProgressView(io, quiet: json);
            var result = await new Up(loaded).RunAsync(progress, ct, adopt: parse.GetValue(adopt), ttl: WaitOptions.ParseTtl(parse.GetValue(ttl)),
                backupBeforeUpgrade: !parse.GetValue(noBackup));
            ClientConfig.WriteAdminFiles(result.Definition);
            var ready = parse.GetValue(wait) ? await new Wait(loaded).ReadyAsync(result.Definition, timeout, progress, ct) : null;
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
                    ready = ready?.Select(c => new { what = c.What, detail = c.Detail }),
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
            if (BuildHint(loaded.Spec) is { } hint)
                io.Console.MarkupLine(Markup.Escape(hint));
            io.Console.MarkupLine($"admin certificate {Markup.Escape(result.Definition.AdminCertificatePath)}; `koji-farm client-config --stack {Markup.Escape(loaded.FilePath)} --install` sets up `koji -p {Markup.Escape(loaded.Name)}`");
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

    /// <summary>What a farm whose builders take no build tasks lacks to build RPMs; null when it builds (or has no builders).</summary>
    internal static string? BuildHint(Config.StackSpec spec)
    {
        var b = spec.Builders;
        return b.Count + b.Remote.Count == 0 || b.AnyTakesBuildTasks()
            ? null
            : "builders take createrepo tasks only; for RPM builds set builders.mock: true (see stacks/build-offline.yaml)";
    }
}
