namespace KojiProvisioner.Docker;

/// <summary>
/// A short-lived container a command makes beside a farm, created and never started: it reaches a
/// volume (backup, restore) or an image's files (the buildroot import) through the archive API.
/// Named after its stack and purpose, so at most one of each exists and a run finds the one a
/// killed run left by name.
/// </summary>
/// <param name="FarmLabels">The farm's labels (state folder, public host, expiry); only those are copied.</param>
public sealed record HelperContainer(string Stack, string Purpose, string Image,
    IReadOnlyList<Farm.Mount> Mounts, IReadOnlyDictionary<string, string>? FarmLabels = null)
{
    public string Name => $"{Stack}-{Purpose}";
}

/// <summary>A helper container made by <see cref="DockerEngine.CreateHelperAsync"/>; disposing removes it.</summary>
public sealed class HelperLease(DockerEngine engine, string id, string name) : IAsyncDisposable
{
    public string Id => id;
    public string Name => name;

    public async ValueTask DisposeAsync() => await engine.RemoveContainerAsync(id, name, CancellationToken.None);
}
