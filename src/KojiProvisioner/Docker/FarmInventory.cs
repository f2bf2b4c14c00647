using KojiProvisioner.Farm;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Docker;

/// <summary>One farm on the engine, as its labels describe it: what `ls` prints and `gc` decides on.</summary>
public sealed record FarmSummary(
    string Stack,
    string? StateDir,
    DateTimeOffset? Created,
    int Healthy,
    int Total,
    string? HubUrl,
    DateTimeOffset? Expires,
    IReadOnlyList<string> Containers,
    IReadOnlyList<string> Networks,
    IReadOnlyList<string> Volumes)
{
    /// <summary>True once the farm's time, set by `up --ttl`, is past. A farm without an expiry never expires.</summary>
    public bool ExpiredAt(DateTimeOffset now) => Expires is { } t && t <= now;

    public TimeSpan? AgeAt(DateTimeOffset now) => Created is { } c ? now - c : null;
}

/// <summary>
/// Every farm on the engine, from labels alone (one list call per kind, no stack file, no state
/// folder), like `docker compose ls`: a farm whose stack file or state folder is gone is still listed.
/// </summary>
public sealed class FarmInventory(DockerEngine engine)
{
    public async Task<IReadOnlyList<FarmSummary>> ListAsync(CancellationToken ct) =>
        Summarize(await engine.ListFarmObjectsAsync(ct));

    /// <summary>Groups objects by their stack label. Pure, so `ls` and `gc` decisions are unit-tested.</summary>
    public static IReadOnlyList<FarmSummary> Summarize(IEnumerable<EngineObject> objects) =>
        objects.Where(o => o.Label(Labels.Stack) is { Length: > 0 })
            .GroupBy(o => o.Label(Labels.Stack)!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(Summarize)
            .ToList();

    private static FarmSummary Summarize(IGrouping<string, EngineObject> farm)
    {
        var containers = farm.Where(o => o.Kind == EngineObjectKind.Container).OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        // Helper containers (a backup's, a buildroot import's) are listed, as `down` and `gc` remove
        // them, but are not the farm: created, never started, they count neither healthy nor at all.
        var farmContainers = containers.Where(c => c.Label(Labels.Role) != Roles.Helper).ToList();
        var others = farm.Where(o => o.Kind != EngineObjectKind.Container).ToList();
        // The containers speak for the farm when there are any; otherwise what is left (a run killed
        // before any container was made leaves a network and volumes, or a helper alone).
        var voice = farmContainers.Count > 0 ? farmContainers : others.Count > 0 ? others : containers;
        var stateDir = voice.Concat(farm).Select(o => o.Label(Labels.StateDir)).FirstOrDefault(s => !string.IsNullOrEmpty(s));
        return new FarmSummary(
            farm.Key,
            stateDir,
            farm.Select(o => o.Created).Where(c => c is not null).Min(),
            farmContainers.Count(IsHealthy),
            farmContainers.Count,
            HubUrl(farmContainers),
            Expiry(voice),
            containers.Select(c => c.Name).ToList(),
            Names(farm, EngineObjectKind.Network),
            Names(farm, EngineObjectKind.Volume));
    }

    /// <summary>
    /// The latest expiry, only when every object carries one: a farm partly made without --ttl (or
    /// before this label existed) is never taken for expired.
    /// </summary>
    private static DateTimeOffset? Expiry(IReadOnlyList<EngineObject> objects)
    {
        var times = objects.Select(o => FarmLabels.ParseTime(o.Label(Labels.Expires))).ToList();
        return times.Count == 0 || times.Any(t => t is null) ? null : times.Max();
    }

    /// <summary>Running, and healthy when it has a health check (Docker's status text carries the health in list calls).</summary>
    internal static bool IsHealthy(EngineObject c) =>
        c.State == ContainerStates.Running && !c.Status.Contains("(unhealthy)", StringComparison.Ordinal)
        && !c.Status.Contains("(health: starting)", StringComparison.Ordinal);

    private static string? HubUrl(IEnumerable<EngineObject> containers)
    {
        var hub = containers.FirstOrDefault(c => c.Label(Labels.Role) == Roles.Hub);
        var port = hub?.Ports.FirstOrDefault(p => p.ContainerPort == 443);
        if (hub is null || port is null)
            return null;
        var host = hub.Label(Labels.PublicHost) is { Length: > 0 } h ? h
            : port.HostIp is "" or "0.0.0.0" or "::" ? "localhost" : port.HostIp;
        return $"https://{host}:{port.HostPort}/kojihub";
    }

    private static IReadOnlyList<string> Names(IEnumerable<EngineObject> objects, EngineObjectKind kind) =>
        objects.Where(o => o.Kind == kind).Select(o => o.Name).Order(StringComparer.Ordinal).ToList();
}
