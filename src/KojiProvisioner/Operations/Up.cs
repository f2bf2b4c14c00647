using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Hosts;

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
}

/// <summary>
/// `up`: converge the containers; once the hub is healthy, one plan of what Koji must get (the
/// farm's builders and kojira, then the content file) applied in multicall batches; then the
/// remote builders over SSH. Every step reads before it writes, so `up` can be re-run after any
/// failure or interruption and finishes the job.
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
        using var held = StateLock.Hold(stack, progress);
        var content = StackContent.Load(stack);
        Timings.Mark("up: content file loaded");
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
            definition = FarmDefinition.Load(stack, state, content?.AllowedScms);
            Timings.Mark("up: farm definition loaded (PKI, secrets, rendered files, image recipes)");
        }
        catch
        {
            await observing.ContinueWith(_ => { }, TaskScheduler.Default); // ended before the engine client goes
            throw;
        }
        FarmIdentity.RecordAdopted(state, foreign);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var hub = AdminHub.Client(definition);
        // Recorded before any host is touched: a run cut short still knows every host it may have changed.
        fleet.Registry.Save(stack.Spec.Builders.Remote.Concat(retired));

        // The hook runs once the hub is healthy, also when it was kept, so builders added or
        // removed since the last run reach Koji before they start.
        FarmKojiPlan? koji = null;
        ContentApplyResult? applied = null;
        var gateChanges = new List<string>();
        var plan = definition.Plan with
        {
            VolumeLabels = FarmIdentity.VolumeLabels(state),
            Labels = ttl is { } t ? FarmLabels.WithExpiry(definition.Plan.Labels, t, DateTimeOffset.UtcNow) : definition.Plan.Labels,
        };
        var converge = await lifecycle.PreviewAsync(plan, await observing, ct);
        Timings.Mark("up: engine read, converge plan made");
        // A hub kept (or only restarted) as it is already runs the stack's Koji on this database:
        // no schema upgrade or downgrade can be pending, so the database gate need not ask.
        var hubName = definition.Names.Container(Roles.Hub);
        var hubUnchanged = converge.Of(ResourceKind.Container)
            .Any(s => s.Name == hubName && s.Action is StepAction.Keep or StepAction.Start);
        await lifecycle.ExecuteAsync(converge, progress, async (container, token) =>
        {
            // Day-2 (DatabaseGate): once the database is healthy and before any hub starts,
            // finish a pending restore, refuse a Koji downgrade, back up before a schema upgrade.
            if (container.Role == Roles.Db)
            {
                Timings.Mark("up: database healthy");
                var gate = await DatabaseGate.OnDatabaseHealthyAsync(engine, definition, state, backupBeforeUpgrade, progress, token,
                    hubUnchanged);
                gateChanges.AddRange(gate);
                Timings.Mark("up: database gate passed (pending restore, schema version)");
                foreach (var change in gate)
                    progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, change, clock.Elapsed));
                return;
            }
            if (container.Role != Roles.Hub)
                return;
            Timings.Mark("up: hub healthy");
            // The hub read beside the engine reads holds when the hub ran on as it is, and no restore replaced its database.
            koji = hubUnchanged && gateChanges.Count == 0 ? await readAhead.PlanAsync() : null;
            koji ??= await FarmKoji.PlanAsync(hub, stack.Spec, content, retiredNames, token, formerStacks);
            Timings.Mark("up: hub read, Koji plan made");
            applied = await ContentApplier.ApplyAsync(hub, koji.Plan, token);
            Timings.Mark("up: Koji plan applied");
            foreach (var change in koji.Registration.Changes)
                progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, change.Summary, clock.Elapsed));
        }, ct);

        // The CRL reaches a kept hub and web without recreating them (signed anew by this run, or revoked while they were stopped).
        await CrlDelivery.DeliverAsync(engine, stack, definition.Credentials.CrlPem, onlyIfChanged: true, ct);

        // An offline OS line's buildroot: made once per machine, imported into Koji and tagged (after the content made its tags).
        if (stack.Spec.Buildroot.Bootstrap.Length > 0)
            await new Flock.BuildrootBootstrap(engine, hub, options ?? new EngineOptions(), progress).EnsureAsync(
                definition.Names.Container(Roles.Hub), stack.Spec.Koji.BaseImage!, stack.Spec.Buildroot.Tags, stack.Spec.Admin.Name, ct);

        Timings.Mark("up: containers converged");
        // Remote builders: registered in Koji above; now set up over SSH, all hosts in parallel.
        var remote = await ConvergeRemoteAsync(fleet, definition, retired, ct, progress);
        fleet.Registry.Save(stack.Spec.Builders.Remote.Concat(retired.Where(r => remote.Any(x => x.Name == r.Name && x.Failed))));

        var contentPlan = content is null ? null : koji?.Content;
        var contentApplied = contentPlan is null || applied is null ? null
            : new ContentApplyResult(contentPlan.Changes.Count, contentPlan.WriteCount, applied.Batches);
        return new UpResult(definition, converge, [.. gateChanges, .. koji?.Registration.Changes.Select(c => c.Summary) ?? []],
            contentPlan, contentApplied, remote);
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
