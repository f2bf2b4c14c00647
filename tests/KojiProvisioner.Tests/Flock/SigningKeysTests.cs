using KojiProvisioner.Backups;
using KojiProvisioner.Flock;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Tests.Flock;

/// <summary>The company's signing keys in the state folder, and the signature header Koji is sent.</summary>
public sealed class SigningKeysTests : IDisposable
{
    private const string First = "71BF5E10FBFE3B9AAF7ADA0D61D7512754AB01A4";
    private const string Second = "0123456789ABCDEF0123456789ABCDEFE8193EF3";
    private readonly string _dir = Directory.CreateTempSubdirectory("koji-farm-signing-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_new_key_signs_from_then_on_and_the_old_one_stays_listed_with_its_koji_sigkey()
    {
        var keys = new SigningKeys(_dir);
        Assert.Null(keys.Current);
        keys.Add(First, "PUBLIC 1", "SECRET 1");
        var second = keys.Add(Second, "PUBLIC 2", "SECRET 2");

        var all = keys.All();
        Assert.Equal([Second, First], all.Select(k => k.Fingerprint));
        Assert.True(all[0].Current);
        Assert.False(all[1].Current);
        Assert.Equal("e8193ef3", second.Sigkey);
        Assert.Equal("61D7512754AB01A4", all[1].KeyId);
        Assert.Equal("54ab01a4", all[1].Sigkey);
        Assert.Equal("SECRET 1", File.ReadAllText(all[1].SecretFile));
        Assert.All(Directory.EnumerateFiles(keys.Path),
            f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void Backup_carries_the_keys_and_restore_puts_them_back_with_the_current_one()
    {
        var state = Path.Combine(_dir, "state");
        new SigningKeys(state).Add(First, "PUBLIC 1", "SECRET 1");
        new SigningKeys(state).Add(Second, "PUBLIC 2", "SECRET 2");

        using var tar = new MemoryStream();
        Backup.WriteStateTar(state, tar);
        tar.Position = 0;
        var restored = Path.Combine(_dir, "restored");
        Restore.ExtractState(tar, restored);

        var keys = new SigningKeys(restored).All();
        Assert.Equal([Second, First], keys.Select(k => k.Fingerprint));
        Assert.True(keys[0].Current);
        Assert.Equal("SECRET 2", File.ReadAllText(keys[0].SecretFile));
    }

    [Fact]
    public void The_signature_header_is_cut_after_the_lead_padded_to_eight_bytes_as_koji_rips_it()
    {
        // Lead (96 bytes), then a header with 1 index entry and 5 data bytes: 8 + 16 + 5 = 29, padded to 32, + 8 intro bytes.
        var rpm = new byte[96 + 64];
        byte[] intro = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5];
        intro.CopyTo(rpm, 96);
        rpm[96 + 39] = 0x42;
        rpm[96 + 40] = 0x99; // the main header would start here

        var header = SigningBench.RpmSignatureHeader(rpm, "x.rpm");

        Assert.Equal(40, header.Length);
        Assert.Equal(intro, header[..16]);
        Assert.Equal(0x42, header[^1]);
    }

    [Fact]
    public void A_file_that_is_not_an_rpm_is_named()
    {
        var e = Assert.Throws<FarmException>(() => SigningBench.RpmSignatureHeader(new byte[200], "broken.rpm"));
        Assert.Contains("broken.rpm", e.Message);
    }
}
