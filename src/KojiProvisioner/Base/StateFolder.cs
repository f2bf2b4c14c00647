using System.Security.Cryptography;

namespace KojiProvisioner;

/// <summary>
/// The stack's state folder: the company CA, keys and generated passwords. Mode 0700; every secret
/// file 0600 from the moment it exists, written whole (temp file + rename) so an interrupted run
/// never leaves half a password behind. A read-only folder (preview, status) is read in place and
/// never written: what is missing is made in memory and forgotten.
/// </summary>
public sealed class StateFolder(string path, bool readOnly = false)
{
    /// <summary>Written when koji-farm creates the folder: `down --purge` deletes only folders that carry it.</summary>
    public const string MarkerName = ".koji-farm-state";

    /// <summary>What the farm is made from (Farm/FarmInputs): its Koji and mock sources and their images.</summary>
    public const string InputsName = "inputs.json";

    /// <summary>Fingerprints of the farms this folder adopted (`up --adopt`), one a line.</summary>
    public const string AdoptedFarmsName = "adopted-farms";

    /// <summary>What koji-farm itself puts in a state folder; a folder holding only these is one it made.</summary>
    private static readonly HashSet<string> OwnEntries = new(StringComparer.Ordinal)
    {
        "pki", "secrets", "client", "known-hosts.json", "remote-hosts.json", MarkerName, StateFolderLock.FileName, StateFolderLock.OwnerFileName, AdoptedFarmsName, InputsName,
    };

    public string Path => path;
    public bool Exists => Directory.Exists(path);
    public bool ReadOnly => readOnly;
    public bool HasMarker => File.Exists(System.IO.Path.Combine(path, MarkerName));

    /// <summary>The same folder, for reads that must change nothing.</summary>
    public static StateFolder ReadOnlyAt(string path) => new(path, readOnly: true);

    public void Create()
    {
        if (readOnly)
            return;
        // A folder that did not exist, was empty, or holds only koji-farm's own files (one made
        // before the marker existed) is koji-farm's; any other folder named as stateDir is the
        // user's, and never gets the marker, so purge will not delete it.
        var ours = !Directory.Exists(path) || Directory.EnumerateFileSystemEntries(path)
            .All(e => OwnEntries.Contains(System.IO.Path.GetFileName(e)) || e.EndsWith(".tmp", StringComparison.Ordinal));
        Directory.CreateDirectory(path, FileModes.PrivateDirectory);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "secrets"), FileModes.PrivateDirectory);
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
        // URL- and config-safe: no characters that need quoting in hub.conf or a connection string.
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
        if (readOnly)
            return value;
        Create();
        WritePrivate(file, value + "\n");
        return value;
    }

    /// <summary>Writes a secret file whole, 0600 from its first byte.</summary>
    public static void WritePrivate(string file, string content) => AtomicFile.Write(file, content, secret: true);
}
