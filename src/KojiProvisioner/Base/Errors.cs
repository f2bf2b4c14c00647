namespace KojiProvisioner;

/// <summary>Exit codes of koji-farm, one place for all of them.</summary>
public enum ExitCode
{
    Ok = 0,
    Failed = 1,
    BadInput = 2,
    /// <summary>`content diff --exit-code`: the hub differs from the file.</summary>
    ChangesPending = 3,
}

/// <summary>
/// An error the user can act on: it carries one message that names what is wrong and where,
/// and is shown without a stack trace.
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
