using System.Text.RegularExpressions;
using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Hosts;
using KojiProvisioner.Koji;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Farm;

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

/// <summary>A remote builder in `status`: the host as SSH sees it, and the builder as Koji sees it.</summary>
public sealed record RemoteBuilderStatus(RemoteHostProbe Host, bool? Enabled, bool? Ready, double? TaskLoad, double? Capacity, bool InStack)
{
    public bool Ok => Host.Problem is null && Host.KojidRunning && Ready == true && InStack;

    public string? Problem => Host.Problem
        ?? (!InStack ? "removed from the stack (kojid should be stopped: run `up`)"
        : Ready is null ? "unknown to Koji" : Ready == false ? "kojid runs but Koji does not list it ready" : null);
}

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
        var remoteHosts = RemoteHostRegistry.In(State);
        var retired = RetiredHosts(remoteHosts);
        // Recorded before any host is touched: a run cut short still knows every host it may have changed.
        remoteHosts.Save(stack.Spec.Builders.Remote.Concat(retired));

        // The hook runs once the hub is healthy, also when it was kept, so builders added or
        // removed since the last run reach Koji before they start.
        var converge = await lifecycle.UpAsync(definition.Plan, progress, async (container, token) =>
        {
            if (container.Role != Roles.Hub)
                return;
            var changes = await RegisterFarmPartsAsync(hub, definition, retired, token);
            kojiChanges.AddRange(changes);
            foreach (var change in changes)
                progress?.Report(new FarmEvent(FarmStep.OnHealthy, container.Name, change, clock.Elapsed));
        }, ct);

        // Remote builders: registered in Koji above; now set up over SSH, all hosts in parallel.
        var remote = await ConvergeRemoteBuildersAsync(definition, content?.AllowedScms, retired, progress, ct);
        remoteHosts.Save(stack.Spec.Builders.Remote.Concat(retired.Where(r => remote.Any(x => x.Name == r.Name && x.Failed))));

        ContentPlan? contentPlan = null;
        ContentApplyResult? applied = null;
        if (content is not null)
        {
            contentPlan = await ContentPlanner.PlanAsync(hub, content, prune: false, ct);
            applied = await ContentApplier.ApplyAsync(hub, contentPlan, ct);
        }
        if (stack.Spec.Buildroot.Bootstrap.Length > 0)
            await new Flock.BuildrootBootstrap(engine, hub, options ?? new EngineOptions(), progress).EnsureAsync(
                definition.Names.Container(Roles.Hub), stack.Spec.Koji.BaseImage!, stack.Spec.Buildroot.Tags, stack.Spec.Admin.Name, ct);
        return new UpResult(definition, converge, kojiChanges, contentPlan, applied, remote);
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

    private static async Task<IReadOnlyList<string>> RegisterFarmPartsAsync(IKojiHub hub, FarmDefinition definition,
        IReadOnlyList<RemoteBuilderSpec> retired, CancellationToken ct)
    {
        var spec = definition.Stack.Spec;
        var registration = new KojiRegistration(hub);
        var changes = new List<string>();
        var local = Enumerable.Range(1, spec.Builders.Count)
            .Select(i => new BuilderHost(definition.Names.Builder(i), spec.Builders.Arches, spec.Builders.Channels, spec.Builders.Capacity))
            .ToList();
        // Remote builders are known to Koji before their kojid first logs in.
        var remote = spec.Builders.Remote.Select(r => new BuilderHost(r.Name, r.Arches, r.Channels, r.Capacity));
        changes.AddRange(await registration.EnsureBuildersAsync(local.Concat(remote), ct));
        changes.AddRange(await registration.DisableHostsAsync(retired.Select(r => r.Name), ct));
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
        // Remote builders first, while the hub still answers: kojid stops fast then, and Koji is told.
        var remote = await DownRemoteBuildersAsync(purge, progress, ct);
        var result = await new FarmLifecycle(engine).DownAsync(stack.Name, purge, progress, ct);
        if (remote.Count > 0)
            result = result with { Warnings = [.. result.Warnings, .. remote] };
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

    /// <summary>Hosts recorded as set up that the stack file no longer lists.</summary>
    private IReadOnlyList<RemoteBuilderSpec> RetiredHosts(RemoteHostRegistry registry)
    {
        var names = stack.Spec.Builders.Remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return registry.Load().Where(r => !names.Contains(r.Name)).ToList();
    }

    /// <summary>What each remote builder host should have: its kojid.conf (hub URL as that host reaches it), certificate and the CA.</summary>
    public IReadOnlyList<RemoteBuilder> RemoteBuilders(FarmDefinition definition, IReadOnlyList<string>? contentScms)
    {
        var spec = stack.Spec;
        if (spec.Builders.Remote.Count == 0)
            return [];
        var planner = new FarmPlanner(new TemplateRenderer(Assets.Templates));
        var scms = spec.Builders.AllowedScms.Concat(contentScms ?? []).Distinct(StringComparer.Ordinal).ToList();
        var koji = stack.KojiSourcePath is null ? null : new KojiSource(stack.KojiSourcePath);
        return spec.Builders.Remote.Select(r =>
        {
            var hubUrl = string.IsNullOrWhiteSpace(r.HubUrl) ? definition.Names.PublicHubUrl : r.HubUrl.TrimEnd('/');
            var filesUrl = hubUrl.EndsWith("/kojihub", StringComparison.Ordinal)
                ? hubUrl[..^"/kojihub".Length] + "/kojifiles"
                : definition.Names.PublicFilesUrl;
            var conf = planner.RemoteBuilderConfig(stack, definition.Credentials, r, hubUrl, filesUrl,
                RemoteBuilderConverger.ClientPem, RemoteBuilderConverger.CaCert, scms);
            return new RemoteBuilder(SshTarget.From(r), stack.Name, conf, definition.Credentials.Client(r.Name).CombinedPem,
                definition.Credentials.CaCertificatePem, koji);
        }).ToList();
    }

    private RemoteBuilderConverger RemoteConverger(IProgress<FarmEvent>? progress) =>
        new(KnownHosts.In(State), RemoteAssets.Load(Assets.Root), progress);

    private async Task<IReadOnlyList<RemoteHostResult>> ConvergeRemoteBuildersAsync(FarmDefinition definition, IReadOnlyList<string>? contentScms,
        IReadOnlyList<RemoteBuilderSpec> retired, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var builders = RemoteBuilders(definition, contentScms);
        if (builders.Count == 0 && retired.Count == 0)
            return [];
        var converger = RemoteConverger(progress);
        var setUp = converger.SetUpAsync(builders, ct);
        var stopped = converger.StopAsync(retired.Select(r => SshTarget.From(r)).ToList(), purge: false, stack.Name, ct);
        return [.. await setUp, .. (await stopped).Select(r => r with { Changes = [.. r.Changes, "removed from the stack: disabled in Koji"] })];
    }

    /// <summary>Stops kojid on every remote host (in the stack or recorded) and disables them in Koji; purge also removes koji-farm's files there.</summary>
    private async Task<IReadOnlyList<string>> DownRemoteBuildersAsync(bool purge, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (!State.Exists)
            return [];
        var registry = RemoteHostRegistry.In(State);
        var hosts = stack.Spec.Builders.Remote.Concat(RetiredHosts(registry)).ToList();
        if (hosts.Count == 0)
            return [];
        var warnings = new List<string>();
        var results = await RemoteConverger(progress).StopAsync(hosts.Select(h => SshTarget.From(h)).ToList(), purge, stack.Name, ct);
        warnings.AddRange(results.Where(r => r.Failed).Select(r => r.Error!));
        try
        {
            var definition = PreviewDefinition();
            using var hub = AdminClient(definition);
            var changes = await new KojiRegistration(hub).DisableHostsAsync(hosts.Select(h => h.Name), ct);
            foreach (var change in changes)
                progress?.Report(new FarmEvent(FarmStep.Remote, stack.Name, change, TimeSpan.Zero));
        }
        catch (Exception e) when (e is KojiException or FarmException or HttpRequestException)
        {
            warnings.Add($"could not disable the remote builders in Koji (is the hub down?): {e.Message}");
        }
        var failed = results.Where(r => r.Failed).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        registry.Save(hosts.Where(h => failed.Contains(h.Name)));
        return warnings;
    }

    /// <summary>Each remote builder (in the stack or recorded): reachable, kojid running, and ready in Koji with its task load.</summary>
    public async Task<IReadOnlyList<RemoteBuilderStatus>> RemoteStatusAsync(CancellationToken ct)
    {
        var registry = RemoteHostRegistry.In(State);
        var inStack = stack.Spec.Builders.Remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var hosts = stack.Spec.Builders.Remote.Concat(State.Exists ? RetiredHosts(registry) : []).ToList();
        if (hosts.Count == 0)
            return [];
        var probes = await RemoteConverger(null).ProbeAsync(hosts.Select(h => SshTarget.From(h)).ToList(), ct);
        var koji = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        try
        {
            using var hub = AdminClient(PreviewDefinition());
            foreach (var h in hosts)
                if (await hub.CallAsync(new KojiCall("getHost", h.Name), ct) is IReadOnlyDictionary<string, object?> info)
                    koji[h.Name] = info;
        }
        catch (Exception e) when (e is KojiException or FarmException or HttpRequestException)
        {
            // The hub is down: the rows say "unknown to Koji".
        }
        return probes.Select(p =>
        {
            var info = koji.GetValueOrDefault(p.Name);
            return new RemoteBuilderStatus(p, info?["enabled"] as bool?, info?["ready"] as bool?,
                info is null ? null : Convert.ToDouble(info["task_load"], System.Globalization.CultureInfo.InvariantCulture),
                info is null ? null : Convert.ToDouble(info["capacity"], System.Globalization.CultureInfo.InvariantCulture),
                inStack.Contains(p.Name));
        }).ToList();
    }

    public async Task<FarmStatus> StatusAsync(CancellationToken ct)
    {
        var definition = PreviewDefinition();
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await new FarmLifecycle(engine).StatusAsync(stack.Name, definition.Plan, ct);
    }
}
