using System.Security.Cryptography;

namespace KojiProvisioner;

/// <summary>
/// The stack's state folder: the company CA, keys and generated passwords. Mode 0700; every secret
/// file 0600 from the moment it exists, written whole (temp file + rename) so an interrupted run
/// never leaves half a password behind.
/// </summary>
public sealed class StateFolder(string path)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    /// <summary>Written when koji-farm creates the folder: `down --purge` deletes only folders that carry it.</summary>
    public const string MarkerName = ".koji-farm-state";

    /// <summary>Fingerprints of the farms this folder adopted (`up --adopt`), one a line.</summary>
    public const string AdoptedFarmsName = "adopted-farms";

    /// <summary>What koji-farm itself puts in a state folder; a folder holding only these is one it made.</summary>
    private static readonly HashSet<string> OwnEntries = new(StringComparer.Ordinal)
    {
        "pki", "secrets", "client", "known-hosts.json", "remote-hosts.json", MarkerName, StateFolderLock.FileName, StateFolderLock.OwnerFileName, AdoptedFarmsName,
    };

    public string Path => path;
    public bool Exists => Directory.Exists(path);
    public bool HasMarker => File.Exists(System.IO.Path.Combine(path, MarkerName));

    public void Create()
    {
        // A folder that did not exist, was empty, or holds only koji-farm's own files (one made
        // before the marker existed) is koji-farm's; any other folder named as stateDir is the
        // user's, and never gets the marker, so purge will not delete it.
        var ours = !Directory.Exists(path) || Directory.EnumerateFileSystemEntries(path)
            .All(e => OwnEntries.Contains(System.IO.Path.GetFileName(e)) || e.EndsWith(".tmp", StringComparison.Ordinal));
        Directory.CreateDirectory(path, PrivateDir);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "secrets"), PrivateDir);
        if (ours && !HasMarker)
            AtomicFile.Write(System.IO.Path.Combine(path, MarkerName), "This folder is a koji-farm state folder (the farm's CA, keys and passwords).\n`koji-farm down --purge` deletes it; keep it, and back it up, as long as the farm lives.\n", secret: false);
    }

    /// <summary>The secret named <paramref name="name"/>, made on first use and reused after.</summary>
    public string Secret(string name, int bytes = 24)
    {
        var file = System.IO.Path.Combine(path, "secrets", name);
        if (File.Exists(file))
        {
            var existing = File.ReadAllText(file).Trim();
            if (existing.Length > 0)
                return existing;
        }
        Create();
        // URL- and config-safe: no characters that need quoting in hub.conf or a connection string.
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
        WritePrivate(file, value + "\n");
        return value;
    }

    /// <summary>Writes a secret file whole, 0600 from its first byte.</summary>
    public static void WritePrivate(string file, string content) => AtomicFile.Write(file, content, secret: true);

    /// <summary>A throwaway copy, for previews that must not change the real folder.</summary>
    public StateFolder CopyToTemp()
    {
        var temp = Directory.CreateTempSubdirectory("koji-farm-preview-").FullName;
        if (Exists)
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                // The lock belongs to the folder, not to its copy (and a held one cannot be opened).
                if (System.IO.Path.GetDirectoryName(file) == path && System.IO.Path.GetFileName(file) is StateFolderLock.FileName or StateFolderLock.OwnerFileName)
                    continue;
                var target = System.IO.Path.Combine(temp, System.IO.Path.GetRelativePath(path, file));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        return new StateFolder(temp);
    }
}
