using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>One line of what `up` would do, with its cause.</summary>
public sealed record PlanChange(string Action, string Kind, string Name, string Cause)
{
    /// <summary>`state` (the state folder), `engine` (objects, and the steps once a container is healthy) or `farm` (after the containers).</summary>
    public string Phase { get; init; } = "engine";
    /// <summary>For a step that waits on a healthy container: that container.</summary>
    public string? After { get; init; }
}

/// <summary>What `up` would write to Koji: planned against the farm's hub when it answers, else against a new hub.</summary>
public sealed record KojiPreview(FarmKojiPlan Plan, bool HubAnswered);

/// <summary>The farm a stack describes, what `up` would do on the engine (null: no engine answered) and in Koji.</summary>
public sealed record PreviewResult(FarmDefinition Definition, IReadOnlyList<PlanChange>? Engine, KojiPreview Koji);

/// <summary>`preview`: the plan `up` would run (<see cref="UpPlanner"/>, every phase), made without writing anything.</summary>
public sealed class Preview(Stack stack)
{
    public async Task<PreviewResult> RunAsync(CancellationToken ct)
    {
        var content = StackContent.Load(stack);
        // Deferred and never committed: what `up` would write to the state folder is shown, not written.
        var definition = FarmDefinition.Load(stack, StateFolder.DeferredAt(stack.StateDirectory), content?.AllowedScms);
        var koji = await KojiAsync(content, ct);
        return new PreviewResult(definition, await PlanAsync(definition, content, koji, ct), koji);
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

    /// <summary>Every line of the plan `up` would run; null when no engine answers (preview still shows the farm).</summary>
    private async Task<IReadOnlyList<PlanChange>?> PlanAsync(FarmDefinition definition, KojiContent? content, KojiPreview koji, CancellationToken ct)
    {
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
            var state = StateFolder.ReadOnlyAt(stack.StateDirectory);
            var farm = definition.Plan with { VolumeLabels = FarmIdentity.VolumeLabels(state, definition.Credentials.CaCertificatePem) };
            var converge = await new FarmLifecycle(engine).PreviewAsync(farm, ct);
            var retired = new RemoteFleet(stack).Retired().Select(r => r.Name).ToList();
            // A Koji downgrade fails here (exit 2), as it does in `up`.
            var facts = await UpObserver.FactsAsync(engine, definition, converge, state, backupBeforeUpgrade: true, ct) with
            {
                Koji = koji.HubAnswered ? koji.Plan : null,
                NewHubKoji = koji.HubAnswered ? null : koji.Plan,
                RemoteHosts = stack.Spec.Builders.Remote.Select(r => r.Name).ToList(),
                RetiredHosts = retired,
            };
            return UpPlanner.Plan(definition, converge, facts).Lines;
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
