using KojiProvisioner.Content;

namespace KojiProvisioner.Tests.Content;

public class FlockManifestTests
{
    private const string Flock = """
        package_owner: stx-releng
        allowed_scms:
          - opendev.org:/starlingx/*:false
        repositories:
          - name: starlingx/fault
            url: https://opendev.org/starlingx/fault.git
            ref: master
            tags: [base]
            packages:
              - { name: fm-common, spec: fm-common/centos/fm-common.spec }
              - { name: fm-api, spec: fm-api/centos/fm-api.spec, tags: [other] }
        """;

    [Fact]
    public void Reads_repositories_packages_and_allowed_scms()
    {
        var flock = FlockManifest.LoadText(Flock, "flock.yaml");
        Assert.Equal(["opendev.org:/starlingx/*:false"], flock.AllowedScms);
        var repo = Assert.Single(flock.Repositories);
        Assert.Equal("git+https://opendev.org/starlingx/fault.git#master", repo.ScmUrl);
        Assert.Equal([("base", "fm-common"), ("other", "fm-api")], flock.TagPackages.Select(p => (p.Tag, p.Package.Name)));
    }

    [Theory]
    [InlineData("opendev.org:/starlingx/*:false", "opendev.org", "/starlingx/fault.git", true)]
    [InlineData("opendev.org:/starlingx/*", "opendev.org", "/openstack/nova.git", false)]
    [InlineData("*.opendev.org:/*", "git.opendev.org", "/x.git", true)]
    [InlineData("!opendev.org:/starlingx/secret*", "opendev.org", "/starlingx/secret.git", false)]
    public void Allowed_scms_match_like_kojid(string entry, string host, string path, bool allowed) =>
        Assert.Equal(allowed, FlockManifest.IsAllowed([entry], host, path));

    [Fact]
    public void Repository_outside_allowed_scms_is_refused()
    {
        var ex = Assert.Throws<ContentException>(() => FlockManifest.LoadText(Flock.Replace("opendev.org:/starlingx/*:false", "github.com:/starlingx/*:false"), "flock.yaml"));
        Assert.Equal("flock.yaml:6: repository 'starlingx/fault': opendev.org:/starlingx/fault.git is not matched by any allowed_scms entry, so builders would refuse it", ex.Message);
    }

    [Theory]
    [InlineData("opendev.org/starlingx/*")]
    [InlineData("opendev.org:starlingx/*")]
    [InlineData("opendev.org:/starlingx/*:maybe")]
    public void Malformed_allowed_scms_entry_is_refused(string entry)
    {
        var ex = Assert.Throws<ContentException>(() => FlockManifest.LoadText(Flock.Replace("opendev.org:/starlingx/*:false", entry), "flock.yaml"));
        Assert.Contains($"allowed_scms entry '{entry}'", ex.Message);
    }

    [Fact]
    public void Same_package_from_two_repositories_is_refused()
    {
        var twice = Flock + "\n  - name: starlingx/other\n    url: https://opendev.org/starlingx/other.git\n    ref: master\n    packages:\n      - { name: fm-api, spec: x.spec }\n";
        var ex = Assert.Throws<ContentException>(() => FlockManifest.LoadText(twice, "flock.yaml"));
        Assert.Contains("package 'fm-api' is already built from repository 'starlingx/fault'", ex.Message);
    }

    [Fact]
    public void Flock_tag_must_exist_in_the_content()
    {
        var dir = Directory.CreateTempSubdirectory("flock-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "flock.yaml"), Flock);
            File.WriteAllText(Path.Combine(dir.FullName, "content.yaml"), "flocks: [flock.yaml]\ntags:\n  - name: base\n");
            var ex = Assert.Throws<ContentException>(() => ContentLoader.LoadFile(Path.Combine(dir.FullName, "content.yaml")));
            Assert.Contains("package 'fm-api': tag 'other' is not defined in the content", ex.Message);

            File.WriteAllText(Path.Combine(dir.FullName, "content.yaml"), "flocks: [flock.yaml]\ntags:\n  - name: base\n  - name: other\n    packages:\n      - {name: fm-api, owner: kojiadmin}\n");
            var content = ContentLoader.LoadFile(Path.Combine(dir.FullName, "content.yaml"));
            Assert.Equal(("fm-common", "stx-releng"), (content.FindTag("base")!.Packages.Single().Name, content.FindTag("base")!.Packages.Single().Owner));
            // an entry the tag lists itself wins over the flock's
            Assert.Equal("kojiadmin", content.FindTag("other")!.Packages.Single().Owner);
            Assert.Equal(["opendev.org:/starlingx/*:false"], content.AllowedScms);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
