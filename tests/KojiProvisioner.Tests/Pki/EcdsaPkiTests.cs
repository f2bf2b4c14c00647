using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

/// <summary>`pki.keyAlgorithm: ecdsa`: the same PKI with P-256 keys, made in milliseconds.</summary>
public sealed class EcdsaPkiTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static PkiRequest Request(KeyAlgorithm algorithm) => PkiSamples.Request() with { KeyAlgorithm = algorithm };

    [Fact]
    public void EveryKey_IsP256_AndEveryLeafChainsToTheCa()
    {
        var pki = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));

        using var ca = X509Certificate2.CreateFromPem(pki.CaCertificatePem);
        using (var caKey = ca.GetECDsaPublicKey())
            Assert.Equal(256, caKey?.KeySize);
        foreach (var leaf in pki.Clients.Values.Prepend(pki.Server))
        {
            using var certificate = PkiSamples.Certificate(leaf);
            using var key = certificate.GetECDsaPublicKey();
            Assert.Equal(256, key?.KeySize);
            Assert.Contains("BEGIN PRIVATE KEY", leaf.PrivateKeyPem);
            var (ok, chain) = PkiSamples.BuildChain(pki.CaCertificatePem, leaf);
            Assert.True(ok, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }
        // the client certificate and its key load as one, as the hub client and kojid load them
        using var admin = X509Certificate2.CreateFromPem(pki.Clients["admin"].CertificatePem, pki.Clients["admin"].PrivateKeyPem);
        Assert.True(admin.HasPrivateKey);
    }

    [Fact]
    public void ServerKeyUsage_IsSigningOnly_ForAnEcdsaKey()
    {
        var pki = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        using var server = PkiSamples.Certificate(pki.Server);
        var usage = server.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
    }

    [Fact]
    public void SecondRun_ReusesEverything()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        var second = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        Assert.All(second.Changes, c => Assert.StartsWith("reused", c));
        Assert.Equal(first.Server, second.Server);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
    }

    [Fact]
    public void ChangingTheAlgorithm_ReissuesTheLeaves_AndKeepsTheCa()
    {
        var rsa = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Rsa));
        var ecdsa = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));

        Assert.Equal(
            ["reused CA", "reissued server certificate: key algorithm changed to ecdsa", "reissued client admin: key algorithm changed to ecdsa",
             "reissued client kojiweb: key algorithm changed to ecdsa", "reissued client builder-1: key algorithm changed to ecdsa"],
            ecdsa.Changes);
        Assert.Equal(rsa.CaThumbprint, ecdsa.CaThumbprint);
        // ECDSA leaves signed by the RSA CA
        var (ok, chain) = PkiSamples.BuildChain(ecdsa.CaCertificatePem, ecdsa.Server);
        Assert.True(ok, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        using (var server = PkiSamples.Certificate(ecdsa.Server))
            Assert.NotNull(server.GetECDsaPublicKey());

        var back = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Rsa));
        Assert.Equal("reissued server certificate: key algorithm changed to rsa", back.Changes[1]);
    }

    [Fact]
    public void ALeafNotSignedByTheEcdsaCa_IsReissued()
    {
        FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        // Another CA of the same name signs a server certificate that replaces ours
        var other = new TempDirectory();
        try
        {
            var foreign = FarmPki.LoadOrCreate(other.Path, Request(KeyAlgorithm.Ecdsa));
            File.Copy(other.Pki("server.crt"), temp.Pki("server.crt"), overwrite: true);
            File.Copy(other.Pki("server.key"), temp.Pki("server.key"), overwrite: true);

            var again = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
            Assert.Contains("reissued server certificate: not signed by current CA", again.Changes);
            Assert.NotEqual(foreign.Server.Thumbprint, again.Server.Thumbprint);
        }
        finally
        {
            other.Dispose();
        }
    }

    [SkippableFact]
    public void OpenSsl_VerifiesTheEcdsaLeavesAndReadsTheKeys()
    {
        Skip.If(PkiSamples.OpenSsl("version") is null, "openssl is not installed");
        FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        var server = PkiSamples.OpenSsl("verify", "-CAfile", temp.Pki("ca.crt"), "-purpose", "sslserver", temp.Pki("server.crt"))!.Value;
        Assert.True(server.ExitCode == 0, server.Output);
        var client = PkiSamples.OpenSsl("verify", "-CAfile", temp.Pki("ca.crt"), "-purpose", "sslclient", temp.Pki("clients", "admin.crt"))!.Value;
        Assert.True(client.ExitCode == 0, client.Output);
        var key = PkiSamples.OpenSsl("pkey", "-in", temp.Pki("server.key"), "-noout", "-text")!.Value;
        Assert.True(key.ExitCode == 0, key.Output);
        Assert.Contains("P-256", key.Output);
    }

    [Fact]
    public void AnOlderFormEcKeyFile_IsRead()
    {
        FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        // "BEGIN EC PRIVATE KEY" (SEC 1), as `openssl ecparam -genkey` writes: a key someone put in place by hand
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(File.ReadAllText(temp.Pki("clients", "admin.key")));
            File.WriteAllText(temp.Pki("clients", "admin.key"), key.ExportECPrivateKeyPem() + "\n");
        }
        var again = FarmPki.LoadOrCreate(temp.Path, Request(KeyAlgorithm.Ecdsa));
        Assert.Contains("reused client admin", again.Changes);
    }
}
