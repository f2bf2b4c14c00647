using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;
using KojiProvisioner.Database;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Operations;

/// <summary>What `up` reads to plan beyond the engine's objects: a pending restore, the database's schema.</summary>
public static class UpObserver
{
    public static async Task<UpFacts> FactsAsync(DockerEngine engine, FarmDefinition definition, ConvergePlan converge, StateFolder state,
        bool backupBeforeUpgrade, CancellationToken ct)
    {
        var pending = Restore.ReadPending(state);
        var names = definition.Names;
        // A hub kept (or only restarted) as it is already runs the stack's Koji on this database:
        // no schema upgrade or downgrade can be pending, so the database need not be asked.
        var hubUnchanged = converge.Of(ResourceKind.Container)
            .Any(s => s.Name == names.Container(Roles.Hub) && s.Action is StepAction.Keep or StepAction.Start);
        if (definition.ExternalDatabase is { } external)
            return await ExternalFactsAsync(definition, external, pending, backupBeforeUpgrade, hubUnchanged, ct);
        UpgradeStep? upgrade = null;
        var readLater = false;
        if (definition.Inputs.KojiSourcePath is not null && !(hubUnchanged && pending is null))
        {
            if (pending is not null)
                readLater = true; // the restored database is another one
            else
            {
                // A downgrade stops here (exit 2), before anything is changed.
                upgrade = await DatabaseGate.PlanAsync(engine, definition, ct);
                var newDatabase = converge.Of(ResourceKind.Volume).Any(s => s.Name == names.DbVolume && s.Action == StepAction.Create);
                readLater = upgrade is null && !newDatabase
                    && await engine.InspectContainerAsync(names.Container(Roles.Db), ct) is not { State.Running: true };
            }
        }
        return new UpFacts
        {
            PendingRestore = pending,
            Upgrade = upgrade,
            SchemaReadLater = readLater,
            BackupBeforeUpgrade = backupBeforeUpgrade,
            KojiReadAgain = !hubUnchanged || pending is not null,
        };
    }

    /// <summary>
    /// An external database is read every time, before anything changes: unreachable, a refused
    /// password, another farm's or a non-Koji database stop `up` here with one line. Its schema is
    /// known now, so an upgrade is planned now, never read later.
    /// </summary>
    private static async Task<UpFacts> ExternalFactsAsync(FarmDefinition definition, ExternalDatabaseTarget external,
        PendingRestore? pending, bool backupBeforeUpgrade, bool hubUnchanged, CancellationToken ct)
    {
        if (pending is not null)
            throw new InputException($"stack '{definition.Stack.Name}': the state folder holds a pending restore ({Restore.PendingFile}), " +
                $"which koji-farm cannot load into the external {external.Where}; nothing was changed");
        var found = await ExternalDatabase.ReadAsync(external, ct);
        ExternalDatabase.Check(found, external, definition.Stack.Name);
        UpgradeStep? upgrade = null;
        if (definition.Inputs.KojiSourcePath is { } source && found.Schema is { } current && !hubUnchanged)
        {
            var tree = KojiTree.Read(source);
            upgrade = new UpgradeStep(current, tree.Version, SchemaUpgrade.Plan(current, tree.Schema, tree.Scripts));
        }
        return new UpFacts { External = found, Upgrade = upgrade, BackupBeforeUpgrade = backupBeforeUpgrade, KojiReadAgain = !hubUnchanged };
    }
}

