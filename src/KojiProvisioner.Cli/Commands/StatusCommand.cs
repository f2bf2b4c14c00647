using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Farm;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm status`: every container of the farm with its state and health; exit 1 when anything is off.</summary>
internal static class StatusCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var command = new Command("status", "Show each part of the farm: state, health, ports; exit code 1 when something is missing or unhealthy") { stack, set, output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var deployment = new StackDeployment(CommonOptions.LoadStack(parse, stack, set));
            var status = await deployment.StatusAsync(ct);
            var remote = await deployment.RemoteStatusAsync(ct);
            var builds = await BuildsPerBuilderAsync(deployment, ct);
            if (parse.GetValue(output) == "json")
            {
                io.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    stack = status.Stack,
                    healthy = status.AllHealthy,
                    containers = status.Containers.Select(c => new { role = c.Role, name = c.Name, state = c.State, health = c.Health, ports = c.Ports, problem = c.Problem }),
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
                }, PlanView.Json));
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
                if (builds is not null)
                    io.Console.Write(BuildsTable(builds));
            }
            return status.AllHealthy && remote.All(r => r.Ok) ? 0 : 1;
        }));
        return command;
    }

    /// <summary>What each builder runs now, as the hub says; null when the hub does not answer.</summary>
    private static async Task<IReadOnlyList<KojiProvisioner.Flock.BuilderActivity>?> BuildsPerBuilderAsync(StackDeployment deployment, CancellationToken ct)
    {
        try
        {
            using var hub = deployment.AdminClientFromState();
            return await KojiProvisioner.Flock.BuilderActivityReader.ReadAsync(hub, ct);
        }
        catch (Exception e) when (e is KojiProvisioner.Koji.KojiException or FarmException or HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static Table BuildsTable(IReadOnlyList<KojiProvisioner.Flock.BuilderActivity> builders)
    {
        var table = new Table().AddColumns("builder in Koji", "ready", "load", "running");
        foreach (var b in builders)
            table.AddRow(Markup.Escape(b.Name), b.Ready ? "yes" : b.Enabled ? "no" : "no (disabled)", $"{b.TaskLoad:0.##}/{b.Capacity:0.##}",
                b.Tasks.Count == 0 ? "-" : Markup.Escape(string.Join("; ", b.Tasks.Select(t => $"{t.Method} {t.What} {t.Arch} (task {t.Id})".Replace("  ", " ")))));
        return table;
    }
}
