using KojiProvisioner.Config;
using KojiProvisioner.Content;

namespace KojiProvisioner.Operations;

/// <summary>
/// The hub's side of `up`, read while the engine is read. On a farm whose hub is kept as it runs
/// (every no-op `up`) the hub answers the same before the health waits as after them, so `up`
/// uses this read instead of making a second one once the hub is healthy; the TLS handshake and
/// the hub's own time overlap the engine reads. The read is only ever a guess: it is not used
/// when it failed, when there is no farm yet, when the hub is recreated or restarted, or when a
/// restore loaded another database; then the hub is read the usual way, after its health check.
/// </summary>
internal sealed class HubReadAhead : IDisposable
{
    private readonly Task<FarmKojiPlan?> _plan;
    private readonly CancellationTokenSource _stop;

    private HubReadAhead(Task<FarmKojiPlan?> plan, CancellationTokenSource stop)
    {
        _plan = plan;
        _stop = stop;
    }

    public static HubReadAhead Start(Stack stack, KojiContent? content, IReadOnlyList<string> retired,
        IReadOnlyList<string>? formerStacks, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // All of it off the caller's thread, the client's key and certificate loading included.
        var plan = Task.Run<FarmKojiPlan?>(async () =>
        {
            try
            {
                using var client = AdminHub.FromState(stack, probe: true); // the state folder's admin files; none yet: no farm to read
                var read = await FarmKoji.PlanAsync(client, stack.Spec, content, retired, stop.Token, formerStacks);
                Timings.Mark("up: hub read ahead (beside the engine reads)");
                return read;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return null; // no farm yet, hub down, not ours, cancelled: read again after the health check
            }
        }, CancellationToken.None);
        return new HubReadAhead(plan, stop);
    }

    /// <summary>The plan made from the early read, or null when there is none to use.</summary>
    public Task<FarmKojiPlan?> PlanAsync() => _plan;

    /// <summary>A read still running when `up` ends early is cancelled; its task never throws.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (_plan.IsCompleted)
            _stop.Dispose();
    }
}