/// <summary>
/// Runs the steps of an <see cref="UpPlan"/> that are not engine objects, each as the plan names
/// it; the engine's own steps run in <see cref="FarmExecutor"/>, which calls <see cref="HookAsync"/>.
/// </summary>
internal sealed class UpRun(Stack stack, DockerEngine engine, FarmDefinition definition, StateFolder state, UpPlan plan,
    EngineOptions? options, IProgress<FarmEvent>? progress)
{
    private readonly List<string> _changes = [];

    /// <summary>What the database steps did (restore, upgrade, backup), in order.</summary>
    public IReadOnlyList<string> Changes
    {
        get
        {
            lock (_changes)
                return _changes.ToList();
        }
    }

    /// <summary>The Koji plan the koji step applied (null: it did not run).</summary>
    public FarmKojiPlan? Koji { get; private set; }
    public ContentApplyResult? Applied { get; private set; }

    /// <summary>The state phase: the state folder gets what the plan made in memory.</summary>
    public async Task FirstAsync(CancellationToken ct)
    {
        foreach (var step in plan.First)
        {
            ct.ThrowIfCancellationRequested();
            switch (step.Kind, step.Action)
            {
                case (UpSteps.State, _):
                    definition.State.Commit();
                    FarmIdentity.RecordAdopted(state, plan.Facts.Adopted);
                    progress?.Report(new FarmEvent(FarmStep.State, step.Name, step.Cause, TimeSpan.Zero));
                    break;
                case (UpSteps.Database, "claim"):
                    await ExternalDatabase.ClaimAsync(definition.ExternalDatabase!,
                        FarmIdentity.FingerprintOrNew(state, definition.Credentials.CaCertificatePem), stack.Name, ct);
                    progress?.Report(new FarmEvent(FarmStep.State, step.Name, "claimed for this farm", TimeSpan.Zero));
                    break;
                case (UpSteps.Database, _):
                    break;
                default:
                    // The steps an external database's upgrade takes before the new hub starts (no db container to hang them on).
                    await HookAsync(step, null!, null, [], [], ct);
                    break;
            }
        }
    }

    public async Task<IReadOnlyList<string>> HookAsync(HookStep step, KojiHubClient hub, KojiContent? content, IReadOnlyList<string> retired,
        IReadOnlyList<string> formerStacks, CancellationToken ct)
    {
        Timings.Mark($"up: {step.Action} {step.Kind} (after {step.After} is healthy)");
        IReadOnlyList<string> changes = (step.Kind, step.Action) switch
        {
            (UpSteps.Restore, _) => await Restore.ApplyPendingAsync(engine, definition, state, progress, ct),
            (UpSteps.Schema, "check") => await DatabaseGate.CheckSchemaAsync(engine, definition, plan.Facts.BackupBeforeUpgrade, progress, ct),
            (UpSteps.StopKoji, _) => await DatabaseGate.StopOldKojiAsync(engine, definition, progress, ct),
            (UpSteps.Backup, _) => [await DatabaseGate.BackupAsync(engine, definition, step.Name, Upgrade, progress, ct)],
            (UpSteps.Schema, "upgrade") => await DatabaseGate.VerifyUpgradeAsync(engine, definition, Upgrade, ct),
            (UpSteps.Koji, _) => await ApplyKojiAsync(hub, content, retired, formerStacks, ct),
            _ => throw new InvalidOperationException($"no runner for the step {step.Action} {step.Kind}"),
        };
        if (step.Kind != UpSteps.Koji)
            lock (_changes)
                _changes.AddRange(changes);
        return changes;
    }

    private UpgradeStep Upgrade => plan.Facts.Upgrade ?? throw new InvalidOperationException("an upgrade step without a planned upgrade");

    private async Task<IReadOnlyList<string>> ApplyKojiAsync(KojiHubClient hub, KojiContent? content, IReadOnlyList<string> retired,
        IReadOnlyList<string> formerStacks, CancellationToken ct)
    {
        Koji = plan.Facts is { KojiReadAgain: false, Koji: { } read } ? read
            : await FarmKoji.PlanAsync(hub, stack.Spec, content, retired, ct, formerStacks);
        Timings.Mark("up: hub read, Koji plan made");
        Applied = await ContentApplier.ApplyAsync(hub, Koji.Plan, ct);
        Timings.Mark("up: Koji plan applied");
        return Koji.Registration.Changes.Select(c => c.Summary).ToList();
    }

    /// <summary>The farm phase: the offline buildroot (remote builders converge beside it, in `up`).</summary>
    public async Task LastAsync(KojiHubClient hub, CancellationToken ct)
    {
        foreach (var step in plan.Last.Where(s => s.Kind == UpSteps.Buildroot))
        {
            ct.ThrowIfCancellationRequested();
            // Made once per machine, imported into Koji and tagged (after the content made its tags).
            await new Flock.BuildrootBootstrap(engine, hub, options ?? new EngineOptions(), progress).EnsureAsync(
                definition.Names.Container(Roles.Hub), stack.Spec.Koji.BaseImage!, stack.Spec.Buildroot.Tags, stack.Spec.Admin.Name, ct);
        }
    }
}
