using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>One line of what `up` would do to a resource, with its cause.</summary>
public sealed record PlanChange(string Action, string Kind, string Name, string Cause);

/// <summary>What `up` would write to Koji: planned against the farm's hub when it answers, else against a new hub.</summary>
public sealed record KojiPreview(FarmKojiPlan Plan, bool HubAnswered);

/// <summary>The farm a stack describes, what `up` would do on the engine (null: no engine answered) and in Koji.</summary>
public sealed record PreviewResult(FarmDefinition Definition, IReadOnlyList<PlanChange>? Engine, KojiPreview Koji);

/// <summary>`preview`: the plans `up` would run, computed without writing anything.</summary>
public sealed class Preview(Stack stack)
{
    public async Task<PreviewResult> RunAsync(CancellationToken ct)
    {
        var content = StackContent.Load(stack);
        var definition = Definition(content);
        return new PreviewResult(definition, await EngineChangesAsync(definition, ct), await KojiAsync(content, ct));
    }

    /// <summary>The plan as `up` would make it now: the state folder is read in place, and nothing is written
    /// (what it lacks, a new stack's CA for one, is made in memory).</summary>
    /// <param name="kojiImage">The Koji image to plan with instead of hashing the Koji source (for verbs that run without it).</param>
    public FarmDefinition Definition(string? kojiImage = null) => Definition(StackContent.Load(stack), kojiImage);

    private FarmDefinition Definition(KojiContent? content, string? kojiImage = null) =>
        FarmDefinition.Load(stack, StateFolder.ReadOnlyAt(stack.StateDirectory), content?.AllowedScms, kojiImage: kojiImage);

    /// <summary>The definition from the real state folder, which must exist (the farm was made).</summary>
    public FarmDefinition DefinitionWithState()
    {
        if (!Directory.Exists(stack.StateDirectory))
            throw new FarmException($"stack '{stack.Name}' has no state folder at {stack.StateDirectory}: run `koji-farm up` first");
        return Definition();
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
            // A Koji upgrade (DatabaseGate): the step and its scripts; a downgrade fails here (exit 2).
            if (await DatabaseGate.PlanAsync(engine, definition, ct) is { Scripts.Count: > 0 } upgrade)
                changes.Add(new PlanChange("upgrade", "schema", $"koji {upgrade.From} -> {SchemaVersion.Parse(upgrade.ToKoji)}",
                    $"the new hub runs {string.Join(", ", upgrade.Scripts.Select(x => x.Name))} (after a backup; up --no-backup skips it)"));
            return changes;
        }
    }

    /// <summary>Against the farm's hub when it was made and answers; else against a new hub, as `up` of a new farm writes it.</summary>
    private async Task<KojiPreview> KojiAsync(KojiContent? content, CancellationToken ct)
    {
        var retired = new RemoteFleet(stack).Retired().Select(r => r.Name).ToList();
        if (Directory.Exists(stack.StateDirectory))
        {
            try
            {
                using var hub = AdminHub.FromState(stack, probe: true);
                return new KojiPreview(await FarmKoji.PlanAsync(hub, stack.Spec, content, retired, ct), HubAnswered: true);
            }
            catch (Exception e) when (AdminHub.IsUnreachable(e))
            {
                // The farm is down or not made yet: what a new farm's hub would get.
            }
        }
        return new KojiPreview(FarmKoji.Plan(stack.Spec, content, retired, FarmKoji.NewHub(stack.Spec)), HubAnswered: false);
    }
}
