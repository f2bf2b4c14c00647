using System.CommandLine;
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
            var verb = new Operations.Status(options.Load(parse));
            var status = await verb.FarmAsync(ct);
            var remote = await verb.RemoteAsync(ct);
            if (options.Json(parse))
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
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
