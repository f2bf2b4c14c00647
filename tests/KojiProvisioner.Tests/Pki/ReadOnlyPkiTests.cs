using KojiProvisioner.Pki;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Pki;

/// <summary>Preview and status read the state folder in place and write nothing, not even a copy.</summary>
public sealed class ReadOnlyPkiTests
{
    private static string Snapshot(string root) => string.Join("\n", Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => $"{Path.GetRelativePath(root, p)} {(File.Exists(p) ? File.ReadAllText(p).GetHashCode() + " " + File.GetUnixFileMode(p) : "dir")}"));

    [Fact]
    public void A_new_stack_gets_its_credentials_in_memory_and_no_folder()
    {
        using var temp = new TempDir();
        var state = Path.Combine(temp.Path, "state");
        var pki = FarmPki.LoadOrCreate(state, PkiSamples.Request(), readOnly: true);
        var folder = StateFolder.ReadOnlyAt(state);
        var secret = folder.Secret("db-password");
        folder.Create();

        Assert.Contains("created CA", pki.Changes);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pki.CaCertificatePem);
        Assert.Equal(48, secret.Length);
        Assert.False(Directory.Exists(state), "a read-only state folder was created");
    }

    [Fact]
    public void An_existing_state_folder_is_read_as_it_is_and_left_unchanged()
    {
        using var temp = new TempDir();
        var state = Path.Combine(temp.Path, "state");
        var made = FarmPki.LoadOrCreate(state, PkiSamples.Request());
        var password = new StateFolder(state).Secret("db-password");
        // A client that is missing is made in memory, not on disk.
        File.Delete(Path.Combine(state, "pki", "clients", PkiSamples.Request().Clients[0].Name + ".key"));
        var before = Snapshot(state);

        var read = FarmPki.LoadOrCreate(state, PkiSamples.Request(), readOnly: true);

        Assert.Equal(made.CaCertificatePem, read.CaCertificatePem);
        Assert.Equal(made.Server.CertificatePem, read.Server.CertificatePem);
        Assert.Equal(password, StateFolder.ReadOnlyAt(state).Secret("db-password"));
        Assert.Contains(read.Changes, c => c.StartsWith("reissued client", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot(state));
    }
}
