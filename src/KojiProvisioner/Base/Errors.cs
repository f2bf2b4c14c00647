namespace KojiProvisioner;

/// <summary>Exit codes of koji-farm: every process exit goes through <see cref="ExitCodes"/>.</summary>
public enum ExitCode
{
    Ok = 0,
    Failed = 1,
    BadInput = 2,
    /// <summary>`content diff --exit-code`: the hub differs from the file.</summary>
    ChangesPending = 3,
    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it); running the command again finishes the job.</summary>
    Interrupted = 130,
    /// <summary>Stopped by SIGTERM (128 + 15), a CI job's cancel: as <see cref="Interrupted"/>, told apart by the signal.</summary>
    Terminated = 143,
}

/// <summary>
/// An error the user can act on: it carries one message that names what is wrong and where,
/// and is shown without a stack trace. Every error koji-farm raises on purpose is one of these:
/// <see cref="InputException"/> (bad input, exit 2) or a failure (exit 1).
/// </summary>
public class FarmException : Exception
{
    public FarmException(string message, ExitCode exitCode = ExitCode.Failed, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public ExitCode ExitCode { get; }
}

/// <summary>Bad input: a malformed or invalid stack or content file, an unknown name. Exit code 2.</summary>
public class InputException : FarmException
{
    public InputException(string message, Exception? inner = null) : base(message, ExitCode.BadInput, inner) { }
}

/// <summary>The one place an outcome becomes a process exit code.</summary>
public static class ExitCodes
{
    /// <summary>Whether <paramref name="e"/> is shown as one line (a user's error or an interruption) rather than a bug with its stack trace.</summary>
    /// <remarks>A file or folder the user named (or the state folder) that cannot be read or written, and a
    /// certificate or key in it that cannot be parsed, are the user's to fix too: one line, exit 1.</remarks>
    public static bool IsExpected(Exception e) => e is FarmException or OperationCanceledException
        or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException;

    public static ExitCode Of(Exception e) => e switch
    {
        FarmException f => f.ExitCode,
        OperationCanceledException => ExitCode.Interrupted,
        _ => ExitCode.Failed,
    };

    /// <summary>Healthy or not, for verbs that report a state (status).</summary>
    public static ExitCode Of(bool ok) => ok ? ExitCode.Ok : ExitCode.Failed;

    public static int Process(ExitCode code) => (int)code;
}
