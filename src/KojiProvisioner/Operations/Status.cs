using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Hosts;
using KojiProvisioner.Koji;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Operations;

/// <summary>A remote builder in `status`: the host as SSH sees it, and the builder as Koji sees it.</summary>
public sealed record RemoteBuilderStatus(RemoteHostProbe Host, bool? Enabled, bool? Ready, double? TaskLoad, double? Capacity, bool InStack)
{
    public bool Ok => Host.Problem is null && Host.KojidRunning && Ready == true && InStack;

    public string? Problem => Host.Problem
        ?? (!InStack ? "removed from the stack (kojid should be stopped: run `up`)"
        : Ready is null ? "unknown to Koji" : Ready == false ? "kojid runs but Koji does not list it ready" : null);
}

/// <summary>`status`: every container of the farm (and every planned one missing), and each remote builder.</summary>
public sealed class Status(Stack stack)
{
    public async Task<FarmStatus> FarmAsync(CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        // Without a Koji source set, the farm's record (FarmInputs) names its images; a farm made before
        // records has the image its hub runs: status compares everything else.
        var kojiImage = stack.KojiSourcePath is null
            ? (await new FarmObserver(engine).ObserveAsync(stack.Name, [], ct)).Containers.FirstOrDefault(c => c.Role == Roles.Hub)?.ImageId
            : null;
        var definition = new Preview(stack).Definition(kojiImage);
        return await new FarmLifecycle(engine).StatusAsync(stack.Name, definition.Plan, ct);
    }

    /// <summary>The farm as Koji sees it: hub version, builders enabled/ready, kojira's user. Needs the state folder's CA only.</summary>
    public async Task<KojiSideStatus> KojiAsync(CancellationToken ct)
    {
        var ca = Path.Combine(stack.StateDirectory, "pki", "ca.crt");
        if (!File.Exists(ca))
            return new KojiSideStatus(null, [], null, $"no CA in {stack.StateDirectory}: run `koji-farm up` first");
        using var hub = new KojiHubClient(new KojiHubClientOptions { HubUrl = new Uri(new FarmNames(stack.Spec).PublicHubUrl), CaCertificatePem = File.ReadAllText(ca) });
        var builders = Enumerable.Range(1, stack.Spec.Builders.Count).Select(i => StackValidator.LocalBuilderName(stack.Name, i))
            .Concat(stack.Spec.Builders.Remote.Select(r => r.Name)).ToHashSet(StringComparer.Ordinal);
        return await KojiSideStatus.ReadAsync(hub, builders, stack.Spec.Kojira.Enabled, ct);
    }

    /// <summary>Certificates (the CA, the farm's own, people's and robots') and the CRL expiring within 30 days; `up` renews the farm's own, `user renew` a person's.</summary>
    public IReadOnlyList<string> ExpiryWarnings(DateTimeOffset now) =>
        FarmPki.Expiring(stack.StateDirectory, now, FarmPki.ExpiryWarningWindow).Select(e => e.Describe(now)).ToList();

    /// <summary>What each builder runs now, as the hub says; null when the hub does not answer.</summary>
    public async Task<IReadOnlyList<Flock.BuilderActivity>?> BuildsAsync(CancellationToken ct)
    {
        try
        {
            using var hub = AdminHub.FromState(stack, probe: true);
            return await Flock.BuilderActivityReader.ReadAsync(hub, ct);
        }
        catch (Exception e) when (AdminHub.IsUnreachable(e) || e is IOException)
        {
            return null;
        }
    }

    /// <summary>Each remote builder (in the stack or recorded): reachable, kojid running, and ready in Koji with its task load.</summary>
    public async Task<IReadOnlyList<RemoteBuilderStatus>> RemoteAsync(CancellationToken ct)
    {
        var fleet = new RemoteFleet(stack);
        var inStack = stack.Spec.Builders.Remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var hosts = fleet.All();
        if (hosts.Count == 0)
            return [];
        var probes = await fleet.Converger(null).ProbeAsync(RemoteFleet.Targets(hosts), ct);
        var koji = new Dictionary<string, KojiHost>(StringComparer.Ordinal);
        try
        {
            using var hub = AdminHub.FromState(stack);
            foreach (var h in hosts)
                if (await hub.GetHostAsync(h.Name, ct) is { } info)
                    koji[h.Name] = info;
        }
        catch (Exception e) when (AdminHub.IsUnreachable(e))
        {
            // The hub is down: the rows say "unknown to Koji".
        }
        return probes.Select(p =>
        {
            var info = koji.GetValueOrDefault(p.Name);
            return new RemoteBuilderStatus(p, info?.Enabled, info?.Ready, info?.TaskLoad, info?.Capacity,
                inStack.Contains(p.Name));
        }).ToList();
    }
}
