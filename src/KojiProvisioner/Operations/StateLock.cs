using KojiProvisioner.Config;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>The state-folder lock every verb that writes the state folder or the engine holds for its run.</summary>
public static class StateLock
{
    /// <summary>Holds the stack's state folder; tells <paramref name="progress"/> when it waits for another run.</summary>
    public static StateFolderLock Hold(Stack stack, IProgress<FarmEvent>? progress = null, CancellationToken ct = default) =>
        StateFolderLock.Acquire(new StateFolder(stack.StateDirectory),
            waiting: m => progress?.Report(new FarmEvent(FarmStep.Warning, stack.Name, m, TimeSpan.Zero)), ct: ct);

    /// <summary>Like <see cref="Hold(Stack, IProgress{FarmEvent}?)"/>, for verbs that report waits as plain lines.</summary>
    public static StateFolderLock Hold(Stack stack, Action<string> waiting, CancellationToken ct = default) =>
        StateFolderLock.Acquire(new StateFolder(stack.StateDirectory), waiting: waiting, ct: ct);
}
