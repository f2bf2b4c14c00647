using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>`up --wait` and `wait-repo`: the farm as users reach it, checked through the hub's published port.</summary>
public sealed class Wait(Stack stack)
{
    /// <summary>Until the hub answers, every builder is ready in Koji and kojira runs.</summary>
    public async Task<IReadOnlyList<ReadinessCheck>> ReadyAsync(FarmDefinition definition, TimeSpan timeout, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        using var hub = AdminHub.Client(definition);
        return await new FarmReadiness(stack, hub, engine).WaitAsync(timeout, progress, ct);
    }

    /// <summary>Until <paramref name="tag"/>'s repo is READY (requested first when it has none, or <paramref name="fresh"/>).</summary>
    public async Task<ReadyRepo> RepoAsync(string tag, bool fresh, TimeSpan timeout, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        using var hub = AdminHub.FromState(stack);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await new FarmReadiness(stack, hub, engine).WaitRepoAsync(tag, fresh, timeout, progress, ct);
    }
}
