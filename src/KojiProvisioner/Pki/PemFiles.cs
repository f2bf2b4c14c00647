using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KojiProvisioner.Pki;

/// <summary>Reads and writes the PEM files of the PKI folder, keeping keys owner-only at all times.</summary>
internal static class PemFiles
{
    private const UnixFileMode OwnerOnlyFile = FileModes.Private;
    private const UnixFileMode OwnerOnlyDirectory = FileModes.PrivateDirectory;

    /// <summary>Creates the folder as 0700, or tightens an existing one to 0700.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
            if (File.GetUnixFileMode(path) != OwnerOnlyDirectory)
                File.SetUnixFileMode(path, OwnerOnlyDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"cannot create or restrict the folder {path}: {ex.Message}", path, ex);
        }
    }

    /// <summary>A key copied in or chmod-ed by hand may be readable by others; reset it to 0600.</summary>
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if (File.GetUnixFileMode(path) != OwnerOnlyFile)
                File.SetUnixFileMode(path, OwnerOnlyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"cannot set mode 0600 on {path}: {ex.Message}", path, ex);
        }
    }

    /// <summary>Writes whole or not at all (see <see cref="AtomicFile"/>); a key is 0600 from its first byte.</summary>
    public static void WriteAtomically(string path, string content, bool secret)
    {
        try
        {
            AtomicFile.Write(path, content, secret);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"cannot write {path}: {ex.Message}", path, ex);
        }
    }

    /// <summary>Temp files of an interrupted run may hold key bytes; nothing else uses them.</summary>
    public static void RemoveStaleTempFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, ".*" + AtomicFile.TempSuffix))
            TryDelete(file);
    }

    public static X509Certificate2 ReadCertificate(string path, string remedy)
    {
        var text = ReadText(path);
        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new PkiException($"{path} is not a readable PEM certificate ({ex.Message}). {remedy}", path, ex);
        }
    }

    /// <summary>An RSA or ECDSA private key.</summary>
    public static AsymmetricAlgorithm ReadKey(string path, string remedy)
    {
        var text = ReadText(path);
        try
        {
            return Keys.ImportPem(text);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new PkiException($"{path} is not a readable unencrypted PEM RSA or ECDSA private key ({ex.Message}). {remedy}", path, ex);
        }
    }

    public static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string ToPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"cannot read {path}: {ex.Message}. Fix its permissions, or delete it to have it regenerated.", path, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: the next run removes leftovers again
        }
    }
}
