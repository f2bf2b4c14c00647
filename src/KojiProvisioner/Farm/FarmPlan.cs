namespace KojiProvisioner.Farm;

/// <summary>Everything a farm is made of on a Docker engine: a pure value, printable and diffable.</summary>
public sealed record FarmPlan(
    string Stack,
    NetworkSpec Network,
    IReadOnlyList<VolumeSpec> Volumes,
    IReadOnlyList<ImageSpec> Images,
    IReadOnlyList<ContainerSpec> Containers)
{
    /// <summary>Labels for the volumes `up` creates, beyond the stack's (the state folder's fingerprint).</summary>
    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }

    public ContainerSpec Container(string name) => Containers.Single(c => c.Name == name);

    /// <summary>
    /// Labels every object of the farm carries besides the stack's (state folder, expiry): they say
    /// what the farm is to `ls` and `gc`, and never force a container to be recreated.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

public sealed record NetworkSpec(string Name);

/// <summary>A named volume. Holds data: `up` never recreates or removes one.</summary>
public sealed record VolumeSpec(string Name, string Purpose)
{
    /// <summary>Options of the `local` driver (type, o, device: an NFS export); empty: a plain local volume.</summary>
    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// An image built through the engine from a recipe folder under infra/images. Its tag carries a hash
/// of the recipe and of every file added to the context, so a changed recipe is a new image.
/// </summary>
public sealed record ImageSpec(
    string Reference,
    string Recipe,
    IReadOnlyDictionary<string, string> BuildArgs,
    IReadOnlyDictionary<string, string> ExtraContext)
{
    /// <summary>Why this image cannot be built here (its input is not set, or gone), and what to set; null: it can.</summary>
    public string? Unbuildable { get; init; }
}

/// <summary>A volume, or a folder of the Docker host (an absolute path: volume names never start with '/'), mounted at <paramref name="Target"/>.</summary>
public sealed record Mount(string Volume, string Target, bool ReadOnly)
{
    public bool IsHostPath => Volume.StartsWith('/');
}

public sealed record PublishedPort(string HostIp, int HostPort, int ContainerPort)
{
    /// <summary>The images' httpd serves the hub and the web on this port (infra/images/*/Dockerfile: Listen 443).</summary>
    public const int Https = 443;
    /// <summary>PostgreSQL's port in the db container.</summary>
    public const int Postgres = 5432;

    /// <summary><c>127.0.0.1:8443->443</c>; the engine's form adds the protocol (<c>443/tcp</c>).</summary>
    public override string ToString() => Format(HostIp, HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string Format(string hostIp, string hostPort, string containerPort) => $"{hostIp}:{hostPort}->{containerPort}";
}

public sealed record HealthCheck(
    IReadOnlyList<string> Test,
    TimeSpan Interval,
    TimeSpan Timeout,
    int Retries,
    TimeSpan StartPeriod)
{
    /// <summary>A check the engine runs: a test given, and not Docker's `NONE` (which switches the image's check off).</summary>
    public bool Runs => Test.Count > 0 && Test[0] != "NONE";
}

/// <summary>A file copied into a container after it is created and before it starts.</summary>
/// <summary>A file copied into a container after it is created and before it starts. Secret files are never printed.</summary>
public sealed record ContainerFile(string Path, byte[] Content, int Mode, int Uid = 0, int Gid = 0, bool Secret = false)
{
    /// <summary>
    /// A file the verb that changes it copies into the running container itself (the CRL, after
    /// `user revoke`): left out of the config hash, so a new version does not recreate the container.
    /// </summary>
    public bool Live { get; init; }

    public string Text => System.Text.Encoding.UTF8.GetString(Content);
}

public static class Roles
{
    public const string Db = "db";
    public const string Hub = "hub";
    public const string Web = "web";
    public const string Kojira = "kojira";
    public const string Builder = "builder";
    /// <summary>
    /// Not a farm role: a short-lived container a command makes beside the farm (to reach a volume,
    /// to copy a file out of an image) and removes when done. Carries the stack label, so one a
    /// killed run leaves is removed by the next `up` or `down`.
    /// </summary>
    public const string Helper = "helper";
}

public sealed record ContainerSpec(
    string Name,
    string Role,
    string Image,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Aliases,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<Mount> Mounts,
    IReadOnlyList<PublishedPort> Ports,
    HealthCheck Health,
    string RestartPolicy,
    bool Privileged,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<ContainerFile> Files)
{
    /// <summary>Linux capabilities added to the engine's default set (e.g. SYS_ADMIN for mock).</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];

    /// <summary>The hash of everything that, when changed, needs a new container (not the dependencies).</summary>
    public string ConfigHash { get; init; } = "";
}
