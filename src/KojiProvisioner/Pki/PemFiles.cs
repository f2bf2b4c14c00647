using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KojiProvisioner.Pki;

/// <summary>Reads and writes the PEM files of the PKI folder, keeping keys owner-only at all times.</summary>
internal static class PemFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicFile = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private const string TempSuffix = ".tmp";

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

    /// <summary>
    /// Writes through a temp file in the same folder and renames it over the target, so a reader
    /// (or an interrupted run) sees the old file or the new one, never half of one. A secret file
    /// is created 0600 before any byte is written.
    /// </summary>
    public static void WriteAtomically(string path, string content, bool secret)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = secret ? OwnerOnlyFile : PublicFile;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new PkiException($"cannot write {path}: {ex.Message}", path, ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Temp files of an interrupted run may hold key bytes; nothing else uses them.</summary>
    public static void RemoveStaleTempFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, ".*" + TempSuffix))
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

    public static RSA ReadRsaKey(string path, string remedy)
    {
        var text = ReadText(path);
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(text);
            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new PkiException($"{path} is not a readable unencrypted PEM RSA private key ({ex.Message}). {remedy}", path, ex);
        }
    }

    public static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string ToPem(RSA key) => key.ExportPkcs8PrivateKeyPem() + "\n";

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
