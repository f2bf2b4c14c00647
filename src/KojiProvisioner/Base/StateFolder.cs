using System.Security.Cryptography;

namespace KojiProvisioner;

/// <summary>
/// The stack's state folder: the company CA, keys and generated passwords. Mode 0700; every secret
/// file 0600 from the moment it exists, written whole (temp file + rename) so an interrupted run
/// never leaves half a password behind. A read-only folder (preview, status) is read in place and
/// never written: what is missing is made in memory and forgotten. A deferred one (`up`'s plan) is
/// read in place too, and what it lacks is kept in <see cref="Pending"/> until <see cref="Commit"/>.
/// </summary>
public sealed class StateFolder(string path, bool readOnly = false, StateWrites? pending = null)
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

    private readonly Dictionary<string, string> _madeInMemory = new(StringComparer.Ordinal);

    /// <summary>The same folder, for reads that must change nothing.</summary>
    public static StateFolder ReadOnlyAt(string path) => new(path, readOnly: true);

    /// <summary>The same folder for a plan: read in place, and what is missing is made into <see cref="Pending"/>.</summary>
    public static StateFolder DeferredAt(string path) => new(path, readOnly: true, new StateWrites());

    /// <summary>What a deferred folder would write (null for the other kinds).</summary>
    public StateWrites? Pending => pending;

    /// <summary>Makes a deferred folder real: the folder with its marker, then every pending file.</summary>
    public void Commit()
    {
        if (pending is null)
            throw new InvalidOperationException("only a deferred state folder has writes to commit");
        new StateFolder(path).Create();
        pending.Commit();
    }

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
        lock (_madeInMemory)
        {
            if (_madeInMemory.TryGetValue(name, out var made))
                return made;
        }
        // URL- and config-safe: no characters that need quoting in hub.conf or a connection string.
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
        if (readOnly)
        {
            lock (_madeInMemory)
                _madeInMemory[name] = value; // asked again, the same value
            pending?.Add(file, value + "\n", secret: true);
            return value;
        }
        Create();
        WritePrivate(file, value + "\n");
        return value;
    }

    /// <summary>Writes a secret file whole, 0600 from its first byte.</summary>
    public static void WritePrivate(string file, string content) => AtomicFile.Write(file, content, secret: true);
}
