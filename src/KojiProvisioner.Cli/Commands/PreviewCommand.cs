using System.CommandLine;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm preview`: the farm a stack describes, and what `up` would change. Writes nothing.</summary>
internal static class PreviewCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var output = CommonOptions.Output();
        var command = new Command("preview", "Show the farm a stack describes (and, when the engine answers, what `up` would create, recreate, keep or remove)")
        {
            stack, set, output,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var definition = new StackDeployment(CommonOptions.LoadStack(parse, stack, set)).PreviewDefinition();
            PlanView.Write(io, definition.Plan, await EngineChangesAsync(definition, ct), parse.GetValue(output) == "json");
            return 0;
        }));
        return command;
    }

    /// <summary>What `up` would do on the engine; null when no engine answers (preview still shows the plan).</summary>
    private static async Task<IReadOnlyList<PlanChange>?> EngineChangesAsync(FarmDefinition definition, CancellationToken ct)
    {
        var plan = definition.Plan;
        DockerEngine engine;
        try
        {
            engine = await DockerEngine.ConnectAsync(ct: ct);
        }
        catch (FarmException)
        {
            return null;
        }
        using (engine)
        {
            var converge = await new FarmLifecycle(engine).PreviewAsync(plan, ct);
            var changes = converge.Steps
                .Select(s => new PlanChange(ConvergePlan.Verb(s.Action), s.Kind.ToString().ToLowerInvariant(), s.Name, s.Cause))
                .ToList();
            // A Koji upgrade (Operations/DatabaseGate): the step and its scripts; a downgrade fails here (exit 2).
            if (await KojiProvisioner.Operations.DatabaseGate.PlanAsync(engine, definition, ct) is { Scripts.Count: > 0 } upgrade)
                changes.Add(new PlanChange("upgrade", "schema", $"koji {upgrade.From} -> {KojiProvisioner.Operations.SchemaVersion.Parse(upgrade.ToKoji)}",
                    $"the new hub runs {string.Join(", ", upgrade.Scripts.Select(x => x.Name))} (after a backup; up --no-backup skips it)"));
            return changes;
        }
    }
}

/// <summary>One line of what `up` would do to a resource, with its cause.</summary>
public sealed record PlanChange(string Action, string Kind, string Name, string Cause);
