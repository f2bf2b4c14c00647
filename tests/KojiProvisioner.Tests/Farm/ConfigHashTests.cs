using System.Security.Cryptography;
using System.Text.Json;
using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

/// <summary>
/// Running farms carry each container's config hash: a hash that changed with a new koji-farm
/// would recreate every container of every farm on its first `up`. The hash is checked here
/// against the way earlier versions made it (System.Text.Json of an anonymous object).
/// </summary>
public sealed class ConfigHashTests
{
    public static TheoryData<string> Farms => new() { "demo", "mock builders", "odd values" };

    [Theory]
    [MemberData(nameof(Farms))]
    public void Every_container_keeps_the_hash_earlier_versions_gave_it(string farm)
    {
        var plan = TestFarm.Plan(TestFarm.Stack(builders: 2));
        var containers = farm switch
        {
            "mock builders" => plan.Containers.Select(c => c.Role == Roles.Builder ? c with { CapAdd = ["SYS_ADMIN"] } : c),
            "odd values" => plan.Containers.Select(c => c with
            {
                // escaping (non-ASCII, HTML-sensitive, control characters) and doubles that are not whole
                Environment = new Dictionary<string, string>(c.Environment) { ["ORG"] = "Acmé <R&D> 'x' \"y\"\t+", ["Ü"] = "\u2028" },
                Health = c.Health with { Interval = TimeSpan.FromMilliseconds(1500), Timeout = TimeSpan.FromSeconds(1.0 / 3) },
                Command = [.. c.Command, "a\\b", "日本"],
                CapAdd = ["SYS_ADMIN", "NET_ADMIN"],
            }),
            _ => plan.Containers,
        };
        foreach (var c in containers)
            Assert.True(Earlier(c) == ConfigHash.Of(c), $"{c.Name}: {Earlier(c)} before, {ConfigHash.Of(c)} now");
    }

    [Fact]
    public void Any_changed_part_changes_the_hash()
    {
        var hub = TestFarm.Plan(TestFarm.Stack()).Container("demo-hub");
        var variants = new[]
        {
            hub with { Image = hub.Image + "x" },
            hub with { Command = [.. hub.Command, "x"] },
            hub with { Mounts = [.. hub.Mounts, new Mount("v", "/v", true)] },
            hub with { Ports = [new PublishedPort("127.0.0.1", 1, 443)] },
            hub with { Health = hub.Health with { Retries = hub.Health.Retries + 1 } },
            hub with { RestartPolicy = "no" },
            hub with { Privileged = !hub.Privileged },
            hub with { Files = [.. hub.Files, new ContainerFile("/x", [1], 0b110_100_100)] },
            hub with { CapAdd = ["SYS_ADMIN"] },
        };
        var hashes = variants.Select(ConfigHash.Of).Append(ConfigHash.Of(hub)).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void A_new_crl_keeps_the_hash_so_revoking_a_user_recreates_nothing()
    {
        var hub = TestFarm.Plan(TestFarm.Stack()).Container("demo-hub");
        Assert.Contains(hub.Files, f => f.Path == FarmPlanner.CrlPath && f.Live);
        var newCrl = hub with { Files = hub.Files.Select(f => f.Path == FarmPlanner.CrlPath ? f with { Content = [1, 2, 3] } : f).ToArray() };
        Assert.Equal(ConfigHash.Of(hub), ConfigHash.Of(newCrl));
    }

    /// <summary>How koji-farm 1.0 made the hash, kept as the reference.</summary>
    private static string Earlier(ContainerSpec c)
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
            Files = c.Files.Where(f => !f.Live).OrderBy(f => f.Path, StringComparer.Ordinal)
                .Select(f => new { f.Path, f.Mode, f.Uid, f.Gid, Sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Content)) }),
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(canonical);
        if (c.CapAdd.Count > 0)
            json = [.. json, .. JsonSerializer.SerializeToUtf8Bytes(new { c.CapAdd })];
        return Convert.ToHexStringLower(SHA256.HashData(json))[..16];
    }
}
