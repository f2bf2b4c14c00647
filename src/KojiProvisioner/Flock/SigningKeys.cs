namespace KojiProvisioner.Flock;

/// <summary>
/// One company signing key: its OpenPGP fingerprint, the public key (armored) and where its
/// private key is kept. <see cref="Sigkey"/> is how Koji names its signatures.
/// </summary>
public sealed record SigningKey(string Fingerprint, string PublicKey, string SecretFile, DateTimeOffset Created, bool Current)
{
    /// <summary>The long key id (16 hex digits), as gpg and rpm print it.</summary>
    public string KeyId => Fingerprint[^16..];

    /// <summary>Koji's sigkey: the last 8 hex digits of the key id, lowercase.</summary>
    public string Sigkey => Fingerprint[^8..].ToLowerInvariant();

    /// <summary>The file name the public key is published under in /kojifiles/keys/ (this key alone).</summary>
    public string PublishedName(string stack) => $"{stack}-{Sigkey}.asc";
}

/// <summary>
/// The company's signing keys in the state folder (secrets/signing/, folder 0700, files 0600), so
/// `backup` carries them and `restore` puts them back: FINGERPRINT.key (the armored private key),
/// FINGERPRINT.asc (the public key) and <c>current</c> (the fingerprint that signs from now on).
/// Old keys stay: their signatures stay valid, and dist repos still accept them.
/// </summary>
public sealed class SigningKeys(string stateDir)
{
    public const string Folder = "signing";
    private const string CurrentFile = "current";

    public string Path => System.IO.Path.Combine(stateDir, "secrets", Folder);

    /// <summary>Every key, the current one first, then the newest older ones.</summary>
    public IReadOnlyList<SigningKey> All()
    {
        if (!Directory.Exists(Path))
            return [];
        var currentFile = System.IO.Path.Combine(Path, CurrentFile);
        var current = File.Exists(currentFile) ? File.ReadAllText(currentFile).Trim() : null;
        return Directory.EnumerateFiles(Path, "*.asc")
            .Select(f => (fpr: System.IO.Path.GetFileNameWithoutExtension(f), file: f))
            .Where(k => File.Exists(System.IO.Path.Combine(Path, k.fpr + ".key")))
            .Select(k => new SigningKey(k.fpr, File.ReadAllText(k.file), System.IO.Path.Combine(Path, k.fpr + ".key"),
                new DateTimeOffset(File.GetLastWriteTimeUtc(k.file), TimeSpan.Zero), k.fpr == current))
            .OrderByDescending(k => k.Current).ThenByDescending(k => k.Created).ThenBy(k => k.Fingerprint, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The key that signs now, or null when none was made yet.</summary>
    public SigningKey? Current => All().FirstOrDefault(k => k.Current);

    /// <summary>Keeps a new key and makes it the current one.</summary>
    public SigningKey Add(string fingerprint, string publicKey, string secretKey)
    {
        if (fingerprint.Length < 16 || !fingerprint.All(Uri.IsHexDigit))
            throw new FarmException($"gpg gave an unexpected fingerprint '{fingerprint}'");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!, FileModes.PrivateDirectory);
        Directory.CreateDirectory(Path, FileModes.PrivateDirectory);
        AtomicFile.Write(System.IO.Path.Combine(Path, fingerprint + ".key"), secretKey, secret: true);
        AtomicFile.Write(System.IO.Path.Combine(Path, fingerprint + ".asc"), publicKey, secret: true);
        AtomicFile.Write(System.IO.Path.Combine(Path, CurrentFile), fingerprint + "\n", secret: true);
        return All().Single(k => k.Fingerprint == fingerprint);
    }
}
