namespace KojiProvisioner.Config;

/// <summary>
/// The hub.conf keys Koji's hub reads (config_map in kojihub/kojixmlrpc.py, Koji 1.35). The hub
/// silently ignores any other key, so a typo would do nothing: we refuse such keys instead.
/// </summary>
public static class HubConfigKeys
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "DBName", "DBUser", "DBHost", "DBhost", "DBPort", "DBPass", "DBConnectionString", "KojiDir",
        "ProxyPrincipals", "HostPrincipalFormat", "AllowedKrbRealms", "DisableURLSessions",
        "DNUsernameComponent", "ProxyDNs", "CheckClientIP", "LoginCreatesUser", "AllowProxyAuthType",
        "KojiWebURL", "EmailDomain", "NotifyOnSuccess", "DisableNotifications", "Plugins", "PluginPath",
        "KojiDebug", "KojiTraceback", "VerbosePolicy", "LogLevel", "LogFormat", "MissingPolicyOk",
        "EnableMaven", "EnableWin", "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA",
        "RLIMIT_FSIZE", "RLIMIT_MEMLOCK", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_OFILE", "RLIMIT_RSS",
        "RLIMIT_STACK", "MemoryWarnThreshold", "MaxRequestLength", "LockOut", "ServerOffline",
        "OfflineMessage", "MaxNameLengthInternal", "RegexNameInternal", "RegexUserName",
        "RPMDefaultChecksums", "SessionRenewalTimeout", "MaxJobs", "CapacityOvercommit", "ReadyTimeout",
        "AssignTimeout", "SoftRefusalTimeout", "HostTimeout", "RunInterval", "MaxRepoTasks",
        "MaxRepoTasksMaven", "RepoRetries", "RequestCleanTime", "AllowNewRepo", "RepoLag", "RepoAutoLag",
        "RepoLagWindow", "RepoQueueUser", "DebuginfoTags", "SourceTags", "SeparateSourceTags",
    };

    /// <summary>Keys koji-farm writes from the stack's own settings.</summary>
    public static readonly IReadOnlySet<string> Managed = new HashSet<string>(StringComparer.Ordinal)
    {
        "DBName", "DBUser", "DBHost", "DBhost", "DBPort", "DBPass", "DBConnectionString", "KojiDir",
        "DNUsernameComponent", "ProxyDNs", "LoginCreatesUser", "KojiWebURL", "RunInterval",
    };
}
