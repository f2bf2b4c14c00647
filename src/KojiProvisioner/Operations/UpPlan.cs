using System.Text;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Database;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Operations;

/// <summary>The kinds of `up`'s steps that are not engine objects (<see cref="HookStep.Kind"/>).</summary>
public static class UpSteps
{
    /// <summary>The state folder gets what the plan made in memory: CA, certificates, secrets.</summary>
    public const string State = "state";
    /// <summary>An external database (database.host), checked when planned and claimed for this farm when empty.</summary>
    public const string Database = "database";
    /// <summary>A pending `restore` is finished: /mnt/koji unpacked, the dump loaded.</summary>
    public const string Restore = "restore";
    /// <summary>The database's schema against the stack's Koji (read once the database answers).</summary>
    public const string Schema = "schema";
    /// <summary>kojira and the builders stop before the schema changes.</summary>
    public const string StopKoji = "daemons";
    /// <summary>A backup before a schema upgrade.</summary>
    public const string Backup = "backup";
    /// <summary>The farm's registration and the content file, written to Koji.</summary>
    public const string Koji = "koji";
    /// <summary>The offline buildroot RPM imported and tagged.</summary>
    public const string Buildroot = "buildroot";
    /// <summary>Remote builder hosts set up (or stopped, once retired) over SSH.</summary>
    public const string Remote = "remote";
}

/// <summary>What `up` knows when it plans, beyond the engine's objects: read from the state folder, the database and the hub.</summary>
public sealed record UpFacts
{
    /// <summary>`restore` left a record: the backup to finish loading.</summary>
    public PendingRestore? PendingRestore { get; init; }
    /// <summary>An upgrade read from the running database (null: none, or not known yet).</summary>
    public UpgradeStep? Upgrade { get; init; }
    /// <summary>The schema cannot be read when planning (the database was not running, or a restore replaces it): it is read once the database answers.</summary>
    public bool SchemaReadLater { get; init; }
    /// <summary>What the external database (database.host) held when planned; null: the farm's own db container.</summary>
    public ExternalDatabaseState? External { get; init; }
    /// <summary>False: `up --no-backup`.</summary>
    public bool BackupBeforeUpgrade { get; init; } = true;
    /// <summary>When the upgrade's backup is taken (names its folder).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The writes to Koji planned against the hub as it answered now; null: the hub did not answer (a new farm's writes are shown).</summary>
    public FarmKojiPlan? Koji { get; init; }
    /// <summary>The hub is recreated or a restore replaces its database: Koji is read again once the hub is healthy.</summary>
    public bool KojiReadAgain { get; init; }
    /// <summary>The writes a new farm's hub would get, shown when <see cref="Koji"/> is null.</summary>
    public FarmKojiPlan? NewHubKoji { get; init; }
    /// <summary>Fingerprints of other state folders' volumes that `up --adopt` records.</summary>
    public IReadOnlyList<string> Adopted { get; init; } = [];
    /// <summary>Remote builder hosts the stack lists.</summary>
    public IReadOnlyList<string> RemoteHosts { get; init; } = [];
    /// <summary>Remote builder hosts set up earlier that the stack no longer lists.</summary>
    public IReadOnlyList<string> RetiredHosts { get; init; } = [];
}

/// <summary>
/// Everything `up` does, in three phases, each step with its cause: <see cref="First"/> (the state
/// folder), <see cref="Engine"/> (networks, volumes, images, containers in dependency order, and
/// the steps that wait on a healthy database or hub as its hooks), <see cref="Last"/> (the
/// buildroot and remote builders, once the farm runs). `preview` prints it; `up` runs it as it is.
/// </summary>
public sealed record UpPlan(IReadOnlyList<HookStep> First, ConvergePlan Engine, IReadOnlyList<HookStep> Last)
{
    /// <summary>What the plan was made from; the steps' runners read their details (the upgrade, the Koji writes) here.</summary>
    public UpFacts Facts { get; init; } = new();

