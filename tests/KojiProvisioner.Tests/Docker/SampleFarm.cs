using System.Text;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Tests.Docker;

/// <summary>Plans and engine states built by hand, shaped like a real farm: db, hub, web, kojira, builders.</summary>
internal static class SampleFarm
{
    public const string KojiImage = "koji-farm/koji:0123456789ab";
    public const string DbImage = "koji-farm/db:ba9876543210";

    public static FarmPlan Plan(string stack = "demo", int builders = 2, Func<ContainerSpec, ContainerSpec>? change = null)
    {
        var health = new HealthCheck(["CMD", "true"], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, TimeSpan.Zero);
        ContainerSpec Make(string role, string name, string image, params string[] dependsOn) => new(
            name, role, image, [role], [role], new Dictionary<string, string> { ["ROLE"] = role },
            [new Mount($"koji-farm-{stack}-mnt-koji", "/mnt/koji", role == Roles.Builder)], [], health, "unless-stopped",
            false, dependsOn, [new ContainerFile($"/etc/{role}.conf", Encoding.UTF8.GetBytes($"[{role}]\n"), 0b110_100_100)]);

        var containers = new List<ContainerSpec>
        {
            Make(Roles.Db, $"{stack}-db", DbImage),
            Make(Roles.Hub, $"{stack}-hub", KojiImage, $"{stack}-db"),
            Make(Roles.Web, $"{stack}-web", KojiImage, $"{stack}-hub"),
            Make(Roles.Kojira, $"{stack}-kojira", KojiImage, $"{stack}-hub"),
        };
        for (var i = 1; i <= builders; i++)
            containers.Add(Make(Roles.Builder, $"{stack}-builder-{i}", KojiImage, $"{stack}-hub"));
        var hashed = containers.Select(c => change?.Invoke(c) ?? c).Select(c => c with { ConfigHash = ConfigHash.Of(c) }).ToList();
        var empty = new Dictionary<string, string>();
        return new FarmPlan(stack, new NetworkSpec($"koji-farm-{stack}"),
            [new VolumeSpec($"koji-farm-{stack}-db", "db"), new VolumeSpec($"koji-farm-{stack}-mnt-koji", "koji")],
            [new ImageSpec(DbImage, "db", empty, empty), new ImageSpec(KojiImage, "koji-packages", empty, empty)],
            hashed);
    }

    /// <summary>The engine state after a successful up of <paramref name="plan"/>: all running and healthy.</summary>
    public static ObservedFarm Converged(FarmPlan plan) => new(
        plan.Stack,
        plan.Containers.Select(c => Running(c)).ToList(),
        [plan.Network.Name],
        plan.Volumes.Select(v => v.Name).ToList(),
        plan.Images.ToDictionary(i => i.Reference, i => ImageId(i.Reference)));

    public static ObservedContainer Running(ContainerSpec c) =>
        new($"id-{c.Name}", c.Name, c.Role, c.ConfigHash, ImageId(c.Image), ContainerStates.Running, "healthy", EverStarted: true);

    public static string ImageId(string reference) => $"sha256:{Convert.ToHexStringLower(Encoding.UTF8.GetBytes(reference))}";
}
