using System.Runtime.InteropServices;

namespace KojiProvisioner.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and a CI job's cancel (SIGTERM) stop the running command through its
/// cancellation token: it stops where it is, says so and that running it again finishes the job,
/// and exits 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process ended by that signal. A
/// second signal ends the process at once, as the signal would have without koji-farm.
/// </summary>
/// <remarks>
/// System.CommandLine's own handling (InvocationConfiguration.ProcessTerminationTimeout) ends the
/// process on the first signal without letting the command finish, so none of its clean-up ran and
/// nothing was said: KojiFarmApp turns it off and takes this token instead.
/// </remarks>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public Interruption() =>
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];

    public CancellationToken Token => _cts.Token;

    /// <summary>The signal that stopped the command, or null.</summary>
    public PosixSignal? Signal => Volatile.Read(ref _signal) is var s and not 0 ? (PosixSignal)s : null;

    /// <summary>The exit code of an interrupted command, told by the signal that interrupted it.</summary>
    public int ExitCode(int code) =>
        code == ExitCodes.Process(KojiProvisioner.ExitCode.Interrupted) && Signal == PosixSignal.SIGTERM
            ? ExitCodes.Process(KojiProvisioner.ExitCode.Terminated)
            : code;

    private void OnSignal(PosixSignalContext context)
    {
        // PosixSignal's values are negative, never 0.
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0)
            return; // the second signal: not cancelled, so the runtime ends the process
        context.Cancel = true;
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
            r.Dispose();
        _cts.Dispose();
    }
}
