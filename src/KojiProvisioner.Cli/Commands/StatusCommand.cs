using System.CommandLine;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm status`: every container of the farm with its state and health; exit 1 when anything is off.</summary>
internal static class StatusCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions();
        var command = new Command("status", "Show each part of the farm: state, health, ports; exit code 1 when something is missing or unhealthy") { options.Stack, options.Set, options.Output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var loaded = options.Load(parse);
            var verb = new Operations.Status(loaded);
            var status = await verb.FarmAsync(ct);
            var remote = await verb.RemoteAsync(ct);
            var koji = await verb.KojiAsync(ct);
            var builds = await verb.BuildsAsync(ct);
            var expiring = verb.ExpiryWarnings(DateTimeOffset.UtcNow);
            var company = new CompanyKey(loaded, new FarmNames(loaded.Spec));
            var keys = company.Keys.All();
            if (options.Json(parse))
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    stack = status.Stack,
                    healthy = status.AllHealthy,
                    hub = new FarmNames(loaded.Spec).PublicHubUrl,
                    web = loaded.Spec.Web.Enabled ? new FarmNames(loaded.Spec).PublicWebUrl : null,
                    containers = status.Containers.Select(c => new { role = c.Role, name = c.Name, state = c.State, health = c.Health, ports = c.Ports, problem = c.Problem }),
                    koji = new
                    {
                        hubVersion = koji.HubVersion, ok = koji.Ok, problem = koji.Problem,
                        builders = koji.Builders.Select(b => new { name = b.Name, enabled = b.Enabled, ready = b.Ready, inStack = b.InStack }),
                        kojira = koji.Kojira is null ? null : new { user = koji.Kojira.Name, exists = koji.Kojira.Exists, enabled = koji.Kojira.Enabled, permissions = koji.Kojira.Permissions },
                    },
                    expiring,
                    signing = new
                    {
                        publicKeyUrl = keys.Count > 0 ? company.PublicKeyUrl : null,
                        keys = keys.Select(k => new { keyId = k.KeyId, sigkey = k.Sigkey, fingerprint = k.Fingerprint, current = k.Current, url = company.KeyUrl(k) }),
                    },
                    networks = status.Networks,
                    volumes = status.Volumes,
                    remoteBuilders = remote.Select(r => new
                    {
                        name = r.Host.Name, address = r.Host.Endpoint, reachable = r.Host.Reachable, kojidRunning = r.Host.KojidRunning,
                        service = r.Host.ServiceManager, enabled = r.Enabled, ready = r.Ready, taskLoad = r.TaskLoad, capacity = r.Capacity,
                        inStack = r.InStack, problem = r.Problem,
                    }),
                    builders = builds?.Select(b => new
                    {
                        name = b.Name, enabled = b.Enabled, ready = b.Ready, taskLoad = b.TaskLoad, capacity = b.Capacity,
                        tasks = b.Tasks.Select(t => new { id = t.Id, method = t.Method, arch = t.Arch, what = t.What }),
                    }),
                }));
            }
            else
            {
                var table = new Table().AddColumns("role", "container", "state", "health", "ports", "problem");
                foreach (var c in status.Containers)
                {
                    table.AddRow(Markup.Escape(c.Role), Markup.Escape(c.Name), Markup.Escape(c.State), Markup.Escape(c.Health ?? "-"),
                        Markup.Escape(string.Join(", ", c.Ports)), c.Problem is null ? "" : $"[red]{Markup.Escape(c.Problem)}[/]");
                }
                io.Console.Write(table);
                foreach (var warning in expiring)
                    io.Console.MarkupLine($"[yellow]warning: {Markup.Escape(warning)}[/] (`koji-farm up` renews the farm's own certificates; `user renew NAME` a person's)");
                KojiView.Write(io, koji, builds);
                io.Console.WriteLine(keys.Count == 0
                    ? "signing key: none yet (`koji-farm sign` makes it)"
                    : $"signing key: {keys[0].KeyId} (sigkey {keys[0].Sigkey}), public key {company.PublicKeyUrl}" +
                      (keys.Count > 1 ? $"; older keys, still valid: {string.Join(", ", keys.Skip(1).Select(k => k.KeyId))}" : ""));
                if (remote.Count > 0)
                {
                    var hosts = new Table().AddColumns("remote builder", "address", "reachable", "kojid", "ready in Koji", "task load", "problem");
                    foreach (var r in remote)
                    {
                        hosts.AddRow(Markup.Escape(r.Host.Name), Markup.Escape(r.Host.Endpoint), r.Host.Reachable ? "yes" : "no",
                            r.Host.KojidRunning ? $"running ({Markup.Escape(r.Host.ServiceManager)})" : "not running",
                            r.Ready is null ? "-" : r.Ready.Value ? (r.Enabled == false ? "yes (disabled)" : "yes") : r.Enabled == false ? "no (disabled)" : "no",
                            r.TaskLoad is null ? "-" : $"{r.TaskLoad:0.##}/{r.Capacity:0.##}",
                            r.Problem is null ? "" : $"[red]{Markup.Escape(r.Problem)}[/]");
                    }
                    io.Console.Write(hosts);
                }
            }
            return ExitCodes.Of(status.AllHealthy && remote.All(r => r.Ok));
        }));
        return command;
    }
}

/// <summary>The Koji side of `status`: hub version, builders as Koji lists them, kojira's user.</summary>
internal static class KojiView
{
    /// <param name="builds">What each builder runs now, as the hub says; null when the hub did not answer.</param>
    public static void Write(CliIO io, KojiSideStatus koji, IReadOnlyList<KojiProvisioner.Flock.BuilderActivity>? builds)
    {
        if (koji.Problem is not null)
        {
            io.Console.MarkupLine($"koji: [red]{Markup.Escape(koji.Problem)}[/]");
            return;
        }
        io.Console.MarkupLine($"koji: hub {Markup.Escape(koji.HubVersion ?? "?")}" + (koji.Kojira is { } k
            ? $"; kojira's user [bold]{Markup.Escape(k.Name)}[/] {(k.Ok ? "[green]ok[/]" : "[red]" + Markup.Escape(!k.Exists ? "missing" : !k.Enabled ? "blocked" : "lacks the repo permission") + "[/]")} (permissions: {Markup.Escape(string.Join(", ", k.Permissions))})"
            : ""));
        var activity = (builds ?? []).ToDictionary(b => b.Name, StringComparer.Ordinal);
        var table = new Table().AddColumns("builder in Koji", "enabled", "ready", "in stack", "load", "running");
        foreach (var b in koji.Builders)
        {
            var a = activity.GetValueOrDefault(b.Name);
            table.AddRow(Markup.Escape(b.Name), b.Enabled ? "yes" : "[red]no[/]", b.Ready ? "yes" : b.InStack ? "[red]no[/]" : "no", b.InStack ? "yes" : "no",
                a is null ? "-" : $"{a.TaskLoad:0.##}/{a.Capacity:0.##}",
                a is null || a.Tasks.Count == 0 ? "-" : Markup.Escape(string.Join("; ", a.Tasks.Select(t => $"{t.Method} {t.What} {t.Arch} (task {t.Id})".Replace("  ", " ")))));
        }
        io.Console.Write(table);
    }
}
