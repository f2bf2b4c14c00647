using System.Security.Cryptography;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

/// <summary>Unusable files and bad requests fail early, with a message that says what to do.</summary>
public sealed class FarmPkiErrorsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void CorruptCaCertificate_IsAPkiExceptionNamingTheFile()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.WriteAllText(temp.Pki("ca.crt"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<PkiException>(() => FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request()));

        Assert.Equal(temp.Pki("ca.crt"), error.FilePath);
        Assert.Contains(temp.Pki("ca.crt"), error.Message, StringComparison.Ordinal);
        Assert.Contains("Delete ca.crt and ca.key", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<CryptographicException>(error.InnerException);
    }

    [Fact]
    public void CorruptLeafKey_IsAPkiExceptionNamingTheFile()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.WriteAllText(temp.Pki("clients", "admin.key"), "garbage");

        var error = Assert.Throws<PkiException>(() => FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request()));

        Assert.Equal(temp.Pki("clients", "admin.key"), error.FilePath);
        Assert.Contains("Delete it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfACa_IsAPkiException()
    {
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.Delete(temp.Pki("ca.key"));

        var error = Assert.Throws<PkiException>(() => FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request()));

        Assert.Equal(temp.Pki("ca.key"), error.FilePath);
        Assert.False(File.Exists(temp.Pki("ca.key")));
    }

    [Fact]
    public void CaKeyOfAnotherCa_IsAPkiException()
    {
        using var other = new TempDirectory();
        FarmPki.LoadOrCreate(other.Path, PkiSamples.Request());
        FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request());
        File.Copy(other.Pki("ca.key"), temp.Pki("ca.key"), overwrite: true);

        var error = Assert.Throws<PkiException>(() => FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request()));

        Assert.Contains("is not the key of", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../evil")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void BadClientName_IsRejectedBeforeAnyFileIsWritten(string name)
    {
        var request = PkiSamples.Request(clients: [new ClientIdentity(name, "x", "y")]);

        Assert.ThrowsAny<ArgumentException>(() => FarmPki.LoadOrCreate(temp.Path, request));
        Assert.False(Directory.Exists(temp.Pki()));
    }

    [Fact]
    public void DuplicateClientNames_AreRejected()
    {
        var request = PkiSamples.Request(clients: [new ClientIdentity("b1", "x", "y"), new ClientIdentity("B1", "z", "y")]);

        var error = Assert.ThrowsAny<ArgumentException>(() => FarmPki.LoadOrCreate(temp.Path, request));
        Assert.Contains("used twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hub|bad name")]
    [InlineData("-hub")]
    [InlineData("hub|")]
    public void BadServerNames_AreRejected(string names)
    {
        var list = names.Length == 0 ? [] : names.Split('|');
        Assert.ThrowsAny<ArgumentException>(() => FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(serverNames: list)));
    }
}
