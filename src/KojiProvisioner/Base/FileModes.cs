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
}
