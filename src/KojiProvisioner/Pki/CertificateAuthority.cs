using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KojiProvisioner.Pki;

/// <summary>
/// The company CA: makes itself and signs the farm's server and client certificates.
/// RSA with SHA-256 and PKCS#1 v1.5 signatures: accepted by every OpenSSL, mod_ssl and Python
/// requests version the farm may meet. 3072-bit for the CA, which lives 10 years; 2048-bit for
/// leaves, which live 2.
/// </summary>
internal sealed class CertificateAuthority : IDisposable
{
    public const int CaKeySize = 3072;
    public const int LeafKeySize = 2048;
    public const int CaLifetimeYears = 10;
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(730);

    // Containers and remote builders may run slightly behind the machine that issues certificates
    private static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly RSA key;

    private CertificateAuthority(X509Certificate2 certificate, RSA key)
    {
        Certificate = certificate;
        this.key = key;
    }

    /// <summary>The CA certificate, without its key.</summary>
    public X509Certificate2 Certificate { get; }

    public string KeyPem => PemFiles.ToPem(key);

    public static CertificateAuthority Create(string organization, DateTimeOffset now)
    {
        var key = RSA.Create(CaKeySize);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName(CaCommonName(organization));
            subject.AddOrganizationName(organization);
            var name = subject.Build();

            var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            // path length 0: this CA signs leaves only, never another CA
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
            request.CertificateExtensions.Add(ski);
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

            var certificate = request.Create(
                name,
                X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
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
    public static CertificateAuthority FromParts(X509Certificate2 certificate, RSA key) => new(certificate, key);

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

    /// <param name="newKey">The leaf's new key (made ahead, see <see cref="LeafKeyPool"/>); one is made when null. The certificate owns it.</param>
    public (X509Certificate2 Certificate, RSA Key) IssueServer(X500DistinguishedName subject, ServerNames names, DateTimeOffset now, RSA? newKey = null) =>
        Issue(subject, now, newKey,
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true),
            new X509EnhancedKeyUsageExtension([ServerAuth], false),
            names.ToExtension());

    public (X509Certificate2 Certificate, RSA Key) IssueClient(X500DistinguishedName subject, DateTimeOffset now, RSA? newKey = null) =>
        Issue(subject, now, newKey,
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
        if (!TryReadSigned(leaf.RawData, out var signed, out var algorithm, out var signature) || HashOf(algorithm) is not { } hash)
            return false;
        return key.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1);
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

    /// <summary>RSA PKCS#1 v1.5 signature algorithms (RFC 4055); any other is not one this CA makes.</summary>
    private static HashAlgorithmName? HashOf(string oid) => oid switch
    {
        "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
        "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
        "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
        _ => null,
    };

    public bool Owns(RSA candidate) => SamePublicKey(Certificate, candidate);

    public static bool SamePublicKey(X509Certificate2 certificate, RSA key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    public void Dispose()
    {
        key.Dispose();
        Certificate.Dispose();
    }

    private (X509Certificate2, RSA) Issue(X500DistinguishedName subject, DateTimeOffset now, RSA? newKey, params X509Extension[] extensions)
    {
        var leafKey = newKey ?? RSA.Create(LeafKeySize);
        try
        {
            var request = new CertificateRequest(subject, leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            foreach (var extension in extensions)
                request.CertificateExtensions.Add(extension);

            // a leaf must not outlive its CA; the CA renews (and so reissues leaves) well before that matters
            var caNotBefore = new DateTimeOffset(Certificate.NotBefore);
            var caNotAfter = new DateTimeOffset(Certificate.NotAfter);
            var notBefore = Max(now - ClockSkew, caNotBefore);
            var notAfter = Min(now + LeafLifetime, caNotAfter);
            var certificate = request.Create(
                Certificate.SubjectName,
                X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
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
