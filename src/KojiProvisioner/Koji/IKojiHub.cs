namespace KojiProvisioner.Koji;

/// <summary>
/// What the content planner and applier need from a hub. <see cref="KojiHubClient"/> talks to a
/// real one; tests use an in-memory hub with Koji's behaviour, so the same planner runs on both.
/// </summary>
public interface IKojiHub
{
    /// <summary>Calls one method; a hub fault becomes <see cref="KojiFaultException"/>.</summary>
    Task<object?> CallAsync(KojiCall call, CancellationToken cancellationToken = default);

    /// <summary>Runs calls as one <c>multiCall</c> (one hub transaction); faults come back per call.</summary>
    Task<IReadOnlyList<KojiCallResult>> MultiCallAsync(IReadOnlyList<KojiCall> calls, CancellationToken cancellationToken = default);

    /// <summary>Calls per multicall in <see cref="KojiHubExtensions.BatchCallAsync"/>.</summary>
    int BatchSize { get; }

    /// <summary>Logs in if not yet logged in; writers call it just before their first write.</summary>
    Task EnsureLoggedInAsync(CancellationToken cancellationToken = default);
}

public static class KojiHubExtensions
{
    /// <summary>
    /// Runs many calls as consecutive multicalls of <see cref="IKojiHub.BatchSize"/>: one huge
    /// multicall is slower on the hub than several of about a hundred (measured: 2,000
    /// packageListAdd in one call 23.9 s, in batches of 100 10.5 s).
    /// </summary>
    public static async Task<IReadOnlyList<KojiCallResult>> BatchCallAsync(
        this IKojiHub hub, IReadOnlyList<KojiCall> calls, CancellationToken cancellationToken = default, int? batchSize = null)
    {
        var size = Math.Max(1, batchSize ?? hub.BatchSize);
        var results = new List<KojiCallResult>(calls.Count);
        for (var start = 0; start < calls.Count; start += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = calls.Skip(start).Take(size).ToList();
            results.AddRange(await hub.MultiCallAsync(batch, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    public static Task<object?> CallAsync(this IKojiHub hub, string method, params object?[] args) =>
        hub.CallAsync(new KojiCall(method, args));
}
