namespace KojiProvisioner.Koji;

/// <summary>A tag's own extra settings (getTag's <c>extra</c>), as the hub holds them.</summary>
public static class KojiTagExtras
{
    /// <summary>The tag's extras, empty when it has none; null when the tag does not exist.</summary>
    public static async Task<IReadOnlyDictionary<string, object?>?> TagExtraAsync(this IKojiHub hub, string tag, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getTag", tag), ct) is IReadOnlyDictionary<string, object?> info
            ? info.GetValueOrDefault("extra") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>()
            : null;
}
