using System.Runtime.Versioning;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

/// <summary>Later runs keep what matches the request and replace only what changed.</summary>
public sealed class FarmPkiReuseTests : IDisposable
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0700 = Mode0600 | UnixFileMode.UserExecute;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void LoosenedModes_AreTightenedOnTheNextRun()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes only");
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        const UnixFileMode open = Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(temp.Pki(), open);
        File.SetUnixFileMode(temp.Pki("ca.key"), Mode0600 | UnixFileMode.OtherRead);
        File.SetUnixFileMode(temp.Pki("clients", "admin.key"), Mode0600 | UnixFileMode.GroupRead);

        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Equal(Mode0700, File.GetUnixFileMode(temp.Pki()));
        Assert.Equal(Mode0600, File.GetUnixFileMode(temp.Pki("ca.key")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(temp.Pki("clients", "admin.key")));
    }

    [Fact]
    public void SecondRun_ReusesEverything()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Equal(
            ["reused CA", "reused server certificate", "reused client admin", "reused client kojiweb", "reused client builder-1"],
            second.Changes);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        Assert.Equal(first.CaCertificatePem, second.CaCertificatePem);
        Assert.Equal(first.Server, second.Server);
        foreach (var (name, issued) in first.Clients)
            Assert.Equal(issued, second.Clients[name]);
    }

    [Fact]
    public void SameServerNamesInAnotherOrder_AreReused()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        var shuffled = PkiSamples.ServerNames.Skip(1).Append("HUB.").ToList();
        shuffled.Insert(0, "hub");

        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(serverNames: shuffled));

        Assert.Contains("reused server certificate", second.Changes);
    }

    [Fact]
    public void ChangedServerNames_ReissueOnlyTheServerCertificate()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(serverNames: [.. PkiSamples.ServerNames, "koji2.example.com", "10.1.2.3"]));

        Assert.Equal(
            ["reused CA", "reissued server certificate: names changed", "reused client admin", "reused client kojiweb", "reused client builder-1"],
            second.Changes);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        Assert.NotEqual(first.Server.Thumbprint, second.Server.Thumbprint);
        Assert.NotEqual(first.Server.PrivateKeyPem, second.Server.PrivateKeyPem);
        Assert.Equal(first.Clients["builder-1"].Thumbprint, second.Clients["builder-1"].Thumbprint);
        using var server = PkiSamples.Certificate(second.Server);
        Assert.True(server.MatchesHostname("koji2.example.com"));
        Assert.True(server.MatchesHostname("10.1.2.3"));
        Assert.True(PkiSamples.BuildChain(second.CaCertificatePem, second.Server).Ok);
    }

    [Fact]
    public void ChangedClientSubject_ReissuesOnlyThatClient_NewClientIsCreated()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(clients:
        [
            new ClientIdentity("admin", "someone-else", "admin"),
            new ClientIdentity("kojiweb", "kojiweb", "kojiweb"),
            new ClientIdentity("builder-1", "demo-builder-1", "builder"),
            new ClientIdentity("builder-2", "demo-builder-2", "builder"),
        ]));

        Assert.Equal(
            ["reused CA", "reused server certificate", "reissued client admin: subject changed", "reused client kojiweb", "reused client builder-1", "created client builder-2"],
            second.Changes);
        Assert.Equal("CN=someone-else,OU=admin,O=Acme", second.Clients["admin"].SubjectDn);
        Assert.NotEqual(first.Clients["admin"].Thumbprint, second.Clients["admin"].Thumbprint);
    }

    [Fact]
    public void ChangedOrganization_ReissuesLeavesButKeepsTheCa()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(organization: "Acme Corp"));

        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        Assert.Equal("reissued server certificate: subject changed", second.Changes[1]);
        Assert.Equal("CN=kojiweb,OU=kojiweb,O=Acme Corp", second.Clients["kojiweb"].SubjectDn);
    }

    [Fact]
    public void LeftoverTempFiles_AreRemoved()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.WriteAllText(temp.Pki(".server.key.0123.tmp"), "half a key");
        File.WriteAllText(temp.Pki("clients", ".admin.key.0123.tmp"), "half a key");

        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Empty(Directory.EnumerateFiles(temp.Pki(), "*.tmp", SearchOption.AllDirectories));
    }
}
