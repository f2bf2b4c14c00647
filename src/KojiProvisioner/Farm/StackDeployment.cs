using System.Text.RegularExpressions;
using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Farm;

/// <summary>What `up` did, for the summary people see and the JSON machines read.</summary>
public sealed record UpResult(
    FarmDefinition Definition,
    ConvergePlan Engine,
    IReadOnlyList<string> KojiChanges,
    ContentPlan? Content,
    ContentApplyResult? ContentApplied);

/// <summary>
/// The farm's lifecycle for one stack: converge the containers, then make Koji know its own parts
/// (builders, kojira), then seed the content. Every step reads before it writes, so `up` can be
/// re-run after any failure or interruption and finishes the job.
/// </summary>
public sealed class StackDeployment(Stack stack)
{
    public Stack Stack => stack;

    public StateFolder State => new(stack.StateDirectory);

    /// <summary>The content file, loaded and validated before anything is changed.</summary>
    public KojiContent? LoadContent()
    {
        if (stack.ContentPath is null)
            return null;
        try
        {
            return ContentLoader.LoadFile(stack.ContentPath);
        }
        catch (ContentException e)
        {
            throw new InputException(e.Message);
        }
    }

    public async Task<UpResult> UpAsync(IProgress<FarmEvent>? progress, CancellationToken ct, EngineOptions? options = null)
    {
        var content = LoadContent();
        var definition = FarmDefinition.Load(stack, State, content?.AllowedScms);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        var lifecycle = new FarmLifecycle(engine, options);
        var kojiChanges = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var hub = AdminClient(definition);

        var converge = await lifecycle.UpAsync(definition.Plan, progress, async (container, token) =>
        {
            if (container.Role != Roles.Hub)
                return;
            var changes = await RegisterFarmPartsAsync(hub, definition, token);
            kojiChanges.AddRange(changes);
            foreach (var change in changes)
                progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, change, clock.Elapsed));
        }, ct);

        if (!converge.Steps.Any(s => s.Container?.Role == Roles.Hub && s.IsChange))
        {
            // The hub was kept, so the hook did not run: the registration must still match the stack
            // (builders added or removed since the last run).
            kojiChanges.AddRange(await RegisterFarmPartsAsync(hub, definition, ct));
        }

        ContentPlan? contentPlan = null;
        ContentApplyResult? applied = null;
        if (content is not null)
        {
            contentPlan = await ContentPlanner.PlanAsync(hub, content, prune: false, ct);
            applied = await ContentApplier.ApplyAsync(hub, contentPlan, ct);
        }
        return new UpResult(definition, converge, kojiChanges, contentPlan, applied);
    }

    /// <summary>Overrides the multicall batch size (a positive number), for measuring it
    /// (bench/content-apply). Not KOJIFARM_*: those variables are stack settings.</summary>
    public const string BatchSizeVariable = "KOJI_FARM_BATCH_SIZE";

    /// <summary>An API client logged in (on first write) as the stack's admin, over the hub's published port.</summary>
    public static KojiHubClient AdminClient(FarmDefinition definition)
    {
        var admin = definition.Credentials.Client(Identities.Admin);
        return AdminClient(definition.Names.PublicHubUrl, definition.Credentials.CaCertificatePem, admin.CertificatePem, admin.PrivateKeyPem);
    }

    /// <summary>
    /// The admin's client straight from the state folder's files, for commands that only talk to the
    /// hub (content diff/apply/export): no certificate checks, no image hashing, so a no-op apply
    /// costs little more than reading the hub.
    /// </summary>
    public KojiHubClient AdminClientFromState()
    {
        var pki = Path.Combine(stack.StateDirectory, "pki");
        string Read(params string[] parts)
        {
            var file = Path.Combine([pki, .. parts]);
            return File.Exists(file)
                ? File.ReadAllText(file)
                : throw new FarmException($"stack '{stack.Name}' has no {Path.GetRelativePath(stack.StateDirectory, file)} in {stack.StateDirectory}: run `koji-farm up` first");
        }
        return AdminClient(new FarmNames(stack.Spec).PublicHubUrl, Read("ca.crt"),
            Read("clients", Identities.Admin + ".crt"), Read("clients", Identities.Admin + ".key"));
    }

    private static KojiHubClient AdminClient(string hubUrl, string caPem, string certPem, string keyPem)
    {
        var options = new KojiHubClientOptions
        {
            HubUrl = new Uri(hubUrl),
            CaCertificatePem = caPem,
            ClientCertificatePem = certPem,
            ClientKeyPem = keyPem,
        };
        if (int.TryParse(Environment.GetEnvironmentVariable(BatchSizeVariable), out var batchSize) && batchSize > 0)
            options = options with { BatchSize = batchSize };
        return new KojiHubClient(options);
    }

    private static async Task<IReadOnlyList<string>> RegisterFarmPartsAsync(IKojiHub hub, FarmDefinition definition, CancellationToken ct)
    {
        var spec = definition.Stack.Spec;
        var registration = new KojiRegistration(hub);
        var changes = new List<string>();
        var local = Enumerable.Range(1, spec.Builders.Count)
            .Select(i => new BuilderHost(definition.Names.Builder(i), spec.Builders.Arches, spec.Builders.Channels, spec.Builders.Capacity))
            .ToList();
        changes.AddRange(await registration.EnsureBuildersAsync(local, ct));
        if (spec.Kojira.Enabled)
            changes.AddRange(await registration.EnsureUserPermissionAsync("kojira", "repo", ct));

        // Local builders that left the stack: disabled, never deleted (Koji keeps their history).
        var pattern = new Regex($"^{Regex.Escape(spec.Name)}-builder-[0-9]+$");
        var keep = local.Select(b => b.Name).Concat(spec.Builders.Remote.Select(r => r.Name)).ToHashSet(StringComparer.Ordinal);
        var stale = await registration.StaleHostsAsync(pattern.IsMatch, keep, ct);
        changes.AddRange(await registration.DisableHostsAsync(stale, ct));
        return changes;
    }

    public async Task<DownResult> DownAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        var result = await new FarmLifecycle(engine).DownAsync(stack.Name, purge, progress, ct);
        if (purge && Directory.Exists(stack.StateDirectory))
            Directory.Delete(stack.StateDirectory, recursive: true);
        return result;
    }

    /// <summary>The plan as `up` would make it now, computed on a copy of the state folder (nothing is written).</summary>
    public FarmDefinition PreviewDefinition()
    {
        var temp = State.CopyToTemp();
        try
        {
            return FarmDefinition.Load(stack, temp, LoadContent()?.AllowedScms);
        }
        finally
        {
            Directory.Delete(temp.Path, recursive: true);
        }
    }

    /// <summary>The definition from the real state folder, which must exist (the farm was made).</summary>
    public FarmDefinition PreviewDefinitionWithState()
    {
        if (!State.Exists)
            throw new FarmException($"stack '{stack.Name}' has no state folder at {stack.StateDirectory}: run `koji-farm up` first");
        return PreviewDefinition();
    }

    public async Task<FarmStatus> StatusAsync(CancellationToken ct)
    {
        var definition = PreviewDefinition();
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await new FarmLifecycle(engine).StatusAsync(stack.Name, definition.Plan, ct);
    }
}
