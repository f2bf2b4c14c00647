using KojiProvisioner.Hosts;

namespace KojiProvisioner.Tests.Hosts;

public sealed class HostOsTests
{
    [Theory]
    [InlineData("ID=debian\nVERSION_ID=\"12\"", PackageManager.Apt)]
    [InlineData("ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"", PackageManager.Apt)]
    [InlineData("ID=fedora\nVERSION_ID=41", PackageManager.Dnf)]
    [InlineData("ID=\"centos\"\nVERSION_ID=\"7\"", PackageManager.Yum)]
    [InlineData("ID=\"rhel\"\nVERSION_ID=\"9.4\"", PackageManager.Dnf)]
    [InlineData("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"", PackageManager.Dnf)]
    [InlineData("ID=clear-linux-os\nVERSION_ID=43000", PackageManager.Swupd)]
    public void Picks_the_package_manager_from_os_release(string osRelease, PackageManager expected) =>
        Assert.Equal(expected, HostOs.Parse("h1", osRelease).Packages);

    [Fact]
    public void An_unknown_OS_is_refused_naming_the_host_and_the_OS() =>
        Assert.StartsWith("host h1: unsupported OS 'Arch Linux'",
            Assert.Throws<FarmException>(() => HostOs.Parse("h1", "ID=arch\nPRETTY_NAME=\"Arch Linux\"")).Message);

    [Theory]
    [InlineData("SHA256:abc=", "SHA256:abc")]
    [InlineData("abc", "SHA256:abc")]
    public void Fingerprints_compare_as_OpenSSH_prints_them(string given, string expected) =>
        Assert.Equal(expected, KnownHosts.Normalize(given));
}
