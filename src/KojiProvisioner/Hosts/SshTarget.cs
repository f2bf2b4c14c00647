using KojiProvisioner.Config;

namespace KojiProvisioner.Hosts;

/// <summary>
/// How to reach one remote host over SSH: the address, the user, the private key (resolved to a
/// file) and the host key policy. <see cref="KeySource"/> says where the key came from, for messages.
/// </summary>
public sealed record SshTarget(
    string Name,
    string Address,
    int Port,
    string User,
    string? PrivateKeyPath,
    string KeySource,
    string? ExpectedHostKey)
{
    public string Endpoint => $"{Address}:{Port}";

    /// <summary>The key under which trust on first use records this host: OpenSSH's `[address]:port`.</summary>
    public string KnownHostsKey => Port == 22 ? Address : $"[{Address}]:{Port}";

    public bool IsRoot => User == "root";

    /// <summary>
    /// The target for a stack's remote builder. A key named by an unset variable is not an error
    /// here: the host fails alone, with a message naming the variable, when it is connected.
    /// </summary>
    public static SshTarget From(RemoteBuilderSpec spec, IReadOnlyDictionary<string, string>? environment = null)
    {
        string? path;
        string source;
        if (!string.IsNullOrWhiteSpace(spec.PrivateKeyEnv))
        {
            var value = environment is null
                ? Environment.GetEnvironmentVariable(spec.PrivateKeyEnv)
                : environment.GetValueOrDefault(spec.PrivateKeyEnv);
            path = string.IsNullOrWhiteSpace(value) ? null : Path.GetFullPath(value);
            source = path is null ? $"${spec.PrivateKeyEnv} (unset)" : $"${spec.PrivateKeyEnv} ({path})";
        }
        else
        {
            path = spec.PrivateKey;
            source = spec.PrivateKey ?? "(none)";
        }
        return new SshTarget(spec.Name, spec.Address, spec.Port, spec.User, path, source,
            string.IsNullOrWhiteSpace(spec.HostKey) ? null : spec.HostKey);
    }
}
