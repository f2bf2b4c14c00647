namespace KojiProvisioner;

/// <summary>The file modes koji-farm gives what it writes, here and in containers and on hosts.</summary>
public static class FileModes
{
    /// <summary>0600: keys, passwords, anything secret.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    /// <summary>0700: folders holding secrets.</summary>
    public const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    /// <summary>0640: secrets a service's group reads (httpd).</summary>
    public const UnixFileMode GroupReadable = Private | UnixFileMode.GroupRead;
    /// <summary>0644: configs and certificates.</summary>
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    /// <summary>0755: programs.</summary>
    public const UnixFileMode Executable = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// The mode a file goes into an image's build context with, and is hashed by: 0755 when any
    /// execute bit is set, else 0644. A read-only copy of a tarball is the same input as a writable one.
    /// </summary>
    public static UnixFileMode InContext(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0
            ? Executable : Public;
}
