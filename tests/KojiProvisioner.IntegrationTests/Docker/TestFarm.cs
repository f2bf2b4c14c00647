using System.Text;
using KojiProvisioner.Farm;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>
/// Plans shaped like a Koji farm (db with a data volume, hub, web, builders) that run the sleeper
/// image: each container is healthy once the file its plan copies in exists. Health every second.
/// </summary>
public static class TestFarm
{
    public const string ReadyFile = "/etc/sleeper/ready";
    public const string DataMount = "/data";
    public const int Mode0644 = 0b110_100_100, Mode0640 = 0b110_100_000;

    public static FarmPlan Plan(string stack, int builders = 1, bool web = true, Func<ContainerSpec, ContainerSpec>? change = null)
    {
        var dataVolume = $"koji-farm-{stack}-data";
        var containers = new List<ContainerSpec> { Container(stack, Roles.Db, [], [new Mount(dataVolume, DataMount, false)]) };
        containers.Add(Container(stack, Roles.Hub, [$"{stack}-db"], [new Mount(dataVolume, DataMount, true)]));
        if (web)
            containers.Add(Container(stack, Roles.Web, [$"{stack}-hub"], []));
        for (var i = 1; i <= builders; i++)
            containers.Add(Container(stack, Roles.Builder, [$"{stack}-hub"], [], $"{stack}-builder-{i}"));
        var hashed = containers.Select(c => change?.Invoke(c) ?? c).Select(c => c with { ConfigHash = ConfigHash.Of(c) }).ToList();
        return new FarmPlan(stack, new NetworkSpec($"koji-farm-{stack}"), [new VolumeSpec(dataVolume, "test data")],
            [TestEngine.Sleeper], hashed);
    }

    public static ContainerSpec Container(string stack, string role, IReadOnlyList<string> dependsOn, IReadOnlyList<Mount> mounts,
        string? name = null) => new(
        name ?? $"{stack}-{role}", role, TestEngine.Sleeper.Reference,
        Command: [role],
        Aliases: [role],
        Environment: new Dictionary<string, string> { ["SLEEPER_ROLE"] = role },
        Mounts: mounts,
        Ports: [],
        Health: Ready,
        RestartPolicy: "unless-stopped",
        Privileged: false,
        DependsOn: dependsOn,
        Files:
        [
            new ContainerFile(ReadyFile, Encoding.UTF8.GetBytes($"{role} ready\n"), Mode0644),
            new ContainerFile($"/etc/sleeper/{role}.conf", Encoding.UTF8.GetBytes($"[{role}]\nsecret = s3cret\n"), Mode0640, 0, 33, Secret: true),
        ]);

    public static HealthCheck Ready { get; } =
        new(["CMD", "test", "-f", ReadyFile], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, TimeSpan.Zero);

    public static ContainerSpec WithFile(ContainerSpec c, string path, string text) =>
        c with { Files = [.. c.Files.Where(f => f.Path != path), new ContainerFile(path, Encoding.UTF8.GetBytes(text), Mode0644)] };
}
