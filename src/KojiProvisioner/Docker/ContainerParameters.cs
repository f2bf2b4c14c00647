using Docker.DotNet.Models;
using KojiProvisioner.Farm;
using DockerMount = Docker.DotNet.Models.Mount;
using ContainerSpec = KojiProvisioner.Farm.ContainerSpec;
using HealthCheck = KojiProvisioner.Farm.HealthCheck;

namespace KojiProvisioner.Docker;

/// <summary>
/// The one place Docker's create request is made: from a <see cref="ContainerSpec"/> for the farm's
/// containers, from a <see cref="HelperContainer"/> for the short-lived ones. Every container
/// carries its stack's label and what it is (a farm role, or a helper's purpose), so `down`, `gc`
/// and `up` find every one by label. Pure, so what the engine is asked for is pinned by unit tests
/// without an engine.
/// </summary>
public static class ContainerParameters
{
    public static CreateContainerParameters From(ContainerSpec spec, string stack, string network,
        IReadOnlyDictionary<string, string>? farmLabels = null)
    {
        var exposed = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, IList<PortBinding>>(StringComparer.Ordinal);
        foreach (var port in spec.Ports)
        {
            var key = $"{port.ContainerPort}/tcp";
            exposed[key] = default;
            if (!bindings.TryGetValue(key, out var list))
                bindings[key] = list = new List<PortBinding>();
            // Published on the address the stack names only: a farm bound to 127.0.0.1 stays private.
            list.Add(new PortBinding { HostIP = port.HostIp, HostPort = port.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new CreateContainerParameters
        {
            Name = spec.Name,
            Hostname = spec.Name,
            Image = spec.Image,
            // Cmd only: the image's ENTRYPOINT picks the role's program from it.
            Cmd = spec.Command.Count == 0 ? null! : spec.Command.ToList(),
            Env = spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}").ToList(),
            Labels = LabelsOf(spec, stack, farmLabels),
            ExposedPorts = exposed.Count == 0 ? null! : exposed,
            Healthcheck = Healthcheck(spec.Health)!,
            HostConfig = new HostConfig
            {
                NetworkMode = network,
                PortBindings = bindings.Count == 0 ? null! : bindings,
                Mounts = VolumeMounts(spec.Mounts),
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKindOf(spec.RestartPolicy, spec.Name) },
                Privileged = spec.Privileged,
                CapAdd = spec.CapAdd.Count == 0 ? null! : spec.CapAdd.ToList(),
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal)
                {
                    [network] = new EndpointSettings { Aliases = spec.Aliases.ToList() },
                },
            },
        };
    }

    public static IDictionary<string, string> LabelsOf(ContainerSpec spec, string stack, IReadOnlyDictionary<string, string>? farmLabels = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in farmLabels ?? new Dictionary<string, string>())
            labels[key] = value;
        labels[Labels.Stack] = stack;
        labels[Labels.Role] = spec.Role;
        labels[Labels.ConfigHash] = spec.ConfigHash.Length > 0 ? spec.ConfigHash : ConfigHash.Of(spec);
        return labels;
    }

    /// <summary>
    /// A helper: no network, no command of its own (it is never started; `true` if something does
    /// start it), labelled with its stack, the helper role and its purpose.
    /// </summary>
    public static CreateContainerParameters Helper(HelperContainer helper) => new()
    {
        Name = helper.Name,
        Image = helper.Image,
        Entrypoint = ["true"],
        Cmd = [],
        Labels = HelperLabels(helper),
        HostConfig = new HostConfig
        {
            Mounts = VolumeMounts(helper.Mounts),
            NetworkMode = "none",
        },
    };

    /// <summary>
    /// The signing container: runs its image's own command (a sleep) with no network, removed by
    /// the engine when that ends; labelled like a helper (its stack, the helper role, purpose
    /// <c>signer</c>) so `down` and `gc` find one a killed run left.
    /// </summary>
    public static CreateContainerParameters Signer(string stack, string name, string image) => new()
    {
        Name = name,
        Image = image,
        NetworkDisabled = true,
        Labels = HelperLabels(new HelperContainer(stack, SignerPurpose, image, [])),
        HostConfig = new HostConfig { NetworkMode = "none", AutoRemove = true },
    };

    /// <summary>The purpose label of the signing container.</summary>
    public const string SignerPurpose = "signer";

    private static List<DockerMount> VolumeMounts(IEnumerable<Farm.Mount> mounts) =>
        mounts.Select(m => new DockerMount { Type = m.IsHostPath ? "bind" : "volume", Source = m.Volume, Target = m.Target, ReadOnly = m.ReadOnly }).ToList();

    private static Dictionary<string, string> HelperLabels(HelperContainer helper)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in Labels.FarmWide)
            if (helper.FarmLabels?.TryGetValue(key, out var value) == true)
                labels[key] = value;
        labels[Labels.Stack] = helper.Stack;
        labels[Labels.Role] = Roles.Helper;
        labels[Labels.Purpose] = helper.Purpose;
        return labels;
    }

    private static HealthcheckConfig? Healthcheck(HealthCheck? health)
    {
        // No test: the image's own HEALTHCHECK (if any) applies.
        if (health is null || health.Test.Count == 0)
            return null;
        return new HealthcheckConfig
        {
            Test = health.Test.ToList(),
            Interval = health.Interval,
            Timeout = health.Timeout,
            Retries = health.Retries,
            StartPeriod = health.StartPeriod,
        };
    }

    internal static RestartPolicyKind RestartPolicyKindOf(string policy, string container) => policy switch
    {
        "" or "no" => RestartPolicyKind.No,
        "always" => RestartPolicyKind.Always,
        "unless-stopped" => RestartPolicyKind.UnlessStopped,
        "on-failure" => RestartPolicyKind.OnFailure,
        _ => throw new FarmException(
            $"container {container}: restart policy '{policy}' is not one of no, always, unless-stopped, on-failure"),
    };
}
