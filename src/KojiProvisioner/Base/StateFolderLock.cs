using System.Diagnostics;

namespace KojiProvisioner;

/// <summary>
/// An exclusive lock on a stack's state folder, held by every command that writes the state folder
/// or the engine. Without it two `up` on a fresh stack each make a CA and a DB password and the last
/// writer wins, leaving a database whose password no file holds. The lock is flock(2) on
/// <see cref="FileName"/> (what .NET takes for FileShare.None on Unix): the kernel drops it when the
/// holder dies, so a killed run never leaves a stale lock. The holder's pid is kept beside it, for
/// the message of the run that waits.
/// </summary>
public sealed class StateFolderLock : IDisposable
{
    public const string FileName = ".lock";
    public const string OwnerFileName = ".lock.owner";
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly FileStream _stream;
    private readonly string _ownerFile;

    private StateFolderLock(FileStream stream, string ownerFile)
    {
        _stream = stream;
        _ownerFile = ownerFile;
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/> (30 s by default) while another run holds
    /// it; <paramref name="waiting"/> hears once that this run waits, with the holder's pid. Creates
    /// the state folder when it does not exist yet. A cancelled <paramref name="ct"/> (Ctrl-C) ends the wait.
    /// </summary>
    public static StateFolderLock Acquire(StateFolder state, TimeSpan? wait = null, Action<string>? waiting = null, CancellationToken ct = default)
    {
        state.Create();
        var file = Path.Combine(state.Path, FileName);
        var ownerFile = Path.Combine(state.Path, OwnerFileName);
        var clock = Stopwatch.StartNew();
        var limit = wait ?? DefaultWait;
        var told = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (TryOpen(file, ownerFile) is { } taken)
                return taken;
            var holder = Holder(ownerFile);
            if (clock.Elapsed >= limit)
                throw new FarmException($"another koji-farm run (pid {holder}) holds the state folder {state.Path}; waited {limit.TotalSeconds:0} s: run again once it has finished");
            if (!told)
            {
                waiting?.Invoke($"waiting for the koji-farm run (pid {holder}) that holds the state folder {state.Path}");
                told = true;
            }
            ct.WaitHandle.WaitOne(200);
        }
    }

    /// <summary>
    /// Takes the lock of an existing state folder only when no other run holds it, without waiting:
    /// null when one does, with its pid in <paramref name="holder"/> (`gc` leaves that farm alone).
    /// </summary>
    public static StateFolderLock? TryAcquire(StateFolder state, out string holder)
    {
        var ownerFile = Path.Combine(state.Path, OwnerFileName);
        var taken = TryOpen(Path.Combine(state.Path, FileName), ownerFile);
        holder = taken is null ? Holder(ownerFile) : "";
        return taken;
    }

    private static StateFolderLock? TryOpen(string file, string ownerFile)
    {
        try
        {
            var stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            File.WriteAllText(ownerFile, $"{Environment.ProcessId}\n");
            return new StateFolderLock(stream, ownerFile);
        }
        catch (IOException) when (File.Exists(file))
        {
            return null;
        }
    }

    private static string Holder(string ownerFile)
    {
        try
        {
            return File.ReadAllText(ownerFile).Trim() is { Length: > 0 } pid ? pid : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(_ownerFile) && File.ReadAllText(_ownerFile).Trim() == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                File.Delete(_ownerFile);
        }
        catch (IOException)
        {
            // The folder was purged while held: nothing left to tidy.
        }
        _stream.Dispose();
    }
}
