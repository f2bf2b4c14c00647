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
    public string Path => path;
    public bool Exists => Directory.Exists(path);
    public bool ReadOnly => readOnly;

    /// <summary>The same folder, for reads that must change nothing.</summary>
    public static StateFolder ReadOnlyAt(string path) => new(path, readOnly: true);

    public void Create()
    {
        if (readOnly)
            return;
        Directory.CreateDirectory(path, FileModes.PrivateDirectory);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "secrets"), FileModes.PrivateDirectory);
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
