using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KojiProvisioner.Farm;

/// <summary>
/// A stable hash of a container's definition. Dependencies are left out (adding a builder must not
/// recreate the hub); dictionaries are sorted ordinally so key order never changes the hash.
/// </summary>
public static class ConfigHash
{
    public static string Of(ContainerSpec c)
    {
        var canonical = new
        {
            c.Image,
            c.Command,
            c.Aliases,
            Environment = c.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new[] { e.Key, e.Value }),
            Mounts = c.Mounts.Select(m => new { m.Volume, m.Target, m.ReadOnly }),
            Ports = c.Ports.Select(p => new { p.HostIp, p.HostPort, p.ContainerPort }),
            Health = new { c.Health.Test, Interval = c.Health.Interval.TotalSeconds, Timeout = c.Health.Timeout.TotalSeconds, c.Health.Retries, StartPeriod = c.Health.StartPeriod.TotalSeconds },
            c.RestartPolicy,
            c.Privileged,
            Files = c.Files.OrderBy(f => f.Path, StringComparer.Ordinal)
                .Select(f => new { f.Path, f.Mode, f.Uid, f.Gid, Sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Content)) }),
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(canonical);
        // Only when set, so containers without added capabilities keep their hash.
        if (c.CapAdd.Count > 0)
            json = [.. json, .. JsonSerializer.SerializeToUtf8Bytes(new { c.CapAdd })];
        return Convert.ToHexStringLower(SHA256.HashData(json))[..16];
    }
}
