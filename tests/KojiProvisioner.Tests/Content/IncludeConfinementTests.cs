using KojiProvisioner.Content;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// A content file from a pull request must not be able to read, or print, files outside its own
/// folder: `content diff` in CI would put the CA key or the DB password into the job log.
/// </summary>
public class IncludeConfinementTests
{
    private const string Secret = "-----BEGIN PRIVATE KEY-----\nMIIEsecretsecretsecret\n-----END PRIVATE KEY-----\n";

    private static ContentException Refused(string topFile) =>
        Assert.Throws<ContentException>(() => ContentLoader.LoadFile(topFile));

    [Theory]
    [InlineData("include")]
    [InlineData("flocks")]
    public void An_absolute_path_is_refused_without_reading_it(string key)
    {
        using var outside = new TempDir();
        var secret = outside.File("ca.key", Secret);
        using var dir = new TempDir();
        var top = dir.File("content.yaml", $"{key}: [{secret}]\n");
        var ex = Refused(top);
        Assert.StartsWith($"{top}:1: content: {key}: absolute paths are not allowed", ex.Message);
        Assert.DoesNotContain("secret", ex.Message.Replace(secret, ""));
    }

    [Theory]
    [InlineData("include")]
    [InlineData("flocks")]
    public void Dot_dot_out_of_the_top_files_folder_is_refused(string key)
    {
        using var dir = new TempDir();
        dir.File(".state/demo/pki/ca.key", Secret);
        var top = dir.File("stacks/content.yaml", $"{key}: [../.state/demo/pki/ca.key]\n");
        var ex = Refused(top);
        Assert.Contains($"{key}: '../.state/demo/pki/ca.key' leads out of the folder", ex.Message);
        Assert.DoesNotContain("MIIE", ex.Message);
    }

    [Fact]
    public void An_included_file_cannot_climb_out_either()
    {
        using var dir = new TempDir();
        dir.File("secret.txt", Secret);
        var top = dir.File("content/content.yaml", "include: [os/line.yaml]\n");
        dir.File("content/os/line.yaml", "include: [../../secret.txt]\n");
        var ex = Refused(top);
        Assert.Contains("line.yaml:1: content: include: '../../secret.txt' leads out of the folder", ex.Message);
    }

    [Fact]
    public void A_symlink_that_points_out_counts_as_out()
    {
        using var outside = new TempDir();
        var secret = outside.File("ca.key", Secret);
        using var dir = new TempDir();
        File.CreateSymbolicLink(Path.Combine(dir.Path, "key.yaml"), secret);
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "linked"), outside.Path);
        var top = dir.File("content.yaml", "include: [key.yaml]\n");
        Assert.Contains("'key.yaml' is a symlink (or under one) that points out of the folder", Refused(top).Message);
        File.WriteAllText(top, "flocks: [linked/ca.key]\n");
        Assert.Contains("'linked/ca.key' is a symlink (or under one) that points out of the folder", Refused(top).Message);
    }

    [Fact]
    public void A_symlink_that_stays_inside_is_followed()
    {
        using var dir = new TempDir();
        dir.File("os/c7.yaml", "tags:\n  - name: c7\n");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "c7.yaml"), Path.Combine(dir.Path, "os", "c7.yaml"));
        var top = dir.File("content.yaml", "include: [c7.yaml]\n");
        Assert.Equal(["c7"], ContentLoader.LoadFile(top).Tags.Select(t => t.Name));
    }

    [Theory]
    [InlineData("include")]
    [InlineData("flocks")]
    public void A_file_that_is_not_content_is_named_but_never_printed(string key)
    {
        using var dir = new TempDir();
        dir.File("db-password", "3f1c0ffee5ecret0d15ea5e\n");
        dir.File("ca.key", Secret);
        dir.File("tags.yaml", "tags: hunter2\n");
        foreach (var name in new[] { "db-password", "ca.key", "tags.yaml" })
        {
            var top = dir.File("content.yaml", $"{key}: [{name}]\n");
            var ex = Refused(top);
            Assert.Contains(name + ":1:", ex.Message);
            Assert.DoesNotContain("ecret", ex.Message);
            Assert.DoesNotContain("MIIE", ex.Message);
            Assert.DoesNotContain("hunter2", ex.Message);
        }
    }
}
