namespace KojiProvisioner.Farm;

/// <summary>
/// `down --purge` deletes the state folder: only one koji-farm made. A folder without the marker
/// <see cref="StateFolder"/> writes when it creates the folder, the file system root, a home folder,
/// or the stack file's own folder or an ancestor of it is refused, whatever the stack says.
/// </summary>
public static class PurgeGuard
{
    /// <summary>Null when <paramref name="stateDirectory"/> may be deleted, else why not.</summary>
    public static string? Refusal(string stateDirectory, string stackFile, string? home = null)
    {
        var state = Normalize(stateDirectory);
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (Path.GetPathRoot(state) == state || Path.GetPathRoot(state)!.TrimEnd(Path.DirectorySeparatorChar) == state)
            return "it is the root of the file system";
        if (home.Length > 0 && (SameOrAncestor(state, Normalize(home))))
            return "it is a home folder (or holds one)";
        if (IsHomeLike(state))
            return "it is a home folder";
        var stackDir = Normalize(Path.GetDirectoryName(Path.GetFullPath(stackFile))!);
        if (SameOrAncestor(state, stackDir))
            return "it is the stack file's own folder (or holds it)";
        if (!Directory.Exists(state))
            return null;
        if (!File.Exists(Path.Combine(state, StateFolder.MarkerName)))
            return $"koji-farm did not make it (there is no {StateFolder.MarkerName} marker in it)";
        return null;
    }

    /// <summary>Throws exit 2 naming the path when the folder must not be purged.</summary>
    public static void Check(string stateDirectory, string stackFile)
    {
        if (Refusal(stateDirectory, stackFile) is { } why)
            throw new InputException($"refusing to purge the state folder {Normalize(stateDirectory)}: {why}; nothing was removed (remove it by hand if you mean it)");
    }

    private static bool IsHomeLike(string path)
    {
        var parent = Path.GetDirectoryName(path);
        return path is "/root" || parent is "/home" or "/Users";
    }

    private static bool SameOrAncestor(string candidate, string of)
    {
        if (candidate == of)
            return true;
        var relative = Path.GetRelativePath(candidate, of);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    private static string Normalize(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        return full.Length > root.Length ? full.TrimEnd(Path.DirectorySeparatorChar) : full;
    }
}
