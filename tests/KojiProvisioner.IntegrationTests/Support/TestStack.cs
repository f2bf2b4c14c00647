using System.Globalization;
using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;
using KojiProvisioner.Operations;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>
/// A throwaway stack file (unique name, free loopback ports, its own state folder) for tests that
/// stand up a real farm with the real koji-farm command. Dispose purges it from the engine.
/// </summary>
public sealed class TestStack : IAsyncDisposable
{
    public const string KojiSourceVariable = "KOJI_SOURCE";

    private readonly string _dir;

    /// <param name="kojiPath">Another Koji source than KOJI_SOURCE (upgrade tests: the 1.34.3 release beside it).</param>
    /// <param name="buildersYaml">More `builders:` settings (indented under it), e.g. mock.</param>
    /// <param name="kojiPathInFile">False: the stack file names no Koji source (KOJI_SOURCE or the farm's record gives it), as stacks/demo.yaml.</param>
    public TestStack(string prefix, int builders, string extraYaml = "", string? kojiPath = null, string buildersYaml = "", bool kojiPathInFile = true)
    {
        LeftoversReaped.Value.GetAwaiter().GetResult();
        Name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        _dir = System.IO.Directory.CreateTempSubdirectory("koji-farm-stack-").FullName;
        var ports = FreePorts.Take(2);
        HubPort = ports[0];
        WebPort = ports[1];
        File = Path.Combine(_dir, "stack.yaml");
        System.IO.File.WriteAllText(File, $"""
            name: {Name}
            organization: Test Builders, Inc.
            koji:
              from: source
              {(kojiPathInFile ? $"path: {kojiPath ?? KojiSource}" : "")}
            hub:
              port: {HubPort}
              runInterval: 5
            web:
              port: {WebPort}
            kojira:
              sleepTime: 5
            builders:
              count: {builders.ToString(CultureInfo.InvariantCulture)}
            {buildersYaml}
            {extraYaml}
            """);
    }

    /// <summary>The Koji source, or null: tests that need a real Koji skip without it.</summary>
    public static string? KojiSource => Environment.GetEnvironmentVariable(KojiSourceVariable) is { Length: > 0 } s ? Path.GetFullPath(s) : null;

    /// <summary>A Koji release tarball beside KOJI_SOURCE (../shared/koji/koji-1.34.3.tar.gz), or null.</summary>
    public static string? KojiRelease(string version)
    {
        var dir = KojiSource is { } s ? Path.GetDirectoryName(s) : null;
        var file = dir is null ? null : Path.Combine(dir, $"koji-{version}.tar.gz");
        return file is not null && System.IO.File.Exists(file) ? file : null;
    }

    public static void SkipWithoutKoji() =>
        Skip.If(KojiSource is null, $"skipped: {KojiSourceVariable} is not set, so no real Koji can be built (point it at a Koji source tree or release tarball, e.g. ../shared/koji/koji-1.35.3.tar.gz)");

    /// <summary>mock's release tarballs (../shared/mock), or null: tests of real RPM builds skip without it.</summary>
    public static string? MockSource => Environment.GetEnvironmentVariable("MOCK_SOURCE") is { Length: > 0 } s ? Path.GetFullPath(s) : null;

    public static void SkipWithoutMock() =>
        Skip.If(MockSource is null, "skipped: MOCK_SOURCE is not set, so builders have no mock (point it at the folder of mock-*.tar.gz and templated-dictionary-*.tar.gz, e.g. ../shared/mock)");

    public string Name { get; }
    public string File { get; }
    public string Directory => _dir;
    public int HubPort { get; }
    public int WebPort { get; }

    public Stack Load() => StackLoader.Load(File);

    public FarmDefinition Definition() => new Preview(Load()).DefinitionWithState();

    /// <summary>An API client for the hub as the stack's admin (logs in on first write or LoginAsync).</summary>
    public KojiHubClient AdminClient() => AdminHub.Client(Definition());

    /// <summary>An HTTP client that trusts the farm's CA only (kojiweb pages, /kojifiles), as a person's browser would after importing it.</summary>
    public HttpClient TrustingClient(TimeSpan timeout)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Definition().Credentials.CaCertificatePem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                if (cert is null) return false;
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(cert);
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>
    /// Runs koji-farm on this stack. Every `up` labels the farm to expire in an hour (unless the test
    /// gives its own --ttl), so a test run that is killed leaves nothing `gc` does not find.
    /// </summary>
    public Task<CliResult> RunAsync(params string[] args) => Cli.RunAsync(OnThisStack(args));

    /// <summary>Runs koji-farm on this stack as its own process, with <paramref name="environment"/> changed (null: the variable removed).</summary>
    public Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Cli.RunProcessAsync(environment, OnThisStack(args));

    /// <summary>
    /// Runs the installed koji-farm on this stack: the native build as a separate process when
    /// KOJI_FARM_NATIVE is set (scripts/test sets it), as a farm host runs it; in-process otherwise.
    /// </summary>
    public Task<CliResult> RunInstalledAsync(params string[] args) =>
        Cli.Native is null ? RunAsync(args) : Cli.RunNativeAsync(OnThisStack(args));

    /// <summary>"in-process" or "native", for step names.</summary>
    public static string InstalledBuild => Cli.Native is null ? "in-process" : "native";

    /// <summary>The arguments of a koji-farm run on this stack: --stack, and an hour's --ttl for `up`.</summary>
    public string[] OnThisStack(string[] args) =>
        [.. args, .. args is ["up", ..] && !args.Contains("--ttl") ? ["--ttl", Ttl] : Array.Empty<string>(), "--stack", File];

    /// <summary>Longer than any one test; the farms of a killed run go at the next run's start after that.</summary>
    private const string Ttl = "1h";

    /// <summary>Test farms (prefix-6 hex digits) of earlier, killed runs whose hour is past: removed once per test run.</summary>
    private static readonly Lazy<Task> LeftoversReaped = new(() => Task.Run(async () =>
    {
        try
        {
            var reaped = await new KojiProvisioner.Operations.CollectFarms().RunAsync(DateTimeOffset.UtcNow, dryRun: false,
                name => System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z][a-z0-9-]*-[0-9a-f]{6}$"), null, CancellationToken.None);
            foreach (var farm in reaped)
                Console.Error.WriteLine($"removed test farm {farm.Farm.Stack} left by an earlier run (expired {farm.Farm.Expires:u})");
        }
        catch (KojiProvisioner.FarmException)
        {
            // no engine: the tests that need one say so themselves
        }
    }));

    public async ValueTask DisposeAsync()
    {
        var down = await Cli.RunAsync("down", "--stack", File, "--purge", "--yes");
        if (down.ExitCode != 0)
            Console.Error.WriteLine($"cleanup of stack {Name} failed: {down}");
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
