using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KojiProvisioner.Pki;

/// <summary>
/// The company CA: makes itself and signs the farm's server and client certificates.
/// SHA-256 signatures with the CA's key (RSA PKCS#1 v1.5 or ECDSA, see <see cref="Keys"/>). The CA
/// lives 10 years, leaves 2. A CA signs leaves of either kind of key.
/// </summary>
internal sealed class CertificateAuthority : IDisposable
{
    public const int CaLifetimeYears = 10;
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(730);

    // Containers and remote builders may run slightly behind the machine that issues certificates
    private static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly AsymmetricAlgorithm key;

    private CertificateAuthority(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        Certificate = certificate;
        this.key = key;
    }

    /// <summary>The CA certificate, without its key.</summary>
    public X509Certificate2 Certificate { get; }

    public string KeyPem => PemFiles.ToPem(key);

    public static CertificateAuthority Create(string organization, DateTimeOffset now, KeyAlgorithm algorithm = KeyAlgorithm.Rsa)
    {
        var key = Keys.Create(algorithm, forCa: true);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName(CaCommonName(organization));
            subject.AddOrganizationName(organization);
            var name = subject.Build();

            var request = Keys.Request(name, key);
            // path length 0: this CA signs leaves only, never another CA
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
            request.CertificateExtensions.Add(ski);
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

            var certificate = request.Create(
                name,
                Keys.Signer(key),
                now - ClockSkew,
                now.AddYears(CaLifetimeYears),
                NewSerialNumber());
            return new CertificateAuthority(certificate, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Takes ownership of <paramref name="certificate"/> and <paramref name="key"/>.</summary>
    public static CertificateAuthority FromParts(X509Certificate2 certificate, AsymmetricAlgorithm key) => new(certificate, key);

    public static string CaCommonName(string organization) => $"{organization} Koji CA";

    // X500DistinguishedNameBuilder encodes the RDNs in reverse order of the Add calls: adding CN, OU,
    // O yields the usual encoding O, OU, CN, which RFC 2253 (and mod_ssl) print as "CN=..,OU=..,O=..".

    public static X500DistinguishedName ServerSubject(string organization, ServerNames names)
    {
        var subject = new X500DistinguishedNameBuilder();
        // Clients match host names against the SANs; the CN is for people reading the certificate
        var commonName = names.DnsNames.Concat(names.IpAddresses.Select(ip => ip.ToString())).FirstOrDefault(n => n.Length <= 64);
        if (commonName is not null)
            subject.AddCommonName(commonName);
        subject.AddOrganizationName(organization);
        return subject.Build();
    }

    public static X500DistinguishedName ClientSubject(string organization, string organizationalUnit, string commonName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        subject.AddOrganizationalUnitName(organizationalUnit);
        subject.AddOrganizationName(organization);
        return subject.Build();
    }

    /// <param name="newKey">The leaf's new key (made ahead, see <see cref="LeafKeyPool"/>); an RSA key is made when null. The certificate owns it.</param>
    public (X509Certificate2 Certificate, AsymmetricAlgorithm Key) IssueServer(X500DistinguishedName subject, ServerNames names, DateTimeOffset now, AsymmetricAlgorithm? newKey = null)
    {
        newKey ??= Keys.Create(KeyAlgorithm.Rsa, forCa: false);
        // RSA key exchange encrypts with the server's key; an ECDSA key only ever signs (ECDHE).
        var usage = newKey is RSA ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature;
        return Issue(subject, now, newKey,
            LeafLifetime,
            new X509KeyUsageExtension(usage, true),
            new X509EnhancedKeyUsageExtension([ServerAuth], false),
            names.ToExtension());
    }

    /// <param name="lifetime">How long the certificate is valid (a person's or robot's, `user add --days`); default <see cref="LeafLifetime"/>.</param>
    public (X509Certificate2 Certificate, AsymmetricAlgorithm Key) IssueClient(X500DistinguishedName subject, DateTimeOffset now, AsymmetricAlgorithm? newKey = null,
        TimeSpan? lifetime = null) =>
        Issue(subject, now, newKey, lifetime ?? LeafLifetime,
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true),
            new X509EnhancedKeyUsageExtension([ClientAuth], false));

    /// <summary>Whether <paramref name="leaf"/> carries this CA's signature (its dates are not checked).</summary>
    public bool HasIssued(X509Certificate2 leaf)
    {
        if (!leaf.IssuerName.RawData.AsSpan().SequenceEqual(Certificate.SubjectName.RawData))
            return false;
        // The signature itself, checked with the CA's key. (An X509Chain would do the same and
        // first read the machine's whole trust store: a tenth of a second on every command.)
        // Expiry is decided separately (renewal); here only the signature matters.
        if (!TryReadSigned(leaf.RawData, out var signed, out var algorithm, out var signature))
            return false;
        try
        {
            return Keys.Verify(key, algorithm, signed, signature);
        }
        catch (CryptographicException)
        {
            return false;   // a signature that is not even well-formed
        }
    }

    /// <summary>A certificate's three parts (RFC 5280 4.1): the signed TBSCertificate, the signature's algorithm, the signature.</summary>
    private static bool TryReadSigned(byte[] der, out byte[] signed, out string algorithm, out byte[] signature)
    {
        signed = signature = [];
        algorithm = "";
        try
        {
            var certificate = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            signed = certificate.ReadEncodedValue().ToArray();
            algorithm = certificate.ReadSequence().ReadObjectIdentifier();
            signature = certificate.ReadBitString(out _);
            return !certificate.HasData;
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return false;
        }
    }

    public bool Owns(AsymmetricAlgorithm candidate) => SamePublicKey(Certificate, candidate);

    public static bool SamePublicKey(X509Certificate2 certificate, AsymmetricAlgorithm key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    /// <summary>Signs a certificate revocation list (RFC 5280 5) naming <paramref name="revoked"/> serial numbers (big-endian bytes).</summary>
    public byte[] SignCrl(IEnumerable<(byte[] Serial, DateTimeOffset RevokedAt)> revoked, System.Numerics.BigInteger crlNumber, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var (serial, at) in revoked)
            builder.AddEntry(serial, at, X509RevocationReason.CessationOfOperation);
        var aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false);
        return builder.Build(Certificate.SubjectName, Keys.Signer(key), crlNumber, nextUpdate, HashAlgorithmName.SHA256, aki, thisUpdate);
    }

