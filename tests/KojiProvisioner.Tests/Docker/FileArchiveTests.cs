using System.Formats.Tar;
using System.IO.Compression;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Tests.Docker;

public class FileArchiveTests
{
    private static List<(TarEntry Entry, byte[] Data)> Read(Stream stream)
    {
        var list = new List<(TarEntry, byte[])>();
        using var reader = new TarReader(stream, leaveOpen: true);
        while (reader.GetNextEntry(copyData: true) is { } e)
        {
            var data = new MemoryStream();
            e.DataStream?.CopyTo(data);
            list.Add((e, data.ToArray()));
        }
        return list;
    }

    [Fact]
    public void Container_files_keep_their_mode_and_owner_and_land_relative_to_root()
    {
        var files = new[]
        {
            new ContainerFile("/etc/koji-hub/hub.conf", "[hub]\n"u8.ToArray(), 0b110_100_000, 0, 33),
            new ContainerFile("/usr/local/bin/run", "#!/bin/sh\n"u8.ToArray(), 0b111_101_101),
        };

        using var tar = FileArchive.Tar(files);
        var entries = Read(tar);

        Assert.Equal(["etc/koji-hub/hub.conf", "usr/local/bin/run"], entries.Select(e => e.Entry.Name));
        var hub = entries[0].Entry;
        Assert.Equal((UnixFileMode)0b110_100_000, hub.Mode);
        Assert.Equal(0, hub.Uid);
        Assert.Equal(33, hub.Gid);
        Assert.Equal("[hub]\n"u8.ToArray(), entries[0].Data);
        Assert.Equal((UnixFileMode)0b111_101_101, entries[1].Entry.Mode);
        Assert.All(entries, e => Assert.Equal(TarEntryType.RegularFile, e.Entry.EntryType));
    }

    [Fact]
    public void A_relative_container_path_is_refused()
    {
        Assert.Throws<FarmException>(() => FileArchive.Tar([new ContainerFile("etc/x", [], 0b110_100_100)]));
    }

    [Fact]
    public void Build_context_holds_the_recipe_extra_files_and_extra_folders()
    {
        var root = Directory.CreateTempSubdirectory("koji-farm-ctx-");
        try
        {
            var recipe = Directory.CreateDirectory(Path.Combine(root.FullName, "images", "r"));
            File.WriteAllText(Path.Combine(recipe.FullName, "Dockerfile"), "FROM scratch\n");
            Directory.CreateDirectory(Path.Combine(recipe.FullName, "bin"));
            var script = Path.Combine(recipe.FullName, "bin", "entry");
            File.WriteAllText(script, "#!/bin/sh\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
            var common = Directory.CreateDirectory(Path.Combine(root.FullName, "common"));
            File.WriteAllText(Path.Combine(common.FullName, "health"), "ok\n");
            var source = Directory.CreateDirectory(Path.Combine(root.FullName, "koji"));
            File.WriteAllText(Path.Combine(source.FullName, "setup.py"), "# koji\n");
            var single = Path.Combine(root.FullName, "ca.crt");
            File.WriteAllText(single, "CA\n");
            var image = new ImageSpec("t:1", "r", new Dictionary<string, string>(), new Dictionary<string, string>
            {
                ["common"] = common.FullName,
                ["koji-src.tar.gz"] = source.FullName,
                ["certs/ca.crt"] = single,
            });

            using var context = FileArchive.BuildContext(image, Path.Combine(root.FullName, "images"));
            var entries = Read(context);

            Assert.Equal(["Dockerfile", "bin/entry", "certs/ca.crt", "common/health", "koji-src.tar.gz"], entries.Select(e => e.Entry.Name));
            Assert.Equal((UnixFileMode)0b111_101_101, entries[1].Entry.Mode);
            using var gz = new GZipStream(new MemoryStream(entries[4].Data), CompressionMode.Decompress);
            var inner = Read(gz);
            Assert.Equal(["koji-src/setup.py"], inner.Select(e => e.Entry.Name));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_missing_recipe_or_extra_source_is_named()
    {
        var image = new ImageSpec("t:1", "nope", new Dictionary<string, string>(), new Dictionary<string, string>());

        var e = Assert.Throws<FarmException>(() => FileArchive.BuildContext(image, "/nonexistent-images"));

        Assert.Contains("/nonexistent-images/nope", e.Message);
    }

    [Theory]
    [InlineData("koji-src.tar.gz", "koji-src")]
    [InlineData("sub/koji.tgz", "koji")]
    [InlineData("common", null)]
    public void Archive_keys_give_the_top_folder(string key, string? top)
    {
        Assert.Equal(top, FileArchive.TopFolderOf(key));
    }
}
