using System.Security.Cryptography;
using System.Text;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>
/// The engine on this machine (DOCKER_HOST or the local socket) and the one test image, built once
/// per run under a content-hashed reference so an unchanged recipe is never rebuilt.
/// </summary>
public static class TestEngine
{
    public const string BaseImage = "koji-farm/debian-base:bookworm";
    private static readonly Lazy<Task> SharedImages = new(EnsureImagesAsync);
    private static readonly Lazy<Task<string?>> Reachable = new(ProbeAsync);

    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Recipes { get; } = Path.Combine(RepoRoot, "tests", "KojiProvisioner.IntegrationTests", "Docker", "Recipes");

    public static ImageSpec Sleeper { get; } = new(
        $"koji-farm-test/sleeper:{RecipeHash(Path.Combine(Recipes, "sleeper"))}", "sleeper",
        new Dictionary<string, string> { ["BASE_IMAGE"] = BaseImage }, new Dictionary<string, string>());

    public static EngineOptions Options { get; } = new()
    {
        ImagesRoot = Recipes,
        StopTimeout = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>Connects, or skips the test with a plain message when no engine answers.</summary>
    public static async Task<DockerEngine> ConnectOrSkipAsync()
    {
        var problem = await Reachable.Value;
        Skip.If(problem is not null, $"no Docker engine answers: {problem}");
        var engine = await DockerEngine.ConnectAsync();
        await SharedImages.Value;
        return engine;
    }

    /// <summary>A stack name no other test (or earlier run) uses.</summary>
    public static string NewStack() => $"t-{Guid.NewGuid().ToString("N")[..8]}";

    private static async Task<string?> ProbeAsync()
    {
        try
        {
            using var engine = await DockerEngine.ConnectAsync();
            return null;
        }
        catch (FarmException e)
        {
            return e.Message;
        }
    }

    private static async Task EnsureImagesAsync()
    {
        using var engine = await DockerEngine.ConnectAsync();
        if (await engine.ImageIdAsync(BaseImage, CancellationToken.None) is null)
            await MakeBaseImageAsync();
        if (await engine.ImageIdAsync(Sleeper.Reference, CancellationToken.None) is null)
        {
            await using var context = FileArchive.BuildContext(Sleeper, Recipes);
            await engine.BuildImageAsync(Sleeper, context, null, null, CancellationToken.None);
        }
    }

    /// <summary>infra/base/make-debian-base.sh, once per machine (a bootstrap of Debian takes minutes).</summary>
    private static async Task MakeBaseImageAsync()
    {
        var script = Path.Combine(RepoRoot, "infra", "base", "make-debian-base.sh");
        var result = await Support.Shell.RunAsync("bash", script, BaseImage);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed: {result}");
    }

    private static string RecipeHash(string dir)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(dir, file)}\n"));
            hash.AppendData(File.ReadAllBytes(file));
            if (!OperatingSystem.IsWindows())
                hash.AppendData(Encoding.UTF8.GetBytes($"{(int)File.GetUnixFileMode(file)}\n"));
        }
        hash.AppendData(Encoding.UTF8.GetBytes(BaseImage));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KojiProvisioner.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("integration tests run inside the repository checkout");
    }
}

/// <summary>Progress events in order, as the executor reports them, with an optional reaction.</summary>
public sealed class EventLog(Action<FarmEvent>? react = null) : IProgress<FarmEvent>
{
    private readonly List<FarmEvent> _events = [];

    public IReadOnlyList<FarmEvent> Events
    {
        get { lock (_events) return _events.ToList(); }
    }

    public void Report(FarmEvent value)
    {
        lock (_events)
            _events.Add(value);
        react?.Invoke(value);
    }

    public override string ToString() => string.Join("\n", Events);
}
