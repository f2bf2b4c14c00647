using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

public sealed class StackLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _koji;

    public StackLoaderTests()
    {
        _koji = _dir.File("koji-1.35.3.tar.gz", "not really a tarball; only its existence is checked");
    }

    public void Dispose() => _dir.Dispose();

    private string StackFile(string body) => _dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {_koji}\n{body}");

    private static Dictionary<string, string> NoEnv => new();

    [Fact]
    public void Reads_the_file_and_fills_defaults()
    {
        var stack = StackLoader.Load(StackFile("builders:\n  count: 3\n"), environment: NoEnv);
        Assert.Equal("acme", stack.Name);
        Assert.Equal(3, stack.Spec.Builders.Count);
        Assert.Equal(["x86_64"], stack.Spec.Builders.Arches);
        Assert.Equal(["createrepo"], stack.Spec.Builders.Channels); // no mock: no build tasks
        Assert.Equal(8443, stack.Spec.Hub.Port);
        Assert.Equal(_koji, stack.KojiSourcePath);
        Assert.Equal(Path.Combine(_dir.Path, ".state", "acme"), stack.StateDirectory);
    }

    [Fact]
    public void Environment_overrides_the_file_and_set_overrides_the_environment()
    {
        var file = StackFile("hub:\n  port: 1111\n  runInterval: 30\n");
        var env = new Dictionary<string, string> { ["KOJIFARM_HUB__PORT"] = "2222", ["KOJIFARM_HUB__RUNINTERVAL"] = "7", ["OTHER"] = "x" };

        var fromFile = StackLoader.Load(file, environment: NoEnv);
        var fromEnv = StackLoader.Load(file, environment: env);
        var fromSet = StackLoader.Load(file, ["hub.port=3333"], env);

        Assert.Equal(1111, fromFile.Spec.Hub.Port);
        Assert.Equal(2222, fromEnv.Spec.Hub.Port);
        Assert.Equal(7, fromEnv.Spec.Hub.RunInterval);
        Assert.Equal(3333, fromSet.Spec.Hub.Port);
        Assert.Equal(7, fromSet.Spec.Hub.RunInterval); // untouched by --set, still from the environment
    }

    [Fact]
    public void Koji_source_defaults_to_KOJI_SOURCE()
    {
        var file = _dir.File("nopath.yaml", "name: acme\n");
        var stack = StackLoader.Load(file, environment: new Dictionary<string, string> { ["KOJI_SOURCE"] = _koji });
        Assert.Equal(_koji, stack.KojiSourcePath);
    }

    public static TheoryData<string, string[], string> BadStacks => new()
    {
        { "hub:\n  prot: 8443\n", [], "stack.yaml: hub.prot: unknown key; did you mean 'hub.port'?" },
        { "hub:\n  port: eighty\n", [], "stack.yaml: hub.port: expected a whole number from 0 to 65535 (0 picks a free port), got 'eighty'" },
        { "hub:\n  port: 70000\n", [], "stack.yaml: hub.port: must be from 0 to 65535 (0 picks a free port), got 70000" },
        { "builders:\n  count: -1\n", [], "stack.yaml: builders.count: must be from 0 to 64 (more builders go on other machines: builders.remote), got -1" },
        { "builders:\n  arches: [x86_64, x86_64]\n", [], "stack.yaml: builders.arches: duplicate 'x86_64'" },
        { "builders:\n  arches: [x86-64]\n", [], "stack.yaml: builders.arches: unknown arch 'x86-64'" },
        { "builders:\n  remote:\n    - name: b1\n      address: 10.0.0.1\n      privateKey: k\n    - name: b1\n      address: 10.0.0.2\n      privateKey: k\n", [], "stack.yaml: builders.remote[1].name: duplicate builder name 'b1'" },
        { "hub:\n  settings:\n    LoginCreateUser: 'On'\n", [], "stack.yaml: hub.settings.LoginCreateUser: the hub does not read this hub.conf key" },
        { "builders: 3\n", [], "stack.yaml: builders: expected a map, got '3'" },
        { "web:\n  port: 8443\n", [], "stack.yaml: web.port: 8443 is already hub.port" },
        { "pki:\n  keyAlgorithm: dsa\n", [], "stack.yaml: pki.keyAlgorithm: must be rsa or ecdsa, got 'dsa'" },
        { "", ["hub.port=-1"], "--set hub.port: hub.port: must be from 0 to 65535 (0 picks a free port), got -1" },
        { "", ["builders.count=many"], "--set builders.count: builders.count: expected a whole number from 0 to 64 (more builders go on other machines: builders.remote), got 'many'" },
    };

    [Theory]
    [MemberData(nameof(BadStacks))]
    public void Bad_input_names_the_layer_and_the_key(string body, string[] sets, string expected)
    {
        var e = Assert.Throws<InputException>(() => StackLoader.Load(StackFile(body), sets, NoEnv));
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bad_environment_value_names_the_variable()
    {
        var env = new Dictionary<string, string> { ["KOJIFARM_BUILDERS__COUNT"] = "-2" };
        var e = Assert.Throws<InputException>(() => StackLoader.Load(StackFile(""), environment: env));
        Assert.Equal("environment KOJIFARM_BUILDERS__COUNT: builders.count: must be from 0 to 64 (more builders go on other machines: builders.remote), got -2", e.Message);
    }

    [Fact]
    public void Missing_koji_source_path_is_an_error_naming_it()
    {
        var file = _dir.File("s.yaml", "name: acme\nkoji:\n  path: ./nowhere.tar.gz\n");
        var e = Assert.Throws<InputException>(() => StackLoader.Load(file, environment: NoEnv));
        Assert.Contains("s.yaml: koji.path:", e.Message);
        Assert.Contains("nowhere.tar.gz does not exist", e.Message);
    }

    [Fact]
    public void No_koji_source_at_all_loads_and_a_build_without_a_record_says_how_to_give_one()
    {
        var file = _dir.File("s.yaml", "name: acme\n");
        var stack = StackLoader.Load(file, environment: NoEnv);
        Assert.Null(stack.KojiSourcePath);
        var missing = KojiProvisioner.Farm.FarmInputs.Resolve(stack, recorded: null).Koji!;
        Assert.Null(missing.Usable);
        Assert.Contains("koji.path: required when koji.from is 'source'", missing.Missing);
        Assert.Contains("KOJI_SOURCE", missing.Missing);
    }

    [Fact]
    public void Malformed_yaml_names_the_file()
    {
        var file = _dir.File("broken.yaml", "name: acme\nhub: [port: 1\n");
        var e = Assert.Throws<InputException>(() => StackLoader.Load(file, environment: NoEnv));
        Assert.StartsWith($"{file}: not a valid stack file", e.Message);
    }

    [Fact]
    public void Missing_stack_file_is_bad_input()
    {
        var e = Assert.Throws<InputException>(() => StackLoader.Load(Path.Combine(_dir.Path, "nope.yaml"), environment: NoEnv));
        Assert.Contains("stack file not found", e.Message);
    }

    [Fact]
    public void Invalid_stack_name_is_refused()
    {
        var file = _dir.File("s.yaml", $"name: Acme_Farm\nkoji:\n  path: {_koji}\n");
        var e = Assert.Throws<InputException>(() => StackLoader.Load(file, environment: NoEnv));
        Assert.Contains("name: 'Acme_Farm' is not a valid stack name", e.Message);
    }

    [Fact]
    public void Demo_stack_in_the_repository_is_valid()
    {
        var demo = Path.Combine(RepoRoot.Path, "stacks", "demo.yaml");
        var stack = StackLoader.Load(demo, environment: new Dictionary<string, string> { ["KOJI_SOURCE"] = _koji });
        Assert.Equal("demo", stack.Name);
        Assert.Equal(2, stack.Spec.Builders.Count);
    }

    [Fact]
    public void Remote_example_stack_in_the_repository_is_valid()
    {
        var file = Path.Combine(RepoRoot.Path, "stacks", "remote-example.yaml");
        var stack = StackLoader.Load(file, environment: new Dictionary<string, string> { ["KOJI_SOURCE"] = _koji });
        Assert.Equal(0, stack.Spec.Builders.Count);
        Assert.Equal(["builder-x86-1", "builder-arm-1"], stack.Spec.Builders.Remote.Select(r => r.Name));
    }
}