    /// <summary>Every line in the order `up` runs it (a container's hooks right after the container), with its phase.</summary>
    public IReadOnlyList<PlanChange> Lines
    {
        get
        {
            var lines = First.Select(h => Line(h.Kind == UpSteps.State ? "state" : "db", h)).ToList();
            foreach (var s in Engine.Steps)
            {
                lines.Add(new PlanChange(ConvergePlan.Verb(s.Action), s.Kind.ToString().ToLowerInvariant(), s.Name, s.Cause) { Phase = "engine" });
                if (s.Kind == ResourceKind.Container)
                    lines.AddRange(Engine.HooksAfter(s.Name).Select(h => Line("engine", h)));
            }
            lines.AddRange(Last.Select(h => Line("farm", h)));
            return lines;
        }
    }

    private static PlanChange Line(string phase, HookStep h) => new(h.Action, h.Kind, h.Name, h.Cause) { Phase = phase, After = h.After.Length > 0 ? h.After : null };

    /// <summary>Aligned columns: phase, action, kind, name, cause; kept engine objects included.</summary>
    public override string ToString()
    {
        var lines = Lines;
        var width = lines.Count == 0 ? 0 : lines.Max(l => l.Name.Length);
        var text = new StringBuilder();
        foreach (var l in lines)
            text.Append($"{l.Phase,-6}  {l.Action,-8}  {l.Kind,-9}  {l.Name.PadRight(width)}  {l.Cause}".TrimEnd()).Append('\n');
        return text.ToString();
    }
}

/// <summary>
/// Makes <see cref="UpPlan"/> from what was observed; pure, so `preview` and `up` make the same
/// plan and a test can pin it. The steps that run once a container is healthy are decided here,
/// not by the executor.
/// </summary>
public static class UpPlanner
{
    public static UpPlan Plan(FarmDefinition definition, ConvergePlan engine, UpFacts facts)
    {
        var names = definition.Names;
        var external = definition.ExternalDatabase;
        // An external database has no container to wait on: its steps run before the engine's, in
        // the plan's first phase, after the state folder (see ExternalSteps).
        var db = external is null ? names.Container(Roles.Db) : "";
        var hub = names.Container(Roles.Hub);
        var hooks = new List<HookStep>();

        if (facts.PendingRestore is { } restore)
            hooks.Add(new HookStep(db, UpSteps.Restore, "finish", restore.From,
                $"`restore` left {Restore.PendingFile}: unpack /mnt/koji, then load the database of stack '{restore.BackupStack}' " +
                $"(backup of {restore.BackupTime:yyyy-MM-dd HH:mm:ss}Z) in one transaction, before any hub starts"));
        if (facts.Upgrade is { Scripts.Count: > 0 } upgrade)
        {
            hooks.Add(new HookStep(db, UpSteps.StopKoji, "stop", "kojira, builders",
                $"the schema changes ({upgrade.From} -> {SchemaVersion.Parse(upgrade.ToKoji)}): the old release's daemons must not talk to the new hub"));
            if (facts.BackupBeforeUpgrade)
                hooks.Add(new HookStep(db, UpSteps.Backup, "backup", DatabaseGate.PreUpgradeBackupDir(definition, upgrade, facts.Now),
                    "before the schema upgrade (up --no-backup skips it)"));
            hooks.Add(new HookStep(hub, UpSteps.Schema, "upgrade", $"koji {upgrade.From} -> {SchemaVersion.Parse(upgrade.ToKoji)}",
                $"the new hub runs {string.Join(", ", upgrade.Scripts.Select(x => x.Name))} under the schema lock{(facts.BackupBeforeUpgrade ? "" : "; no backup first (--no-backup)")}"));
        }
        else if (facts.SchemaReadLater)
            hooks.Add(new HookStep(db, UpSteps.Schema, "check", "database schema",
                (facts.PendingRestore is not null ? "the restored database's schema" : "the database was not running when planned: its schema") +
                " is read once it answers; an upgrade then stops kojira and the builders" + (facts.BackupBeforeUpgrade ? " and backs up first" : " (no backup: --no-backup)") +
                ", a downgrade stops `up`"));

        hooks.Add(KojiStep(hub, facts));

        var first = new List<HookStep>();
        if (definition.State.Pending is { IsEmpty: false } || facts.Adopted.Count > 0)
            first.Add(new HookStep("", UpSteps.State, "write", definition.State.Path, StateCause(definition, facts)));
        if (external is not null)
        {
            first.Add(ExternalStep(external, facts.External ?? throw new InvalidOperationException("an external database not read when planned")));
            first.AddRange(hooks.Where(h => h.After.Length == 0));
            hooks.RemoveAll(h => h.After.Length == 0);
        }

        var last = new List<HookStep>();
        var spec = definition.Stack.Spec;
        if (spec.Buildroot.Bootstrap.Length > 0)
            last.Add(new HookStep("", UpSteps.Buildroot, "ensure", $"{Flock.BuildrootBootstrap.PackageName} ({spec.Buildroot.Bootstrap})",
                $"made once per machine, imported into Koji and tagged into {string.Join(", ", spec.Buildroot.Tags)} unless it is there"));
        foreach (var host in facts.RemoteHosts)
            last.Add(new HookStep("", UpSteps.Remote, "converge", host, "over SSH: upload and restart only what changed on the host"));
        foreach (var host in facts.RetiredHosts)
            last.Add(new HookStep("", UpSteps.Remote, "retire", host, "no longer in the stack: stop kojid there and disable it in Koji"));

        return new UpPlan(first, engine with { Hooks = hooks }, last) { Facts = facts };
    }

