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

    public string Path => path;
    public bool Exists => Directory.Exists(path);

    public void Create()
    {
        Directory.CreateDirectory(path, PrivateDir);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "secrets"), PrivateDir);
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
                var target = System.IO.Path.Combine(temp, System.IO.Path.GetRelativePath(path, file));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        return new StateFolder(temp);
    }
}
