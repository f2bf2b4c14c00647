using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "koji-pki-" + Guid.NewGuid().ToString("N"));

    public string Pki(params string[] parts) => System.IO.Path.Combine([Path, "pki", .. parts]);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class PkiSamples
{
    public static readonly string[] ServerNames = ["hub", "web", "demo-hub", "demo-web", "localhost", "127.0.0.1", "koji.example.com", "::1"];

    public static PkiRequest Request(string organization = "Acme", IReadOnlyList<string>? serverNames = null, IReadOnlyList<ClientIdentity>? clients = null) =>
        new(organization, serverNames ?? ServerNames, clients ??
        [
            new ClientIdentity("admin", "kojiadmin", "admin"),
            new ClientIdentity("kojiweb", "kojiweb", "kojiweb"),
            new ClientIdentity("builder-1", "demo-builder-1", "builder"),
        ]);

    public static X509Certificate2 Certificate(IssuedCertificate issued) => X509Certificate2.CreateFromPem(issued.CertificatePem);

    /// <summary>Builds the chain the way a TLS peer that trusts only our CA would.</summary>
    public static (bool Ok, X509Chain Chain) BuildChain(string caPem, IssuedCertificate leaf, DateTimeOffset? at = null)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(caPem));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (at is not null)
            chain.ChainPolicy.VerificationTime = at.Value.UtcDateTime;
        return (chain.Build(Certificate(leaf)), chain);
    }

    /// <summary>Runs openssl, or returns null when it is not installed.</summary>
    public static (int ExitCode, string Output)? OpenSsl(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
