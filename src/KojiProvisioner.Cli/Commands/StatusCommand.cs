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
            if (parse.GetValue(output) == "json")
            {
                io.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    stack = status.Stack,
                    healthy = status.AllHealthy,
                    containers = status.Containers.Select(c => new { role = c.Role, name = c.Name, state = c.State, health = c.Health, ports = c.Ports, problem = c.Problem }),
                    networks = status.Networks,
                    volumes = status.Volumes,
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
            }
            return status.AllHealthy ? 0 : 1;
        }));
        return command;
    }
}
