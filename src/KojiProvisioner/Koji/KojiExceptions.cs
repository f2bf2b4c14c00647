using System.Text.RegularExpressions;

namespace KojiProvisioner.Koji;

/// <summary>Base of everything the hub client raises on purpose: a failure (exit code 1).</summary>
public abstract class KojiException : FarmException
{
    protected KojiException(string message, Exception? inner = null) : base(message, ExitCode.Failed, inner) { }
}

/// <summary>The hub was not reached, or answered with something other than XML-RPC.</summary>
public sealed class KojiConnectionException : KojiException
{
    public KojiConnectionException(Uri hubUrl, string cause, Exception? inner = null)
        : base($"cannot reach Koji hub {hubUrl}: {cause}", inner)
    {
        HubUrl = hubUrl;
    }

    public Uri HubUrl { get; }
}

/// <summary>A response that is not well-formed XML-RPC.</summary>
public sealed class XmlRpcFormatException : KojiException
{
    public XmlRpcFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// An XML-RPC fault from the hub. Koji names its error classes by fault code (see
/// <c>koji.convertFault</c>); with <c>KojiDebug</c> on, the text carries a traceback whose last
/// line is "koji.Class: message", so both are understood.
/// </summary>
public sealed partial class KojiFaultException : KojiException
{
    private static readonly Dictionary<int, string> ClassByCode = new()
    {
        [1000] = "koji.GenericError", [1001] = "koji.LockError", [1002] = "koji.AuthError",
        [1003] = "koji.TagError", [1004] = "koji.ActionNotAllowed", [1005] = "koji.BuildError",
        [1006] = "koji.AuthLockError", [1007] = "koji.AuthExpired", [1008] = "koji.SequenceError",
        [1009] = "koji.RetryError", [1010] = "koji.PreBuildError", [1011] = "koji.PostBuildError",
        [1012] = "koji.BuildrootError", [1013] = "koji.FunctionDeprecated",
        [1014] = "koji.ServerOffline", [1015] = "koji.LiveCDError", [1016] = "koji.PluginError",
        [1017] = "koji.CallbackError", [1018] = "koji.ApplianceError",
        [1019] = "koji.ParameterError", [1020] = "koji.ImportError",
        [1021] = "koji.ConfigurationError", [1022] = "koji.LiveMediaError",
        [1023] = "koji.GSSAPIAuthError", [1024] = "koji.NameValidationError",
    };

    public KojiFaultException(int faultCode, string faultString, string? method = null)
        : this(faultCode, faultString, method, Parse(faultCode, faultString)) { }

    private KojiFaultException(int faultCode, string faultString, string? method, (string Class, string Text) parsed)
        : base(method is null ? $"{parsed.Class}: {parsed.Text}" : $"{method}: {parsed.Class}: {parsed.Text}")
    {
        FaultCode = faultCode;
        FaultString = faultString;
        ErrorClass = parsed.Class;
        ErrorMessage = parsed.Text;
        Method = method;
    }

    public int FaultCode { get; }
    /// <summary>The fault text exactly as the hub sent it.</summary>
    public string FaultString { get; }
    /// <summary>Koji's error class, e.g. <c>koji.GenericError</c>; <c>Fault</c> when unknown.</summary>
    public string ErrorClass { get; }
    /// <summary>The message without the class prefix or traceback.</summary>
    public string ErrorMessage { get; }
    public string? Method { get; }

    public bool Is(string errorClass) =>
        ErrorClass == errorClass || ErrorClass == "koji." + errorClass;

    internal KojiFaultException WithMethod(string method) =>
        Method is null ? new KojiFaultException(FaultCode, FaultString, method) : this;

    [GeneratedRegex(@"^(koji\.[A-Za-z_][A-Za-z0-9_]*): ?(.*)$", RegexOptions.Singleline)]
    private static partial Regex ClassPrefix();

    private static (string, string) Parse(int code, string text)
    {
        var trimmed = text.TrimEnd();
        // a traceback ends with the exception line
        var lastLine = trimmed.Contains('\n') ? trimmed[(trimmed.LastIndexOf('\n') + 1)..] : trimmed;
        var match = ClassPrefix().Match(lastLine);
        if (match.Success) return (match.Groups[1].Value, match.Groups[2].Value);
        return (ClassByCode.GetValueOrDefault(code, "Fault"), trimmed);
    }
}
