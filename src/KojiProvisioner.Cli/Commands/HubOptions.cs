using System.CommandLine;
using KojiProvisioner.Config;
using KojiProvisioner.Koji;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// How a content command names its hub: exactly one of a stack (<c>--stack</c>, or the stack
/// file found as compose finds its file), a koji client profile (<c>--profile</c>, read as the
/// koji CLI reads it, <c>-c/--config</c>), or <c>--hub URL [--cert PEM] [--ca PEM]</c>.
/// </summary>
internal sealed class HubOptions
{
    public Option<string> Stack { get; } = CommonOptions.Stack();
    public Option<string[]> Set { get; } = CommonOptions.Set();
    public Option<string> Profile { get; } = new("--profile", "-p") { Description = "A koji client profile (as `koji -p NAME`): ~/.koji/config, ~/.koji/config.d/*.conf, /etc/koji.conf, /etc/koji.conf.d/*.conf" };
    public Option<string> Config { get; } = new("--config", "-c") { Description = "With --profile: read the profile from this file instead of ~/.koji (as `koji -c FILE`)" };
    public Option<string> Hub { get; } = new("--hub") { Description = "The hub's XML-RPC URL, e.g. https://koji.example.com/kojihub" };
    public Option<string> Cert { get; } = new("--cert") { Description = "With --hub: the client certificate and its key (one PEM file) to log in with" };
    public Option<string> Ca { get; } = new("--ca") { Description = "With --hub: the CA (PEM) that signed the hub's certificate (default: the system's trust store)" };

    public IEnumerable<Option> All => [Stack, Set, Profile, Config, Hub, Cert, Ca];

    /// <summary>The hub, and the stack when it came from one (for its `content:` file).</summary>
    public (HubTarget Target, Stack? Stack) Resolve(ParseResult parse)
    {
        var (target, stack) = Choose(parse);
        return (target(), stack);
    }

    /// <summary>
    /// The stack when the hub is a stack's, and how to name its hub: a stack's state folder is read
    /// only when <c>Target</c> is called, so that what comes first (a content file) is judged first.
    /// </summary>
    public (Func<HubTarget> Target, Stack? Stack) Choose(ParseResult parse)
    {
        KojiHubClient.PrepareTls(); // every caller talks to the hub next
        var stack = parse.GetValue(Stack);
        var profile = parse.GetValue(Profile);
        var hub = parse.GetValue(Hub);
        var given = new (string Name, string? Value)[] { ("--stack", stack), ("--profile", profile), ("--hub", hub) }.Where(g => g.Value is not null).ToList();
        if (given.Count > 1)
            throw new InputException($"{string.Join(" and ", given.Select(g => g.Name))} both name a hub: give exactly one of --stack FILE, --profile NAME or --hub URL");
        if (parse.GetValue(Config) is not null && profile is null)
            throw new InputException("--config names the koji config file of a --profile: add --profile NAME");
        if ((parse.GetValue(Cert) ?? parse.GetValue(Ca)) is not null && hub is null)
            throw new InputException("--cert and --ca go with --hub URL (a stack or a profile names its own certificates)");
        if ((parse.GetValue(Set) ?? []).Length > 0 && (profile ?? hub) is not null)
            throw new InputException("--set overrides stack settings: it cannot go with --profile or --hub");

        try
        {
            if (profile is not null)
            {
                var fromProfile = HubTarget.FromProfile(KojiProfileReader.Read(profile, KojiConfigLocations.FromEnvironment(), parse.GetValue(Config)));
                return (() => fromProfile, null);
            }
            if (hub is not null)
            {
                var fromUrl = HubTarget.FromUrl(hub, parse.GetValue(Cert), parse.GetValue(Ca));
                return (() => fromUrl, null);
            }
        }
        catch (Exception e) when (e is KojiConfigException or HubTargetException)
        {
            throw new InputException(e.Message);
        }

        var file = StackFileLocator.Find(stack)
            ?? throw new InputException("no hub: give one of --stack FILE, --profile NAME or --hub URL " +
                $"(without them the stack file is ${StackFileLocator.Variable}, else ./{StackFileLocator.DefaultFileName}, and neither exists here)");
        var loaded = StackLoader.Load(file, parse.GetValue(Set) ?? []);
        Timings.Mark("stack loaded");
        return (() => AdminHub.Target(loaded), loaded);
    }
}
