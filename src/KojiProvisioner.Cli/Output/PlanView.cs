using System.Text.Json;
using KojiProvisioner.Content;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Output;

/// <summary>The plan as a table for people or as JSON (a documented contract, see README).</summary>
internal static class PlanView
{
    public static void Write(CliIO io, FarmPlan plan, IReadOnlyList<PlanChange>? changes, KojiPreview? koji, bool json)
    {
        if (json)
        {
            io.Out.WriteLine(JsonOutput.Serialize(ToJson(plan, changes, koji)));
            return;
        }
        var table = new Table().Title($"stack [bold]{Markup.Escape(plan.Stack)}[/]")
            .AddColumns("role", "container", "image", "ports", "mounts", "depends on");
        foreach (var c in plan.Containers)
        {
            table.AddRow(
                Markup.Escape(c.Role), Markup.Escape(c.Name), Markup.Escape(c.Image),
                Markup.Escape(string.Join("\n", c.Ports.Select(Port))),
                Markup.Escape(string.Join("\n", c.Mounts.Select(MountText))),
                Markup.Escape(string.Join(", ", c.DependsOn)));
        }
        io.Console.Write(table);
        io.Console.MarkupLine($"network [bold]{Markup.Escape(plan.Network.Name)}[/]; volumes {Markup.Escape(plan.Volumes.Count == 0 ? "none" : string.Join(", ", plan.Volumes.Select(v => v.Name)))}");
        WriteEngine(io, changes);
        if (koji is not null)
            WriteKoji(io, koji);
    }

    private static void WriteEngine(CliIO io, IReadOnlyList<PlanChange>? changes)
    {
        if (changes is null)
        {
            io.Console.MarkupLine("[grey]no Docker engine answered: showing the plan only[/]");
            return;
        }
        var summary = changes.GroupBy(c => c.Action).Select(g => $"{g.Count()} to {g.Key}");
        foreach (var change in changes.Where(c => c.Action != "keep"))
            io.Console.MarkupLine($"  {Markup.Escape(change.Action),-8} {Markup.Escape(change.Kind)} {Markup.Escape(change.Name)}  [grey]{Markup.Escape(change.Cause)}[/]");
        io.Console.MarkupLine(changes.Any(c => c.Action != "keep") ? string.Join(", ", summary) : "no changes: the farm matches the stack");
    }

    /// <summary>The farm's own Koji writes one by one; the content file's as a count (`content diff` lists them).</summary>
    private static void WriteKoji(CliIO io, KojiPreview koji)
    {
        var registration = koji.Plan.Registration;
        var content = koji.Plan.Content;
        io.Console.MarkupLine(koji.HubAnswered ? "koji (the hub answered):" : "koji [grey](no hub answered: the writes of a new farm's hub)[/]:");
        foreach (var change in registration.Changes)
            io.Console.MarkupLine($"  {Markup.Escape(change.Summary)}");
        if (!content.IsEmpty)
            io.Console.MarkupLine($"  content: {content.Changes.Count} changes in {content.WriteCount} writes (`koji-farm content diff` lists them)");
        if (koji.Plan.Plan.IsEmpty)
            io.Console.MarkupLine("  no changes: Koji matches the stack");
    }

    public static object ToJson(FarmPlan plan, IReadOnlyList<PlanChange>? changes, KojiPreview? koji = null) => new
    {
        stack = plan.Stack,
        network = plan.Network.Name,
        volumes = plan.Volumes.Select(v => new { name = v.Name, purpose = v.Purpose }),
        images = plan.Images.Select(i => new { reference = i.Reference, recipe = i.Recipe }),
        containers = plan.Containers.Select(c => new
        {
            name = c.Name,
            role = c.Role,
            image = c.Image,
            command = c.Command,
            ports = c.Ports.Select(Port),
            mounts = c.Mounts.Select(MountText),
            dependsOn = c.DependsOn,
            health = c.Health.Test,
            restart = c.RestartPolicy,
            privileged = c.Privileged,
            capAdd = c.CapAdd,
            files = c.Files.Select(f => f.Path),
            configHash = c.ConfigHash,
        }),
        changes = changes?.Select(c => new { phase = c.Phase, action = c.Action, kind = c.Kind, name = c.Name, cause = c.Cause, after = c.After }),
        koji = koji is null ? null : new
        {
            hubAnswered = koji.HubAnswered,
            registration = koji.Plan.Registration.Changes.Select(KojiChange),
            content = new { changes = koji.Plan.Content.Changes.Count, writes = koji.Plan.Content.WriteCount },
        },
    };

    private static object KojiChange(ContentChange c) => new
    {
        kind = c.Kind.ToString().ToLowerInvariant(), @object = c.Object, action = c.Action.ToString().ToLowerInvariant(), summary = c.Summary,
        calls = c.Calls.Select(call => call.Call.ToString()),
    };

    private static string Port(PublishedPort p) => p.ToString();

    private static string MountText(Mount m) => $"{m.Volume}:{m.Target}{(m.ReadOnly ? ":ro" : "")}";
}
