using System.Formats.Tar;
using System.IO.Compression;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// Tar streams for the engine: a container's files (with their mode and owner, extracted at /) and
/// an image's build context (a recipe folder plus extra files and folders).
/// </summary>
public static class FileArchive
{
    private const UnixFileMode DefaultFileMode = FileModes.Public;

    /// <summary>
    /// One entry per file, absolute paths made relative to /. No directory entries: the engine makes
    /// missing parents (root, 0755) and an entry for an existing folder such as /etc would re-own it.
    /// </summary>
    public static MemoryStream Tar(IEnumerable<ContainerFile> files)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var f in files)
            {
                var name = f.Path.TrimStart('/');
                if (name.Length == 0 || f.Path[0] != '/')
                    throw new FarmException($"file path {f.Path} must be absolute");
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = (UnixFileMode)f.Mode,
                    Uid = f.Uid,
                    Gid = f.Gid,
                    ModificationTime = DateTimeOffset.UtcNow,
                    DataStream = new MemoryStream(f.Content, writable: false),
                });
            }
        }
        stream.Position = 0;
        return stream;
    }

    /// <summary>
    /// The build context of an image: the recipe folder's files at the top, then each extra entry at
    /// its key. A file goes in as it is. A folder goes in as a tree under the key, or, when the key
    /// ends in .tar.gz or .tgz, packed as a gzipped tar whose top folder is the key without that
    /// ending (`koji-src.tar.gz` holds `koji-src/...`). The stream is a temporary file, deleted on close.
    /// </summary>
    public static Stream BuildContext(ImageSpec image, string imagesRoot)
    {
        var recipeDir = Path.Combine(imagesRoot, image.Recipe);
        if (!Directory.Exists(recipeDir))
            throw new FarmException($"image {image.Reference}: recipe folder {recipeDir} not found (is infra/images complete?)");
        if (!File.Exists(Path.Combine(recipeDir, "Dockerfile")))
            throw new FarmException($"image {image.Reference}: recipe folder {recipeDir} has no Dockerfile");

        var stream = TempFile();
        try
        {
            using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
            {
                AddTree(tar, "", recipeDir);
                foreach (var (key, source) in image.ExtraContext.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    var inContext = key.Trim('/');
                    if (File.Exists(source))
                        AddFile(tar, inContext, source);
                    else if (Directory.Exists(source) && TopFolderOf(inContext) is { } top)
                    {
                        using var packed = TarGz(source, top);
                        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, inContext)
                        {
                            Mode = DefaultFileMode, ModificationTime = DateTimeOffset.UnixEpoch, DataStream = packed,
                        });
                    }
                    else if (Directory.Exists(source))
                        AddTree(tar, inContext + "/", source);
                    else
                        throw new FarmException($"image {image.Reference}: extra build context {key} = {source}: no such file or folder");
                }
            }
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>`koji-src.tar.gz` → `koji-src`; null when the key is not an archive name.</summary>
    internal static string? TopFolderOf(string key)
    {
        var name = Path.GetFileName(key);
        foreach (var ending in new[] { ".tar.gz", ".tgz" })
            if (name.EndsWith(ending, StringComparison.Ordinal) && name.Length > ending.Length)
                return name[..^ending.Length];
        return null;
    }

    private static Stream TarGz(string dir, string top)
    {
        var stream = TempFile();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
            AddTree(tar, top + "/", dir);
        stream.Position = 0;
        return stream;
    }

    private static void AddTree(TarWriter tar, string prefix, string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => (rel: Path.GetRelativePath(dir, f).Replace('\\', '/'), full: f))
            .Where(f => !f.rel.StartsWith(".git/", StringComparison.Ordinal) && !f.rel.Contains("/.git/", StringComparison.Ordinal))
            .OrderBy(f => f.rel, StringComparer.Ordinal);
        foreach (var (rel, full) in files)
            AddFile(tar, prefix + rel, full);
    }

    private static void AddFile(TarWriter tar, string name, string path)
    {
        using var data = File.OpenRead(path);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            // Executable bits matter to entrypoint scripts; nothing else of the file but its content
            // goes in (a read-only copy, a newer copy: the same image, as its tag says).
            Mode = OperatingSystem.IsWindows() ? DefaultFileMode : FileModes.InContext(path),
            ModificationTime = DateTimeOffset.UnixEpoch,
            DataStream = data,
        });
    }

    private static FileStream TempFile() =>
        new(Path.Combine(Path.GetTempPath(), $"koji-farm-{Guid.NewGuid():N}.tar"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose);
}
