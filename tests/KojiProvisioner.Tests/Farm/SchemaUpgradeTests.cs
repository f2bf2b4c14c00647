using KojiProvisioner.Operations;
using KojiProvisioner.Database;

namespace KojiProvisioner.Tests.Farm;

public sealed class SchemaUpgradeTests
{
    // The upgrade scripts of Koji 1.35.3's schemas/ folder (1.5-1.6 and 1.26-1.27 changed no schema), and two that are not upgrades.
    private static readonly string[] Koji135 =
    [
        "schema.sql", "schema-update-cgen.sql", "schema-update-dist-repos.sql", "Makefile",
        "schema-upgrade-1.2-1.3.sql", "schema-upgrade-1.3-1.4.sql", "schema-upgrade-1.4-1.5.sql", "schema-upgrade-1.6-1.7.sql",
        .. Enumerable.Range(7, 19).Select(i => $"schema-upgrade-1.{i}-1.{i + 1}.sql"),
        .. Enumerable.Range(27, 8).Select(i => $"schema-upgrade-1.{i}-1.{i + 1}.sql"),
    ];

    private static IReadOnlyList<string> Plan(string from, string to) =>
        SchemaUpgrade.Plan(SchemaVersion.Parse(from), SchemaVersion.Parse(to), SchemaUpgrade.Scripts(Koji135)).Select(s => s.Name).ToList();

    [Fact]
    public void One_release_up_runs_its_one_script()
    {
        Assert.Equal(["schema-upgrade-1.34-1.35.sql"], Plan("1.34", "1.35.3"));
    }

    [Fact]
    public void Same_release_or_a_patch_release_runs_nothing()
    {
        Assert.Empty(Plan("1.35", "1.35.3"));
        Assert.Empty(Plan("1.34", "1.34.1"));
    }

    [Fact]
    public void Several_releases_run_in_order_and_skip_releases_without_a_schema_change()
    {
        Assert.Equal(["schema-upgrade-1.25-1.26.sql", "schema-upgrade-1.27-1.28.sql", "schema-upgrade-1.28-1.29.sql"], Plan("1.25", "1.29"));
        // Version order, not string order: 1.9 < 1.10.
        Assert.Equal(["schema-upgrade-1.8-1.9.sql", "schema-upgrade-1.9-1.10.sql", "schema-upgrade-1.10-1.11.sql"], Plan("1.8", "1.11"));
    }

    [Fact]
    public void Downgrade_is_refused_with_exit_2_naming_both_versions()
    {
        var e = Assert.Throws<InputException>(() => Plan("1.35", "1.34.3"));
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Contains("1.35", e.Message);
        Assert.Contains("1.34", e.Message);
    }

    [Fact]
    public void Overlapping_scripts_are_an_error()
    {
        var scripts = SchemaUpgrade.Scripts(["schema-upgrade-1.30-1.32.sql", "schema-upgrade-1.31-1.32.sql"]);
        Assert.Throws<FarmException>(() => SchemaUpgrade.Plan(SchemaVersion.Parse("1.30"), SchemaVersion.Parse("1.32"), scripts));
    }

    [Fact]
    public void Reads_version_and_scripts_from_a_tarball_and_a_tree()
    {
        var dir = Directory.CreateTempSubdirectory("koji-tree-").FullName;
        try
        {
            var top = Path.Combine(dir, "koji-1.35.3");
            Directory.CreateDirectory(Path.Combine(top, "koji"));
            Directory.CreateDirectory(Path.Combine(top, "schemas"));
            File.WriteAllText(Path.Combine(top, "koji", "_version.py"), "__version_info__ = (1, 35, 3)\n__version__ = '.'.join([str(x) for x in __version_info__])\n");
            foreach (var name in new[] { "schema.sql", "schema-upgrade-1.33-1.34.sql", "schema-upgrade-1.34-1.35.sql" })
                File.WriteAllText(Path.Combine(top, "schemas", name), "-- sql\n");
            var fromTree = KojiTree.Read(top);
            var tarball = Path.Combine(dir, "koji.tar.gz");
            using (var f = File.Create(tarball))
            using (var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest))
                System.Formats.Tar.TarFile.CreateFromDirectory(top, gz, includeBaseDirectory: true);
            var fromTar = KojiTree.Read(tarball);
            foreach (var tree in new[] { fromTree, fromTar })
            {
                Assert.Equal("1.35.3", tree.Version);
                Assert.Equal(["schema-upgrade-1.33-1.34.sql", "schema-upgrade-1.34-1.35.sql"], tree.Scripts.Select(s => s.Name).Order());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
