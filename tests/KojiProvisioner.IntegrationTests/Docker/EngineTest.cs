using KojiProvisioner.Docker;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>
/// A test against the real engine: connects (or skips), hands out fresh stack names and purges
/// every stack it handed out when done, whatever happened.
/// </summary>
public abstract class EngineTest(ITestOutputHelper? output = null) : IAsyncLifetime
{
    private readonly List<string> _stacks = [];
    private DockerEngine? _engine;

    protected DockerEngine Engine => _engine ?? throw new InvalidOperationException("call StartAsync first");
    protected FarmLifecycle Farm { get; private set; } = null!;
    protected static CancellationToken None => CancellationToken.None;

    protected async Task StartAsync(EngineOptions? options = null)
    {
        _engine = await TestEngine.ConnectOrSkipAsync();
        Farm = new FarmLifecycle(_engine, options ?? TestEngine.Options);
    }

    /// <summary>Progress events, written to the test's output so a failure shows what the engine did.</summary>
    protected EventLog Events(Action<FarmEvent>? react = null) => new(e =>
    {
        output?.WriteLine(e.ToString());
        react?.Invoke(e);
    });

    protected string NewStack() => Purged(TestEngine.NewStack());

    /// <summary>A stack name of the test's own choosing, purged at the end like the others.</summary>
    protected string Purged(string stack)
    {
        lock (_stacks)
            _stacks.Add(stack);
        return stack;
    }

    /// <summary>Container name → (id, start time): equal before and after means nothing was touched.</summary>
    protected async Task<Dictionary<string, (string Id, DateTime? Started)>> ContainersAsync(string stack)
    {
        var observed = await new FarmObserver(Engine).ObserveAsync(stack, [], None);
        return observed.Containers.ToDictionary(c => c.Name, c => (c.Id, c.StartedAt));
    }

    protected async Task<string> ReadAsync(string container, string path)
    {
        var result = await Engine.ExecAsync(container, ["cat", path], None);
        Assert.True(result.ExitCode == 0, $"cat {path} in {container}: {result}");
        return result.Stdout;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_engine is null)
            return;
        foreach (var stack in _stacks)
            await Farm.DownAsync(stack, purge: true);
        _engine.Dispose();
    }
}
