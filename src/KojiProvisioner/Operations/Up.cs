using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Hosts;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Operations;

/// <summary>What `up` did, for the summary people see and the JSON machines read.</summary>
public sealed record UpResult(
    FarmDefinition Definition,
    ConvergePlan Engine,
    IReadOnlyList<string> KojiChanges,
    ContentPlan? Content,
    ContentApplyResult? ContentApplied,
    IReadOnlyList<RemoteHostResult>? Remote = null)
{
    /// <summary>Remote hosts that failed; `up` exits 1 when there are any, after everything else converged.</summary>
    public IReadOnlyList<RemoteHostResult> FailedHosts => Remote?.Where(r => r.Failed).ToList() ?? [];

    /// <summary>The plan `up` ran (the one `preview` prints).</summary>
    public UpPlan? Plan { get; init; }
}

/// <summary>
/// `up`: observe (the engine, the state folder, the database, the hub), make one <see cref="UpPlan"/>
/// (<see cref="UpPlanner"/>, the same plan `preview` prints), then run it step by step: the state
/// folder, the engine's objects with the steps that wait on a healthy database or hub, then the
/// buildroot and the remote builders. Every step reads before it writes, so `up` can be re-run
/// after any failure or interruption and finishes the job.
/// </summary>
public sealed class Up(Stack stack)
{
    /// <param name="adopt">Take over a farm made from another (or a lost) state folder instead of stopping.</param>
    /// <param name="ttl">`up --ttl`: what this run creates carries the expiry `gc` reads.</param>
    /// <param name="backupBeforeUpgrade">False: `up --no-backup` (a Koji upgrade runs without a backup first).</param>
    public async Task<UpResult> RunAsync(IProgress<FarmEvent>? progress, CancellationToken ct, EngineOptions? options = null, bool adopt = false,
        TimeSpan? ttl = null, bool backupBeforeUpgrade = true)
    {
        Timings.Mark("up: stack loaded");
        Koji.KojiHubClient.PrepareTls();
        // The content file is judged whole before the state folder is locked (and so made).
        var content = StackContent.Load(stack);
        Timings.Mark("up: content file loaded");
        using var held = StateLock.Hold(stack, progress, ct);
        HostPorts.Choose(stack); // `port: 0`: free ports, recorded before anything is made
        var state = new StateFolder(stack.StateDirectory);
        var fleet = new RemoteFleet(stack);
        var retired = fleet.Retired();
        var retiredNames = retired.Select(r => r.Name).ToList();
        var formerStacks = Restore.RenamedFrom(state); // written by `restore` before `up`, not during it
        using var readAhead = HubReadAhead.Start(stack, content, retiredNames, formerStacks, ct);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        Timings.Mark("up: engine connected");
        var lifecycle = new FarmLifecycle(engine, options);
        // The engine's side is read beside the identity check and the farm definition below (CPU
        // work: certificates, rendering); it is awaited before anything is changed.
        var observing = Task.Run(() => lifecycle.ObserveStackAsync(stack.Name, ct), CancellationToken.None);
        IReadOnlyList<string> foreign;
        FarmDefinition definition;
        try
        {
            // Before anything is made: a state folder that did not make this farm stops here (or, adopting, takes it over).
            foreign = await FarmIdentityCheck.CheckAsync(engine, stack.Name, state, adopt, ct);
            Timings.Mark("up: farm identity checked");
            // In memory: what the state folder lacks is written by the plan's first step.
            definition = FarmDefinition.Load(stack, StateFolder.DeferredAt(stack.StateDirectory), content?.AllowedScms);
            Timings.Mark("up: farm definition loaded (PKI, secrets, rendered files, image recipes)");
        }
        catch
        {
            await observing.ContinueWith(_ => { }, TaskScheduler.Default); // ended before the engine client goes
            throw;
        }
        var farm = definition.Plan with
        {
            VolumeLabels = FarmIdentity.VolumeLabels(state, definition.Credentials.CaCertificatePem),
            Labels = ttl is { } t ? FarmLabels.WithExpiry(definition.Plan.Labels, t, DateTimeOffset.UtcNow) : definition.Plan.Labels,
        };
        var converge = await lifecycle.PreviewAsync(farm, await observing, ct);
        Timings.Mark("up: engine read, converge plan made");
        var facts = await UpObserver.FactsAsync(engine, definition, converge, state, backupBeforeUpgrade, ct) with
        {
            Adopted = foreign,
            RemoteHosts = stack.Spec.Builders.Remote.Select(r => r.Name).ToList(),
            RetiredHosts = retiredNames,
        };
        // The hub read beside the engine reads holds when the hub runs on as it is and no restore replaces its database.
        facts = facts with { Koji = facts.KojiReadAgain ? null : await readAhead.PlanAsync() };
        var plan = UpPlanner.Plan(definition, converge, facts);
        Timings.Mark("up: plan made");

        var run = new UpRun(stack, engine, definition, state, plan, options, progress);
        await run.FirstAsync(ct);
        using var hub = AdminHub.Client(definition);
        // Recorded before any host is touched: a run cut short still knows every host it may have changed.
        fleet.Registry.Save(stack.Spec.Builders.Remote.Concat(retired));
        await lifecycle.ExecuteAsync(plan.Engine, progress, (step, token) => run.HookAsync(step, hub, content, retiredNames, formerStacks, token), ct);
        FarmInputs.Record(definition); // the images are built: later commands need no KOJI_SOURCE or MOCK_SOURCE
        // The CRL reaches a kept hub and web without recreating them (signed anew by this run, or revoked while they were stopped).
        await CrlDelivery.DeliverAsync(engine, stack, definition.Credentials.CrlPem, onlyIfChanged: true, ct);
        Timings.Mark("up: containers converged");
        await run.LastAsync(hub, ct);

        var remote = await ConvergeRemoteAsync(fleet, definition, retired, ct, progress);
        fleet.Registry.Save(stack.Spec.Builders.Remote.Concat(retired.Where(r => remote.Any(x => x.Name == r.Name && x.Failed))));

        var koji = run.Koji;
        var contentPlan = content is null ? null : koji?.Content;
        var contentApplied = contentPlan is null || run.Applied is null ? null
            : new ContentApplyResult(contentPlan.Changes.Count, contentPlan.WriteCount, run.Applied.Batches);
        return new UpResult(definition, plan.Engine, [.. run.Changes, .. koji?.Registration.Changes.Select(c => c.Summary) ?? []],
            contentPlan, contentApplied, remote) { Plan = plan };
    }

    private async Task<IReadOnlyList<RemoteHostResult>> ConvergeRemoteAsync(RemoteFleet fleet, FarmDefinition definition,
        IReadOnlyList<RemoteBuilderSpec> retired, CancellationToken ct, IProgress<FarmEvent>? progress)
    {
        var builders = fleet.Builders(definition);
        if (builders.Count == 0 && retired.Count == 0)
            return [];
        var converger = fleet.Converger(progress);
        var setUp = converger.SetUpAsync(builders, ct);
        var stopped = converger.StopAsync(RemoteFleet.Targets(retired), purge: false, stack.Name, ct);
        return [.. await setUp, .. (await stopped).Select(r => r with { Changes = [.. r.Changes, "removed from the stack: disabled in Koji"] })];
    }
}
