using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

/// <summary>Certificates are replaced when they expire, lose their key or their CA changes.</summary>
public sealed class FarmPkiRenewalTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void TwoYearsLater_LeavesAreRenewed_CaIsReused()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);
        clock.Now = clock.Now.AddYears(2).AddDays(1);

        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);

        Assert.Equal(
            ["reused CA",
             $"renewed server certificate: expired {first.Server.NotAfter:yyyy-MM-dd}",
             $"renewed client admin: expired {first.Clients["admin"].NotAfter:yyyy-MM-dd}",
             $"renewed client kojiweb: expired {first.Clients["kojiweb"].NotAfter:yyyy-MM-dd}",
             $"renewed client builder-1: expired {first.Clients["builder-1"].NotAfter:yyyy-MM-dd}",
             $"signed CRL anew: it expires {clock.Now.AddYears(-2).AddDays(-1) + FarmPki.CrlLifetime:yyyy-MM-dd}"],
            second.Changes);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        Assert.True(second.Server.NotAfter > clock.Now.AddDays(700));
        foreach (var leaf in second.Clients.Values.Prepend(second.Server))
            Assert.True(PkiSamples.BuildChain(second.CaCertificatePem, leaf, clock.Now).Ok, leaf.SubjectDn);
    }

    [Fact]
    public void WithinThirtyDaysOfExpiry_LeavesAreRenewed_NotBefore()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);

        clock.Now = first.Server.NotAfter.AddDays(-31);
        Assert.Contains("reused server certificate", FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock).Changes);

        clock.Now = first.Server.NotAfter.AddDays(-29);
        var renewed = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);
        Assert.Contains($"renewed server certificate: expires {first.Server.NotAfter:yyyy-MM-dd}", renewed.Changes);
    }

    [Fact]
    public void NearCaExpiry_TheCaAndEveryLeafAreReplaced()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);
        using var oldCa = X509Certificate2.CreateFromPem(first.CaCertificatePem);
        var caNotAfter = new DateTimeOffset(oldCa.NotAfter);

        clock.Now = caNotAfter.AddDays(-91);
        Assert.Equal("reused CA", FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock).Changes[0]);

        clock.Now = caNotAfter.AddDays(-60);
        var renewed = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(), clock);

        Assert.Equal($"renewed CA: expires {caNotAfter.ToUniversalTime():yyyy-MM-dd}", renewed.Changes[0]);
        Assert.All(renewed.Changes.Skip(1), line => Assert.EndsWith(": new CA", line, StringComparison.Ordinal));
        Assert.NotEqual(first.CaThumbprint, renewed.CaThumbprint);
        foreach (var leaf in renewed.Clients.Values.Prepend(renewed.Server))
            Assert.True(PkiSamples.BuildChain(renewed.CaCertificatePem, leaf, clock.Now).Ok, leaf.SubjectDn);
    }

    [Fact]
    public void LeafSignedByAnotherCa_IsReissued()
    {
        using var other = new TempDirectory();
        FarmPki.LoadOrCreate(other.Path, PkiSamples.Request());
        var mine = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        // same subject and names, but another CA's signature
        File.Copy(other.Pki("server.crt"), temp.Pki("server.crt"), overwrite: true);
        File.Copy(other.Pki("server.key"), temp.Pki("server.key"), overwrite: true);

        var again = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Contains("reissued server certificate: not signed by current CA", again.Changes);
        Assert.Equal(mine.CaThumbprint, again.CaThumbprint);
        Assert.True(PkiSamples.BuildChain(again.CaCertificatePem, again.Server).Ok);
    }

    [Fact]
    public void MissingOrMismatchedLeafKey_IsReissued()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.Delete(temp.Pki("clients", "kojiweb.key"));
        File.Copy(temp.Pki("clients", "admin.key"), temp.Pki("clients", "builder-1.key"), overwrite: true);

        var again = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Contains("reissued client kojiweb: kojiweb.key missing", again.Changes);
        Assert.Contains("reissued client builder-1: key does not match certificate", again.Changes);
        var combined = again.Clients["builder-1"].CombinedPem;
        using var loaded = X509Certificate2.CreateFromPem(combined, combined);
        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void DeletingBothCaFiles_MakesANewCaAndReissuesEverything()
    {
        var first = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.Delete(temp.Pki("ca.crt"));
        File.Delete(temp.Pki("ca.key"));

        var second = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());

        Assert.Equal("created CA", second.Changes[0]);
        Assert.Equal("reissued server certificate: new CA", second.Changes[1]);
        Assert.NotEqual(first.CaThumbprint, second.CaThumbprint);
    }
}
