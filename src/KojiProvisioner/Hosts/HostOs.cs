namespace KojiProvisioner.Hosts;

/// <summary>The package manager a remote builder's OS is set up with.</summary>
public enum PackageManager
{
    Apt,
    Dnf,
    Yum,
    Swupd,
}

/// <summary>A remote host's OS as /etc/os-release describes it, and how koji-farm installs kojid there.</summary>
public sealed record HostOs(string Id, string VersionId, string PrettyName, PackageManager Packages)
{
    public const string Supported = "Debian, Ubuntu (apt), Fedora, CentOS, RHEL and their rebuilds (dnf/yum), Clear Linux (swupd)";

    /// <summary>Reads os-release text (`KEY=value` lines, values optionally quoted); ID first, then ID_LIKE.</summary>
    public static HostOs Parse(string hostName, string osRelease)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in osRelease.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=');
            if (line.StartsWith('#') || eq <= 0)
                continue;
            fields[line[..eq]] = line[(eq + 1)..].Trim().Trim('"', '\'');
        }
        var id = fields.GetValueOrDefault("ID", "").ToLowerInvariant();
        var version = fields.GetValueOrDefault("VERSION_ID", "");
        var pretty = fields.GetValueOrDefault("PRETTY_NAME", id.Length > 0 ? $"{id} {version}".Trim() : "an unknown OS");
        var candidates = new[] { id }.Concat(fields.GetValueOrDefault("ID_LIKE", "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var candidate in candidates)
        {
            PackageManager? packages = candidate switch
            {
                "debian" or "ubuntu" => PackageManager.Apt,
                "fedora" => PackageManager.Dnf,
                "rhel" or "centos" => MajorVersion(version) is > 0 and < 8 ? PackageManager.Yum : PackageManager.Dnf,
                "clear-linux-os" => PackageManager.Swupd,
                _ => null,
            };
            if (packages is { } p)
                return new HostOs(id, version, pretty, p);
        }
        throw new FarmException($"host {hostName}: unsupported OS '{pretty}' (from /etc/os-release); supported are {Supported}");
    }

    private static int MajorVersion(string version) =>
        int.TryParse(version.Split('.')[0], out var major) ? major : 0;
}
