using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Hosts;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Operations;

/// <summary>
/// A stack's remote builder hosts: those the stack lists, and those recorded as set up that it no
/// longer lists (retired: kojid is stopped there and Koji disables them).
/// </summary>
public sealed class RemoteFleet(Stack stack)
{
    private StateFolder State => new(stack.StateDirectory);

    public RemoteHostRegistry Registry => RemoteHostRegistry.In(State);

    /// <summary>Hosts recorded as set up that the stack file no longer lists.</summary>
    public IReadOnlyList<RemoteBuilderSpec> Retired()
    {
        if (!State.Exists)
            return [];
        var names = stack.Spec.Builders.Remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return Registry.Load().Where(r => !names.Contains(r.Name)).ToList();
    }

    /// <summary>Every host: the stack's, then the retired ones.</summary>
    public IReadOnlyList<RemoteBuilderSpec> All() => [.. stack.Spec.Builders.Remote, .. Retired()];

    /// <summary>What each remote builder host should have: its kojid.conf (hub URL as that host reaches it), certificate and the CA.</summary>
    public IReadOnlyList<RemoteBuilder> Builders(FarmDefinition definition)
    {
        var spec = stack.Spec;
        if (spec.Builders.Remote.Count == 0)
            return [];
        var planner = new FarmPlanner(new TemplateRenderer(Assets.Templates));
        var koji = definition.Inputs.KojiSourcePath is { } source ? new KojiSource(source) : null;
        return spec.Builders.Remote.Select(r =>
        {
            var (hubUrl, filesUrl) = definition.Names.RemoteUrls(r);
            var conf = planner.RemoteBuilderConfig(stack, definition.Credentials, r, hubUrl, filesUrl,
                RemoteBuilderConverger.ClientPem, RemoteBuilderConverger.CaCert, definition.AllowedScms);
            return new RemoteBuilder(SshTarget.From(r), stack.Name, conf, definition.Credentials.Client(r.Name).CombinedPem,
                definition.Credentials.CaCertificatePem, koji);
        }).ToList();
    }

    public RemoteBuilderConverger Converger(IProgress<FarmEvent>? progress) =>
        new(KnownHosts.In(State), RemoteAssets.Load(Assets.Root), progress);

    public static IReadOnlyList<SshTarget> Targets(IEnumerable<RemoteBuilderSpec> hosts) => hosts.Select(h => SshTarget.From(h)).ToList();
}
