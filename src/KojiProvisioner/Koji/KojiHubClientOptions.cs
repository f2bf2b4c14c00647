namespace KojiProvisioner.Koji;

/// <summary>How to reach and trust one hub.</summary>
public sealed record KojiHubClientOptions
{
    /// <summary>The XML-RPC endpoint, e.g. https://localhost:8443/kojihub.</summary>
    public required Uri HubUrl { get; init; }

    /// <summary>The farm's CA (PEM). When set, the hub's chain must lead to it; the system store is not used.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>Client certificate (PEM) for SSL login; its CN is the Koji user.</summary>
    public string? ClientCertificatePem { get; init; }

    /// <summary>Private key (PEM) of <see cref="ClientCertificatePem"/>; may be in the same text.</summary>
    public string? ClientKeyPem { get; init; }

    /// <summary>Calls per multicall batch. 100 is where the hub was fastest per call (koji-notes).</summary>
    public int BatchSize { get; init; } = 100;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries of read-only calls on transient network errors; writes are never retried.</summary>
    public int ReadRetries { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
