using System.Text;

namespace KojiProvisioner;

/// <summary>
/// Writes a file through a temp file in the same folder and renames it over the target, so a reader
/// (or an interrupted run) sees the old file or the new one, never half of one. A secret file is
/// created 0600 before any byte is written. The temp name (<c>.NAME.GUID.tmp</c>) lets a later run
/// find and remove what an interrupted one left.
/// </summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";
    private const UnixFileMode OwnerOnly = FileModes.Private;
    private const UnixFileMode Public = FileModes.Public;

    /// <summary>Whether <paramref name="fileName"/> is a temp file that an interrupted <see cref="Write"/> of <paramref name="targetName"/> left.</summary>
    public static bool IsTempFileOf(string fileName, string targetName) =>
        fileName.StartsWith(TempPrefix(targetName), StringComparison.Ordinal) && fileName.EndsWith(TempSuffix, StringComparison.Ordinal);

    private static string TempPrefix(string targetName) => $".{targetName}.";

    public static void Write(string path, string content, bool secret)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(folder, $"{TempPrefix(Path.GetFileName(path))}{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = secret ? OwnerOnly : Public,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
