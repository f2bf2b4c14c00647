using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

/// <summary>One PKI made on a first run, shared by the tests that only look at it (RSA keys are slow to make).</summary>
public sealed class FreshPkiFixture : IDisposable
{
    private readonly TempDirectory temp = new();

    public FreshPkiFixture() => Pki = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

    public FarmPki Pki { get; }
    internal TempDirectory Temp => temp;

    public void Dispose() => temp.Dispose();
}

public sealed class FreshPkiTests(FreshPkiFixture fixture) : IClassFixture<FreshPkiFixture>
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0700 = Mode0600 | UnixFileMode.UserExecute;

    private readonly FarmPki pki = fixture.Pki;
    private readonly TempDirectory temp = fixture.Temp;

    [Fact]
    public void FirstRun_CreatesEveryFile()
    {
        Assert.Equal(
            ["created CA", "created server certificate", "created client admin", "created client kojiweb", "created client builder-1", "created CRL"],
            pki.Changes);
        foreach (var file in new[] { "ca.crt", "ca.key", "server.crt", "server.key" })
            Assert.True(File.Exists(temp.Pki(file)), file);
        foreach (var name in new[] { "admin", "kojiweb", "builder-1" })
        {
            Assert.True(File.Exists(temp.Pki("clients", name + ".crt")));
            Assert.True(File.Exists(temp.Pki("clients", name + ".key")));
        }
        Assert.Equal(File.ReadAllText(temp.Pki("ca.crt")), pki.CaCertificatePem);
        Assert.Equal(File.ReadAllText(temp.Pki("server.key")), pki.Server.PrivateKeyPem);
        Assert.Equal(["admin", "builder-1", "kojiweb"], pki.Clients.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(temp.Pki(), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Ca_IsASelfSignedCaForSigningOnly()
    {
        using var ca = X509Certificate2.CreateFromPem(pki.CaCertificatePem);

        Assert.Equal("CN=Acme Koji CA,O=Acme", Rfc2253.Format(ca.SubjectName));
        Assert.Equal(ca.SubjectName.RawData, ca.IssuerName.RawData);
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.NotNull(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier);
        Assert.InRange(ca.NotAfter - DateTime.Now, TimeSpan.FromDays(3640), TimeSpan.FromDays(3660));
        Assert.Equal(3072, ca.GetRSAPublicKey()!.KeySize);
    }

    [Fact]
    public void ServerAndEveryClient_ChainToTheCa()
    {

        foreach (var leaf in pki.Clients.Values.Prepend(pki.Server))
        {
            var (ok, chain) = PkiSamples.BuildChain(pki.CaCertificatePem, leaf);
            using (chain)
            {
                Assert.True(ok, leaf.SubjectDn + ": " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
                Assert.Equal(2, chain.ChainElements.Count);
                Assert.Equal(pki.CaThumbprint, chain.ChainElements[1].Certificate.Thumbprint);
            }
            using var certificate = PkiSamples.Certificate(leaf);
            Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
            using var ca = X509Certificate2.CreateFromPem(pki.CaCertificatePem);
            Assert.Equal(
                ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(),
                certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray());
            Assert.Equal(leaf.Thumbprint, certificate.Thumbprint);
            Assert.Equal(new DateTimeOffset(certificate.NotAfter), leaf.NotAfter);
            Assert.InRange(leaf.NotAfter - DateTimeOffset.UtcNow, TimeSpan.FromDays(729), TimeSpan.FromDays(731));
        }
    }

    [Fact]
    public void ServerCertificate_CoversEveryRequestedNameForServerAuth()
    {
        using var server = PkiSamples.Certificate(pki.Server);

        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["hub", "web", "demo-hub", "demo-web", "localhost", "koji.example.com"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("127.0.0.1"), IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        foreach (var name in PkiSamples.ServerNames)
            Assert.True(server.MatchesHostname(name), name);
        var eku = server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], eku.Cast<Oid>().Select(o => o.Value));
    }

    [Fact]
    public void ClientCertificates_HaveTheRequestedSubjectForClientAuth()
    {

        Assert.Equal("CN=kojiweb,OU=kojiweb,O=Acme", pki.Clients["kojiweb"].SubjectDn);
        Assert.Equal("CN=demo-builder-1,OU=builder,O=Acme", pki.Clients["builder-1"].SubjectDn);
        Assert.Equal("CN=kojiadmin,OU=admin,O=Acme", pki.Clients["admin"].SubjectDn);
        using var builder = PkiSamples.Certificate(pki.Clients["builder-1"]);
        // encoded O, OU, CN: the order openssl and mod_ssl print in reverse
        Assert.Equal(["2.5.4.10", "2.5.4.11", "2.5.4.3"],
            builder.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => r.GetSingleElementType().Value));
        var eku = builder.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], eku.Cast<Oid>().Select(o => o.Value));
    }

    [Fact]
    public void CombinedPem_HoldsTheCertificateAndItsKey()
    {
        var combined = pki.Clients["kojiweb"].CombinedPem;

        using var withKey = X509Certificate2.CreateFromPem(combined, combined);
        Assert.True(withKey.HasPrivateKey);
        Assert.Equal(pki.Clients["kojiweb"].Thumbprint, withKey.Thumbprint);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", combined, StringComparison.Ordinal);
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void KeysAndFolders_AreOwnerOnly()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes only");
        Assert.Equal(Mode0700, File.GetUnixFileMode(temp.Pki()));
        Assert.Equal(Mode0700, File.GetUnixFileMode(temp.Pki("clients")));
        var keys = Directory.EnumerateFiles(temp.Pki(), "*.key", SearchOption.AllDirectories).ToList();
        Assert.Equal(5, keys.Count);
        Assert.All(keys, key => Assert.Equal(Mode0600, File.GetUnixFileMode(key)));
    }

    [SkippableFact]
    public void OpenSsl_VerifiesTheServerAndClientsAgainstTheCa()
    {
        Skip.If(PkiSamples.OpenSsl("version") is null, "openssl is not installed");
        var server = PkiSamples.OpenSsl("verify", "-CAfile", temp.Pki("ca.crt"), "-purpose", "sslserver", temp.Pki("server.crt"))!.Value;
        Assert.True(server.ExitCode == 0, server.Output);
        var client = PkiSamples.OpenSsl("verify", "-CAfile", temp.Pki("ca.crt"), "-purpose", "sslclient", temp.Pki("clients", "kojiweb.crt"))!.Value;
        Assert.True(client.ExitCode == 0, client.Output);
        // the key files must be readable by OpenSSL as they are (kojid, mod_ssl)
        var key = PkiSamples.OpenSsl("pkey", "-in", temp.Pki("server.key"), "-noout")!.Value;
        Assert.True(key.ExitCode == 0, key.Output);
    }
}