    public void Dispose()
    {
        key.Dispose();
        Certificate.Dispose();
    }

    private (X509Certificate2, AsymmetricAlgorithm) Issue(X500DistinguishedName subject, DateTimeOffset now, AsymmetricAlgorithm? newKey, TimeSpan lifetime, params X509Extension[] extensions)
    {
        var leafKey = newKey ?? Keys.Create(KeyAlgorithm.Rsa, forCa: false);
        try
        {
            var request = Keys.Request(subject, leafKey);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            foreach (var extension in extensions)
                request.CertificateExtensions.Add(extension);

            // a leaf must not outlive its CA; the CA renews (and so reissues leaves) well before that matters
            var caNotBefore = new DateTimeOffset(Certificate.NotBefore);
            var caNotAfter = new DateTimeOffset(Certificate.NotAfter);
            var notBefore = Max(now - ClockSkew, caNotBefore);
            var notAfter = Min(now + lifetime, caNotAfter);
            var certificate = request.Create(
                Certificate.SubjectName,
                Keys.Signer(key),
                notBefore,
                notAfter,
                NewSerialNumber());
            return (certificate, leafKey);
        }
        catch
        {
            leafKey.Dispose();
            throw;
        }
    }

    /// <summary>16 random bytes, top bit clear (positive) and next bit set (minimal DER, full length).</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
