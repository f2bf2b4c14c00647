using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Tests.Support;

/// <summary>Stacks and credentials for planner tests, without touching a state folder.</summary>
public static class TestFarm
{
    public static Stack Stack(int builders = 2, Action<StackSpec>? edit = null)
    {
        var spec = new StackSpec
        {
            Name = "demo",
            Organization = "Acme",
            Hub = new HubSpec { RunInterval = 5 },
            Builders = new BuildersSpec { Count = builders, Arches = ["x86_64"], Channels = ["default", "createrepo"] },
        };
        edit?.Invoke(spec);
        return new Stack(spec, "stacks/demo.yaml", "/tmp/state/demo", "/src/koji-1.35.3.tar.gz", null);
    }

    public static FarmCredentials Credentials(Stack stack)
    {
        var clients = new Dictionary<string, CertKey>
        {
            [Identities.Admin] = Cert("kojiadmin", "admin"),
            [Identities.Web] = Cert("kojiweb", "kojiweb"),
            [Identities.Kojira] = Cert("kojira", "kojira"),
        };
        var names = new FarmNames(stack.Spec);
        for (var i = 1; i <= stack.Spec.Builders.Count; i++)
            clients[names.Builder(i)] = Cert(names.Builder(i), "builder");
        return new FarmCredentials("-----CA-----\n", Cert("hub", "server"), clients, "dbsecret", "websecret");
    }

    public static FarmImages Images => new(
        new ImageSpec("koji-farm/koji:abc", "koji-source", new Dictionary<string, string>(), new Dictionary<string, string>()),
        new ImageSpec("koji-farm/db:def", "db", new Dictionary<string, string>(), new Dictionary<string, string>()));

    public static FarmPlanner Planner => new(new TemplateRenderer(Path.Combine(RepoRoot.Path, "templates")));

    public static FarmPlan Plan(Stack stack, IReadOnlyList<string>? scms = null) =>
        Planner.Plan(stack, Credentials(stack), Images, scms ?? []);

    private static CertKey Cert(string cn, string ou) =>
        new($"-----CERT {cn}-----\n", $"-----KEY {cn}-----\n", $"CN={cn},OU={ou},O=Acme");
}

/// <summary>Reads the key = value pairs of one section of an INI-style Koji config.</summary>
public static class Ini
{
    public static Dictionary<string, string> Section(string text, string section)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var inSection = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line.StartsWith('['))
            {
                inSection = line == $"[{section}]";
                continue;
            }
            if (!inSection)
                continue;
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, $"not a key = value line: '{line}'");
            var key = line[..eq].Trim();
            Assert.False(result.ContainsKey(key), $"key {key} set twice");
            result[key] = line[(eq + 1)..].Trim();
        }
        return result;
    }
}
