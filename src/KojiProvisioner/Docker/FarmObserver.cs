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
        var imageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in imageReferences.Distinct(StringComparer.Ordinal))
            if (await engine.ImageIdAsync(reference, ct) is { } id)
                imageIds[reference] = id;
        return new ObservedFarm(stack, containers, networks, volumes, imageIds);
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
