namespace KojiProvisioner.Koji;

/// <summary>One hub method call: a name and its positional arguments (a trailing
/// <see cref="KojiKwargs"/> carries keyword arguments).</summary>
public sealed record KojiCall(string Method, IReadOnlyList<object?> Args)
{
    public KojiCall(string method, params object?[] args) : this(method, (IReadOnlyList<object?>)args) { }

    /// <summary>True for calls that change nothing on the hub, so they may be retried.</summary>
    public bool IsReadOnly => KojiMethods.IsReadOnly(Method);

    /// <summary>Python-like rendering, e.g. <c>createTag('f40-build', arches='x86_64')</c>.</summary>
    public override string ToString()
    {
        var parts = Args.Select(a => a is KojiKwargs kw ? kw.ToString() : XmlRpc.Describe(a));
        return $"{Method}({string.Join(", ", parts)})";
    }

    public bool Equals(KojiCall? other) =>
        other is not null && Method == other.Method && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>The outcome of one call inside a multicall: a value or a fault.</summary>
public sealed record KojiCallResult(KojiCall Call, object? Value, KojiFaultException? Fault)
{
    public bool IsFault => Fault is not null;

    /// <summary>The value, or the fault thrown.</summary>
    public object? GetValueOrThrow() => Fault is null ? Value : throw Fault;
}

/// <summary>Which hub methods only read. Koji has no flag for it; its naming is consistent.</summary>
public static class KojiMethods
{
    private static readonly string[] ReadPrefixes = ["get", "list", "query", "check", "count", "search", "has", "show"];

    private static readonly HashSet<string> ReadMethods = new(StringComparer.Ordinal)
    {
        "echo", "hello", "system.listMethods", "system.methodHelp", "system.methodSignature",
    };

    public static bool IsReadOnly(string method) =>
        ReadMethods.Contains(method) ||
        ReadPrefixes.Any(p => method.StartsWith(p, StringComparison.Ordinal) && method.Length > p.Length && char.IsUpper(method[p.Length]));
}
