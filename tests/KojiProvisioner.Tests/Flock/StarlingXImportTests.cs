using KojiProvisioner.Tests.Support;
using KojiProvisioner.Flock;

namespace KojiProvisioner.Tests.Flock;

public sealed class StarlingXImportTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("stx-import-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private StarlingXImportOptions Options(int? patch = null) => new(Path.Combine(_dir.FullName, "tree"), Path.Combine(_dir.FullName, "out"),
        Path.Combine(_dir.FullName, "flock.yaml"), "git://git.example.internal", ["stx-offline-base"], "kojiadmin", patch);

    [Fact]
    public void A_package_folder_becomes_a_repository_with_the_spec_at_the_root_its_sources_packed_and_a_manifest_entry()
    {
        Write("tree/pkg-a/centos/build_srpm.data", "SRC_DIR=\"$PKG_BASE/files\"\nCOPY_LIST=\"$PKG_BASE/LICENSE\"\nTIS_PATCH_VER=PKG_GITREVCOUNT\n");
        Write("tree/pkg-a/centos/pkg-a.spec", "Name: pkg-a\nVersion: 2.5\nRelease: %{tis_patch_ver}%{?_tis_dist}\nSource0: %{name}-%{version}.tar.gz\n");
        Write("tree/pkg-a/files/script.sh", "echo hi\n");
        Write("tree/pkg-a/LICENSE", "Apache-2.0\n");

        var done = StarlingXImport.Run(Options(patch: 4));

        var p = Assert.Single(done);
        Assert.Equal(("pkg-a", "2.5", 4), (p.Name, p.Version, p.PatchVersion));
        var repo = Path.Combine(_dir.FullName, "out", "pkg-a");
        Assert.Equal(["LICENSE", "pkg-a-2.5.tar.gz", "pkg-a.spec"], Directory.GetFiles(repo).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("%{!?tis_patch_ver:%global tis_patch_ver 4}", File.ReadAllText(Path.Combine(repo, "pkg-a.spec")));
        Assert.Equal(40, p.Commit.Length);
        var manifest = KojiProvisioner.Content.FlockManifest.LoadFile(Path.Combine(_dir.FullName, "flock.yaml"));
        var r = Assert.Single(manifest.Repositories);
        Assert.Equal(("git://git.example.internal/pkg-a", "master", "pkg-a.spec"), (r.Url, r.Ref, r.Packages[0].Spec));
    }

    [Theory]
    [InlineData("centos/pkg-b.spec", "build_srpm.data")]
    [InlineData("centos/build_srpm.data", "no spec")]
    public void A_folder_without_build_srpm_data_or_spec_is_bad_input_naming_it(string only, string expected)
    {
        Write($"tree/pkg-b/{only}", "Name: pkg-b\nVersion: 1\n");
        var e = Assert.Throws<InputException>(() => StarlingXImport.Run(Options()));
        Assert.Contains("pkg-b", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir.FullName, "out", "pkg-b")));
    }
}

public sealed class BuildLogsTests
{
    [Fact]
    public void A_centos_pinned_requirement_dnf_cannot_install_is_named_with_the_need_for_a_connected_line()
    {
        const string root = "DEBUG util.py:446:  No match for argument: systemd = 219-78.el7_9.3\nDEBUG util.py:446:  No matching package to install: 'systemd = 219-78.el7_9.3'\n";
        var line = BuildLogs.FirstError(root, "");
        Assert.StartsWith("BuildRequires systemd = 219-78.el7_9.3:", line);
        Assert.Contains("connected line", line);
    }

    [Fact]
    public void A_build_failure_is_the_first_error_line_of_build_log()
    {
        const string build = "+ make\n/usr/bin/strip: unable to copy file 'x'; reason: Permission denied\nerror: Bad exit status from /var/tmp/rpm-tmp.1 (%install)\n";
        Assert.Equal("/usr/bin/strip: unable to copy file 'x'; reason: Permission denied", BuildLogs.FirstError("", build));
        Assert.Null(BuildLogs.FirstError("DEBUG util.py:1:  all fine", "+ true\n"));
    }
}

public sealed class DebianPackageMapTests
{
    [Fact]
    public void The_mapping_comes_from_the_base_tag_extra_and_is_part_of_the_buildroot_image()
    {
        var extra = new Dictionary<string, object?>
        {
            [DebianPackageMap.ExtraKey] = new Dictionary<string, object?> { ["systemd-devel"] = "libsystemd-dev", ["systemd"] = "systemd" },
        };
        var map = DebianPackageMap.FromExtra("base", extra);
        Assert.Equal("systemd=systemd systemd-devel=libsystemd-dev", DebianPackageMap.ToBuildArg(map));
        var images = Path.Combine(RepoRoot.Path, "infra", "images");
        var plain = KojiProvisioner.Farm.ImageRecipes.Buildroot("koji-farm/debian-base:bookworm", images);
        var mapped = KojiProvisioner.Farm.ImageRecipes.Buildroot("koji-farm/debian-base:bookworm", images, DebianPackageMap.ToBuildArg(map));
        Assert.NotEqual(plain.Reference, mapped.Reference);
        Assert.Equal(mapped.Reference, KojiProvisioner.Farm.ImageRecipes.Buildroot("koji-farm/debian-base:bookworm", images, DebianPackageMap.ToBuildArg(map)).Reference);
    }

    [Fact]
    public void The_recipe_message_about_a_missing_debian_package_is_found_in_the_coloured_build_output()
    {
        var bad = DebianPackageMap.RecipeError(["Step 3/12 : RUN set -eu; echo \"koji-farm-buildroot: no Debian package '$deb' (mapped from the RPM name '$rpmname')\" >&2", "\u001b[91mkoji-farm-buildroot: no Debian package 'nope' (mapped from the RPM name 'x')\n\u001b[0m"]);
        Assert.Equal("no Debian package 'nope' (mapped from the RPM name 'x')", bad);
        Assert.Throws<InputException>(() => DebianPackageMap.FromExtra("base", new Dictionary<string, object?> { [DebianPackageMap.ExtraKey] = new Dictionary<string, object?> { ["x"] = "Not A Name" } }));
    }
}