    /// <summary>The external database as it was read when planned: kept as it is, or claimed for this farm (it was empty).</summary>
    private static HookStep ExternalStep(ExternalDatabaseTarget db, ExternalDatabaseState found)
    {
        var tls = $"sslMode {db.SslMode}{(db.CaFile is null ? "" : " with database.caFile")}";
        if (found.OwnerFingerprint is null)
            return new HookStep("", UpSteps.Database, "claim", db.Where,
                $"answered ({tls}), empty: recorded as this farm's ({ExternalDatabase.OwnerTable}); the hub loads Koji's schema into it when it starts; `down --purge` never drops it");
        var schema = found.Schema is { } s ? $"Koji schema {s}" : "no Koji schema yet (the hub loads it when it starts)";
        return new HookStep("", UpSteps.Database, "keep", db.Where, $"answered ({tls}), this farm's, {schema}; `down --purge` never drops it");
    }

    private static HookStep KojiStep(string hub, UpFacts facts)
    {
        var again = facts.PendingRestore is not null ? "a restore replaces the hub's database: read again once the hub is healthy; as it answered now: "
            : "the hub is recreated: read again once it is healthy; as it answered now: ";
        if (facts.Koji is { } koji)
        {
            var registration = koji.Registration.Changes;
            var content = koji.Content;
            var parts = registration.Select(c => c.Summary).ToList();
            if (!content.IsEmpty)
                parts.Add($"content: {content.Changes.Count} changes in {content.WriteCount} writes");
            var what = parts.Count == 0 ? "nothing to write" : string.Join("; ", parts);
            return new HookStep(hub, UpSteps.Koji, parts.Count == 0 && !facts.KojiReadAgain ? "keep" : "apply", "registration and content",
                facts.KojiReadAgain ? again + what : "the hub answered: " + what);
        }
        var fresh = facts.NewHubKoji;
        var writes = fresh is null ? "" : $" (a new hub gets {fresh.Plan.Changes.Count} changes in {fresh.Plan.WriteCount} writes)";
        return new HookStep(hub, UpSteps.Koji, "apply", "registration and content",
            $"the hub did not answer when planned: read once it is healthy, then only the difference is written{writes}");
    }

    private static string StateCause(FarmDefinition definition, UpFacts facts)
    {
        var made = definition.StateChanges.Where(c => !c.StartsWith("reused ", StringComparison.Ordinal)).ToList();
        var secrets = definition.State.Pending?.Paths.Count(p => Path.GetFileName(Path.GetDirectoryName(p)) == "secrets") ?? 0;
        if (secrets > 0)
            made.Add($"{secrets} generated secret{(secrets == 1 ? "" : "s")}");
        if (facts.Adopted.Count > 0)
            made.Add($"adopt the volumes of {facts.Adopted.Count} other state folder{(facts.Adopted.Count == 1 ? "" : "s")} (up --adopt)");
        return string.Join(", ", made);
    }
}
