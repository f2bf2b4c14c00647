using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Koji;

public class HubTrustTests
{
    private static X509Certificate2 Ca(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Leaf(X509Certificate2 ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);
        return cert.CopyWithPrivateKey(key);
    }

    [Fact]
    public void Hub_certificate_must_chain_to_the_farm_ca()
    {
        using var farmCa = Ca("Acme Koji CA");
        using var otherCa = Ca("Somebody Else");
        using var hub = Leaf(farmCa, "koji-hub");
        Assert.True(KojiHubClient.ValidateAgainstRoots(hub, SslPolicyErrors.RemoteCertificateChainErrors, [farmCa]));
        Assert.False(KojiHubClient.ValidateAgainstRoots(hub, SslPolicyErrors.None, [otherCa]));
        Assert.False(KojiHubClient.ValidateAgainstRoots(hub, SslPolicyErrors.RemoteCertificateNameMismatch, [farmCa]));
        Assert.False(KojiHubClient.ValidateAgainstRoots(null, SslPolicyErrors.RemoteCertificateNotAvailable, [farmCa]));
    }

    [Fact]
    public void Client_accepts_pem_ca_and_client_certificate()
    {
        using var ca = Ca("Acme Koji CA");
        using var admin = Leaf(ca, "kojiadmin");
        var certPem = admin.ExportCertificatePem();
        var keyPem = admin.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        using var client = new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri("https://localhost:8443/kojihub"),
            CaCertificatePem = ca.ExportCertificatePem(),
            ClientCertificatePem = certPem,
            ClientKeyPem = keyPem,
        });
        Assert.Equal(100, client.BatchSize);
        Assert.Throws<ArgumentException>(() => new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri("https://localhost:8443/kojihub"), CaCertificatePem = "not a certificate",
        }));
    }

    [Fact]
    public async Task Unreachable_port_is_a_connection_error_naming_the_url()
    {
        using var client = new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri("https://127.0.0.1:1/kojihub"), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(5),
        });
        var ex = await Assert.ThrowsAsync<KojiConnectionException>(() => client.CallAsync("getAPIVersion"));
        Assert.StartsWith("cannot reach Koji hub https://127.0.0.1:1/kojihub: ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
