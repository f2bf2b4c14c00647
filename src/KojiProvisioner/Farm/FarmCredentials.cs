namespace KojiProvisioner.Farm;

/// <summary>A certificate and its key as PEM, with the subject as mod_ssl reports it (RFC 2253).</summary>
public sealed record CertKey(string CertificatePem, string PrivateKeyPem, string SubjectDn)
{
    /// <summary>kojid, kojira and kojiweb read the certificate and key from one file.</summary>
    public string CombinedPem => CertificatePem.TrimEnd() + "\n" + PrivateKeyPem.TrimEnd() + "\n";
}

/// <summary>The secrets a farm runs on, kept in the stack's state folder.</summary>
public sealed record FarmCredentials(
    string CaCertificatePem,
    CertKey Server,
    IReadOnlyDictionary<string, CertKey> Clients,
    string DbPassword,
    string WebSecret)
{
    /// <summary>The company CA's certificate revocation list (PEM), which the hub's and web's httpd check.</summary>
    public string CrlPem { get; init; } = "";

    public CertKey Client(string identity) =>
        Clients.TryGetValue(identity, out var c) ? c : throw new FarmException($"no client certificate for '{identity}' in the stack's state folder");
}

/// <summary>Names of the client identities (certificate files and Koji users) besides the builders.</summary>
public static class Identities
{
    public const string Admin = "admin";
    public const string Web = "kojiweb";
    public const string Kojira = "kojira";
}
