namespace KojiProvisioner.Content;

/// <summary>
/// Keeps `include:` and `flocks:` inside the folder of the top content file. A content file can
/// come from a pull request and be run through `content diff` in CI; if it could name any file the
/// job can read, the CA key or the DB password would end up in the job log. So: no absolute paths,
/// no `..` out of the folder, and a symlink that points out counts as out.
/// </summary>
public sealed class IncludeConfinement
{
    private readonly string _root;
    private readonly string _realRoot;

    public IncludeConfinement(string rootFolder)
    {
        _root = Path.GetFullPath(rootFolder.Length == 0 ? "." : rootFolder);
        _realRoot = RealPath(_root);
    }

    /// <summary>The folder everything must stay in.</summary>
    public string Root => _root;

    /// <summary>
    /// Resolves <paramref name="given"/> (as written in <paramref name="file"/> under <paramref name="key"/>)
    /// against the including file's folder; throws naming the file, line and key when it leaves the root.
    /// </summary>
    public string Resolve(string file, int line, string key, string baseDirectory, string given)
    {
        ContentException Out(string why) =>
            new($"{file}:{line}: content: {key}: {why}: files must be inside {_root} (the folder of the top content file)");

        if (Path.IsPathRooted(given))
            throw Out("absolute paths are not allowed");
        if (given.Any(char.IsControl))
            throw Out("the path holds control characters");
        var baseDir = baseDirectory.Length == 0 ? _root : Path.GetFullPath(baseDirectory);
        var full = Path.GetFullPath(Path.Combine(baseDir, given));
        if (!Inside(_root, full))
            throw Out($"'{given}' leads out of the folder");
        if (Path.Exists(full) && !Inside(_realRoot, RealPath(full)))
            throw Out($"'{given}' is a symlink (or under one) that points out of the folder");
        // Paths in messages stay as relative as the user gave them.
        return baseDirectory.Length == 0 ? given : Path.Combine(baseDirectory, given);
    }

    private static bool Inside(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative == "." || (!Path.IsPathRooted(relative) && relative != ".." &&
            !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    /// <summary>The path with every symlink along it resolved (like realpath(3)).</summary>
    public static string RealPath(string path, int depth = 0)
    {
        if (depth > 40)
            throw new ContentException($"{path}: too many levels of symbolic links");
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
                next = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            current = next;
        }
        return current;
    }
}
