namespace KojiProvisioner.Pki;

/// <summary>A client certificate to keep in the farm's PKI.</summary>
/// <param name="Name">File stem under pki/clients/ and key of <see cref="FarmPki.Clients"/>; unique.</param>
/// <param name="CommonName">CN; Koji takes the user (or builder host) name from it.</param>
/// <param name="OrganizationalUnit">OU, e.g. "builder", "kojiweb", "admin".</param>
public sealed record ClientIdentity(string Name, string CommonName, string OrganizationalUnit);

/// <summary>What the farm's PKI must provide.</summary>
/// <param name="Organization">O of every subject; the CA is "&lt;Organization&gt; Koji CA".</param>
/// <param name="ServerNames">DNS names and IP addresses the hub/web server certificate must cover.</param>
/// <param name="Clients">One client certificate per identity.</param>
/// <param name="KeyAlgorithm">The kind of key of a new CA and of every leaf; a leaf with the other kind is reissued, a CA is kept.</param>
public sealed record PkiRequest(string Organization, IReadOnlyList<string> ServerNames, IReadOnlyList<ClientIdentity> Clients,
    KeyAlgorithm KeyAlgorithm = KeyAlgorithm.Rsa);

/// <summary>A certificate with its private key, both PEM (each ending with a newline).</summary>
/// <param name="SubjectDn">The subject as mod_ssl reports it (RFC 2253, most specific first), e.g. for ProxyDNs.</param>
/// <param name="Thumbprint">SHA-1 hex, as <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.Thumbprint"/>.</param>
public sealed record IssuedCertificate(string CertificatePem, string PrivateKeyPem, string SubjectDn, DateTimeOffset NotAfter, string Thumbprint)
{
    /// <summary>kojid, kojira and kojiweb want the certificate and its key in one file.</summary>
    public string CombinedPem => CertificatePem + PrivateKeyPem;
}

/// <summary>A PKI file that cannot be used; the message names the file and what to do about it.</summary>
public sealed class PkiException : FarmException
{
    public PkiException(string message, string? filePath = null, Exception? inner = null) : base(message, ExitCode.Failed, inner) => FilePath = filePath;

    /// <summary>The file at fault, if there is one.</summary>
    public string? FilePath { get; }
}
