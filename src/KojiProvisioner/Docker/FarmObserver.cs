using System.Globalization;
using Docker.DotNet.Models;
using KojiProvisioner.Farm;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Docker;

/// <summary>
/// Reads one stack's containers, network and volumes from the engine, by the stack label only, so
/// two stacks on one engine never see each other, and a killed run leaves nothing unseen.
/// </summary>
public sealed class FarmObserver(IDockerEngine engine)
{
    public async Task<ObservedFarm> ObserveAsync(string stack, IEnumerable<string> imageReferences, CancellationToken ct)
    {
        var listed = await engine.ListContainersAsync(stack, ct);
        var inspected = await Task.WhenAll(listed.Select(c => engine.InspectContainerAsync(c.ID, ct)));
        var containers = inspected.OfType<ContainerInspectResponse>() // removed between list and inspect: gone
            .Select(ToObserved)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

        var networks = await engine.ListNetworksAsync(stack, ct);
        var volumes = await engine.ListVolumesAsync(stack, ct);
        return new ObservedFarm(stack, containers, networks, volumes, await ImageIdsAsync(imageReferences, ct));
    }

    /// <summary>The engine's image id of each reference it holds (all asked at once).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ImageIdsAsync(IEnumerable<string> imageReferences, CancellationToken ct)
    {
        var references = imageReferences.Distinct(StringComparer.Ordinal).ToList();
        var ids = await Task.WhenAll(references.Select(r => engine.ImageIdAsync(r, ct)));
        var imageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < references.Count; i++)
            if (ids[i] is { } id)
                imageIds[references[i]] = id;
        return imageIds;
    }

    internal static ObservedContainer ToObserved(ContainerInspectResponse c)
    {
        var labels = c.Config?.Labels ?? new Dictionary<string, string>();
        var state = c.State;
        var health = state?.Health?.Status is { Length: > 0 } s && s != "none" ? s : null;
        var started = ParseTime(state?.StartedAt);
        return new ObservedContainer(
            Id: c.ID,
            Name: c.Name.TrimStart('/'),
            Role: labels.TryGetValue(Labels.Role, out var role) ? role : "",
            ConfigHash: labels.TryGetValue(Labels.ConfigHash, out var hash) ? hash : "",
            ImageId: c.Image ?? "",
            State: state?.Status ?? "unknown",
            Health: health,
            EverStarted: started is not null,
            ExitCode: state?.ExitCode ?? 0,
            LastHealthOutput: state?.Health?.Log?.LastOrDefault()?.Output?.Trim(),
            Ports: PortsOf(c.HostConfig?.PortBindings),
            StartedAt: started);
    }

    /// <summary>`127.0.0.1:8443->443/tcp`, from the container's configured bindings (known also while it is stopped).</summary>
    internal static IReadOnlyList<string> PortsOf(IDictionary<string, IList<PortBinding>>? bindings) =>
        bindings is null
            ? []
            : bindings.SelectMany(b => (b.Value ?? []).Select(h => PublishedPort.Format(string.IsNullOrEmpty(h.HostIP) ? "0.0.0.0" : h.HostIP, h.HostPort, b.Key)))
                .Order(StringComparer.Ordinal).ToList();

    /// <summary>Docker reports "0001-01-01T00:00:00Z" for a container that never started.</summary>
    private static DateTime? ParseTime(string? text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1
            ? t
            : null;
}
