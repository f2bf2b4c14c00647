using System.Collections.Concurrent;
using Docker.DotNet.Models;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Tests.Docker;

/// <summary>The executor against an engine that records what it is asked: the order `up` and `down` work in.</summary>
public sealed class FarmExecutorTests
{
    /// <summary>Containers become healthy <see cref="ChecksUntilHealthy"/> inspections after they start; a failing one exits.</summary>
    private sealed class RecordingEngine(string? failing = null) : IDockerEngine
    {
        private readonly ConcurrentDictionary<string, (string Name, int Checks, bool Started)> _containers = new();
        public ConcurrentQueue<string> Log { get; } = new();
        public ConcurrentQueue<string> Inspected { get; } = new();
        public int ChecksUntilHealthy { get; init; } = 2;
        public HashSet<string> Networks { get; } = [];
        public HashSet<string> Volumes { get; } = [];

        private void Did(string what) => Log.Enqueue(what);

        /// <summary>Containers the engine lists for their stack label, as <see cref="FarmObserver"/> reads them.</summary>
        public List<(string Id, string Name, Dictionary<string, string> Labels)> Labelled { get; } = [];

        public Task<IList<ContainerListResponse>> ListContainersAsync(string stack, CancellationToken ct) =>
            Task.FromResult<IList<ContainerListResponse>>(Labelled.Where(c => c.Labels.GetValueOrDefault(Labels.Stack) == stack)
                .Select(c => new ContainerListResponse { ID = c.Id, Names = ["/" + c.Name], Labels = c.Labels }).ToList());

        /// <summary>A container that runs already (kept by the plan), healthy after <see cref="ChecksUntilHealthy"/> inspections.</summary>
        public void Runs(string id, string name) => _containers[id] = (name, 0, true);

        public Task<ContainerInspectResponse?> InspectContainerAsync(string idOrName, CancellationToken ct)
        {
            Inspected.Enqueue(idOrName);
            if (Labelled.FirstOrDefault(c => c.Id == idOrName) is { Id: not null } labelled)
                return Task.FromResult<ContainerInspectResponse?>(new ContainerInspectResponse
                {
                    ID = labelled.Id, Name = "/" + labelled.Name, Config = new ContainerConfig { Labels = labelled.Labels },
                    State = new State { Status = ContainerStates.Created },
                });
            var (name, checks, started) = _containers.AddOrUpdate(idOrName, _ => throw new KeyNotFoundException(idOrName), (_, c) => c with { Checks = c.Checks + 1 });
            var exited = name == failing && started;
            var healthy = started && !exited && checks >= ChecksUntilHealthy;
            return Task.FromResult<ContainerInspectResponse?>(new ContainerInspectResponse
            {
                State = new State { Running = started && !exited, ExitCode = exited ? 3 : 0, Health = new Health { Status = healthy ? "healthy" : "starting" } },
            });
        }

        public Task<string> CreateContainerAsync(CreateContainerParameters parameters, CancellationToken ct)
        {
            Did($"create {parameters.Name}");
            _containers[$"id-{parameters.Name}"] = (parameters.Name!, 0, false);
            return Task.FromResult($"id-{parameters.Name}");
        }

        public Task CopyFilesAsync(string id, string name, IReadOnlyList<ContainerFile> files, CancellationToken ct)
        {
            Did($"copy {name} {string.Join(",", files.Select(f => f.Path))}");
            return Task.CompletedTask;
        }

        public Task StartContainerAsync(string id, string name, CancellationToken ct)
        {
            Did($"start {name}");
            _containers[id] = (name, 0, true);
            return Task.CompletedTask;
        }

        public Task<bool> StopContainerAsync(string id, string name, TimeSpan timeout, CancellationToken ct) { Did($"stop {name}"); return Task.FromResult(true); }
        public Task<bool> RemoveContainerAsync(string id, string name, CancellationToken ct) { Did($"remove {name}"); return Task.FromResult(true); }
        public Task<string> LogTailAsync(string id, int lines, CancellationToken ct) => Task.FromResult("kojid: cannot reach the hub");
        // The check `up` runs itself while it waits: as unhealthy as the engine reports it.
        public async Task<ExecResult> ExecAsync(string idOrName, IReadOnlyList<string> command, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _checksRunning);
            lock (Log)
                MostChecksAtOnce = Math.Max(MostChecksAtOnce, now);
            try
            {
                await Task.Delay(CheckTakes, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _checksRunning); // also when up cancels the check
            }
            return new ExecResult(idOrName == failing ? 1 : 0, "", "");
        }

        private int _checksRunning;
        public int MostChecksAtOnce { get; private set; }
        public TimeSpan CheckTakes { get; init; } = TimeSpan.Zero;
        public Task<IReadOnlyList<string>> ListNetworksAsync(string stack, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>(Networks.ToList());
        public Task CreateNetworkAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null) { Did($"network {name}"); Networks.Add(name); return Task.CompletedTask; }
        public Task<bool> RemoveNetworkAsync(string name, CancellationToken ct) { Did($"remove network {name}"); return Task.FromResult(Networks.Remove(name)); }
        public Task<IReadOnlyList<string>> ListVolumesAsync(string stack, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>(Volumes.ToList());
        public Task CreateVolumeAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null,
            IReadOnlyDictionary<string, string>? driverOptions = null)
        {
            Did(driverOptions is null ? $"volume {name}" : $"volume {name} {string.Join(",", driverOptions.Select(o => $"{o.Key}={o.Value}"))}");
            Volumes.Add(name);
            return Task.CompletedTask;
        }
        public Task<bool> RemoveVolumeAsync(string name, CancellationToken ct) { Did($"remove volume {name}"); return Task.FromResult(Volumes.Remove(name)); }
        /// <summary>Images the engine lacks until they are built; each build runs <see cref="Build"/>.</summary>
        public ConcurrentDictionary<string, bool> Missing { get; } = new(StringComparer.Ordinal);
        public Func<ImageSpec, CancellationToken, Task>? Build { get; init; }

        public Task<string?> ImageIdAsync(string reference, CancellationToken ct) =>
            Task.FromResult(Missing.ContainsKey(reference) ? null : SampleFarm.ImageId(reference));

        public async Task BuildImageAsync(ImageSpec image, Stream context, string? networkMode, IProgress<string>? output, CancellationToken ct)
        {
            if (Build is null)
                throw new InvalidOperationException("the images exist: nothing is built");
            Did($"build {image.Reference}");
            await Build(image, ct);
            Missing.TryRemove(image.Reference, out _);
            Did($"built {image.Reference}");
        }
        public void Dispose() { }
    }

    private static readonly EngineOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(1), HealthTimeout = TimeSpan.FromSeconds(10) };

    private static ConvergePlan NothingYet(FarmPlan plan) => ConvergePlanner.Plan(plan,
        new ObservedFarm(plan.Stack, [], [], [], plan.Images.ToDictionary(i => i.Reference, i => SampleFarm.ImageId(i.Reference))));

    /// <summary>A hook after every container of the plan.</summary>
    private static ConvergePlan WithHooks(ConvergePlan plan) =>
        plan with { Hooks = plan.Of(ResourceKind.Container).Select(s => new HookStep(s.Name, "test", "note", s.Name, "healthy")).ToList() };

    /// <summary>The plan's images with a builder image FROM the Koji image, none of them on the engine; recipes in a temp folder.</summary>
    private static (ConvergePlan Plan, string ImagesRoot) ThreeImagesToBuild(RecordingEngine engine)
    {
        const string builderImage = "koji-farm/koji-builder:55aa55aa55aa";
        var farm = SampleFarm.Plan(builders: 1);
        var builder = new ImageSpec(builderImage, "koji-builder", new Dictionary<string, string> { ["KOJI_IMAGE"] = SampleFarm.KojiImage },
            new Dictionary<string, string>());
        // The builder first: the order of the plan's list is not the order its images can be built in.
        farm = farm with { Images = [builder, .. farm.Images] };
        var root = Directory.CreateTempSubdirectory("images-").FullName;
        foreach (var image in farm.Images)
        {
            Directory.CreateDirectory(Path.Combine(root, image.Recipe));
            File.WriteAllText(Path.Combine(root, image.Recipe, "Dockerfile"), "FROM scratch\n");
            engine.Missing[image.Reference] = true;
        }
        return (ConvergePlanner.Plan(farm, ObservedFarm.Empty(farm.Stack)), root);
    }

    [Fact]
    public async Task Up_builds_independent_images_side_by_side_and_an_image_after_the_one_it_is_built_from()
    {
        var started = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        TaskCompletionSource Started(string reference) => started.GetOrAdd(reference, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var engine = new RecordingEngine
        {
            // The db's and the Koji image's builds each wait to see the other one start: built one at a
            // time, the first would wait in vain.
            Build = async (image, ct) =>
            {
                Started(image.Reference).TrySetResult();
                var other = image.Reference == SampleFarm.DbImage ? SampleFarm.KojiImage : image.Reference == SampleFarm.KojiImage ? SampleFarm.DbImage : null;
                if (other is not null)
                    await Started(other).Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            },
        };
        var (plan, root) = ThreeImagesToBuild(engine);
        try
        {
            await new FarmExecutor(engine, Fast with { ImagesRoot = root }).ExecuteAsync(plan);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        var log = engine.Log.ToList();
        int At(string what) => log.IndexOf(what) is var i and >= 0 ? i : throw new Xunit.Sdk.XunitException($"'{what}' never happened:\n{string.Join("\n", log)}");
        Assert.True(At($"built {SampleFarm.KojiImage}") < At("build koji-farm/koji-builder:55aa55aa55aa"), "the builder image was built before the image it is FROM");
        Assert.True(At("built koji-farm/koji-builder:55aa55aa55aa") < At("create demo-db"), "a container was made before every image was built");
    }

    [Fact]
    public async Task A_failed_image_build_stops_the_others_and_is_the_error_up_reports()
    {
        var engine = new RecordingEngine
        {
            Build = async (image, ct) =>
            {
                if (image.Reference == SampleFarm.DbImage)
                    throw new FarmException("building image koji-farm/db failed: apt-get: no network");
                await Task.Delay(Timeout.Infinite, ct); // the Koji image's build, until it is stopped
            },
        };
        var (plan, root) = ThreeImagesToBuild(engine);
        try
        {
            var e = await Assert.ThrowsAsync<FarmException>(() => new FarmExecutor(engine, Fast with { ImagesRoot = root }).ExecuteAsync(plan));
            Assert.Contains("koji-farm/db failed: apt-get: no network", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        Assert.DoesNotContain(engine.Log, l => l.StartsWith("build koji-farm/koji-builder", StringComparison.Ordinal) || l.StartsWith("create ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_makes_network_and_volumes_then_each_container_after_its_dependency_is_healthy_and_its_hook_ran()
    {
        var plan = SampleFarm.Plan(builders: 1);
        var engine = new RecordingEngine();
        var hooks = new ConcurrentQueue<string>();
        await new FarmExecutor(engine, Fast).ExecuteAsync(WithHooks(NothingYet(plan)), null, (h, _) =>
        {
            hooks.Enqueue(h.After);
            engine.Log.Enqueue($"hook {h.After}");
            return Task.FromResult<IReadOnlyList<string>>([]);
        });

        var log = engine.Log.ToList();
        Assert.Equal(["network koji-farm-demo", "volume koji-farm-demo-db", "volume koji-farm-demo-mnt-koji"], log.Take(3));
        int At(string what) => log.IndexOf(what) is var i and >= 0 ? i : throw new Xunit.Sdk.XunitException($"'{what}' never happened:\n{string.Join("\n", log)}");
        // Files are in before the first start; the hub waits for the db's hook, builders for the hub's.
        Assert.True(At("copy demo-hub /etc/hub.conf") < At("start demo-hub"));
        Assert.True(At("hook demo-db") < At("create demo-hub"));
        foreach (var dependent in new[] { "demo-web", "demo-kojira", "demo-builder-1" })
            Assert.True(At("hook demo-hub") < At($"create {dependent}"), $"{dependent} was made before the hub's hook ran");
        Assert.Equal(plan.Containers.Select(c => c.Name).Order(), hooks.Order());
    }

    [Fact]
    public async Task A_converged_farm_is_not_inspected_again_and_only_a_container_read_unhealthy_is_waited_for()
    {
        var plan = SampleFarm.Plan(builders: 1);
        var observed = SampleFarm.Converged(plan);
        observed = observed with { Containers = observed.Containers.Select(c => c.Name == "demo-hub" ? c with { Health = "starting" } : c).ToList() };
        var engine = new RecordingEngine();
        engine.Runs("id-demo-hub", "demo-hub");
        var events = new ConcurrentQueue<FarmEvent>();
        var hooks = new ConcurrentQueue<string>();

        await new FarmExecutor(engine, Fast).ExecuteAsync(WithHooks(ConvergePlanner.Plan(plan, observed)), new SyncProgress(events.Enqueue), (h, _) =>
        {
            hooks.Enqueue(h.After);
            return Task.FromResult<IReadOnlyList<string>>([]);
        });

        Assert.Empty(engine.Log); // nothing made, started or stopped
        Assert.All(engine.Inspected, id => Assert.Equal("id-demo-hub", id));
        Assert.NotEmpty(engine.Inspected);
        // every container still reported healthy and its hook run, dependents after the hub's
        Assert.Equal(plan.Containers.Select(c => c.Name).Order(), events.Where(e => e.Step == FarmStep.Healthy).Select(e => e.Resource).Distinct().Order());
        Assert.Equal(plan.Containers.Select(c => c.Name).Order(), hooks.Order());
    }

    [Fact]
    public async Task Checks_run_directly_while_waiting_are_at_most_one_per_cpu_at_a_time()
    {
        // Twenty builders each checked once a second loaded a 2-core host past where kojid works.
        var plan = SampleFarm.Plan(builders: 12);
        var engine = new RecordingEngine { ChecksUntilHealthy = int.MaxValue, CheckTakes = TimeSpan.FromMilliseconds(20) };

        await new FarmExecutor(engine, Fast with { HealthTimeout = TimeSpan.FromMilliseconds(300) })
            .ExecuteAsync(NothingYet(plan), null, null)
            .ContinueWith(_ => { }); // the engine never reports them healthy: only the direct checks matter here

        Assert.InRange(engine.MostChecksAtOnce, 1, Environment.ProcessorCount);
    }

    private sealed class SyncProgress(Action<FarmEvent> report) : IProgress<FarmEvent>
    {
        public void Report(FarmEvent value) => report(value);
    }

    [Fact]
    public async Task A_container_that_exits_fails_up_with_its_name_and_output_and_its_dependents_are_not_made()
    {
        var plan = SampleFarm.Plan(builders: 1);
        var engine = new RecordingEngine(failing: "demo-hub");
        var error = await Assert.ThrowsAsync<FarmException>(() => new FarmExecutor(engine, Fast).ExecuteAsync(NothingYet(plan), null, null));

        Assert.Contains("container demo-hub exited with code 3 before it became healthy", error.Message);
        Assert.Contains("kojid: cannot reach the hub", error.Message);
        Assert.DoesNotContain(engine.Log, l => l.StartsWith("create demo-builder-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Down_removes_containers_and_network_and_keeps_volumes_unless_purged()
    {
        var plan = SampleFarm.Plan(builders: 1);
        var observed = SampleFarm.Converged(plan);
        var engine = new RecordingEngine();
        engine.Networks.Add(plan.Network.Name);
        foreach (var v in plan.Volumes) engine.Volumes.Add(v.Name);

        var kept = await new FarmExecutor(engine, Fast).TearDownAsync(observed, purge: false, null, CancellationToken.None);
        Assert.Equal(plan.Containers.Select(c => c.Name).Order(StringComparer.Ordinal), kept.RemovedContainers);
        Assert.Equal([plan.Network.Name], kept.RemovedNetworks);
        Assert.Empty(kept.RemovedVolumes);
        Assert.Equal(plan.Volumes.Select(v => v.Name), kept.KeptVolumes);
        // The builders go before the hub they depend on.
        var log = engine.Log.ToList();
        Assert.True(log.IndexOf("stop demo-builder-1") < log.IndexOf("stop demo-hub"));

        engine.Networks.Add(plan.Network.Name);
        var purged = await new FarmExecutor(engine, Fast).TearDownAsync(observed with { Containers = [] }, purge: true, null, CancellationToken.None);
        Assert.Equal(plan.Volumes.Select(v => v.Name), purged.RemovedVolumes);
        Assert.Empty(engine.Volumes);
    }

    [Fact]
    public async Task Down_purge_removes_every_container_in_dependency_order_without_stopping_them_first()
    {
        // The data goes too: nothing to shut down cleanly, and a CI job's teardown should not wait for it.
        var plan = SampleFarm.Plan(builders: 2);
        var observed = SampleFarm.Converged(plan);
        var engine = new RecordingEngine();

        var purged = await new FarmExecutor(engine, Fast).TearDownAsync(observed, purge: true, null, CancellationToken.None);

        Assert.Equal(plan.Containers.Select(c => c.Name).Order(StringComparer.Ordinal), purged.RemovedContainers);
        Assert.DoesNotContain(engine.Log, l => l.StartsWith("stop ", StringComparison.Ordinal));
        var log = engine.Log.ToList();
        Assert.True(log.IndexOf("remove demo-builder-1") < log.IndexOf("remove demo-hub"), string.Join("\n", log));
        Assert.True(log.IndexOf("remove demo-hub") < log.IndexOf("remove demo-db"), string.Join("\n", log));
    }

    [Fact]
    public async Task Down_finds_a_helper_container_of_the_stack_by_its_label_and_removes_it_first()
    {
        // A backup killed while its helper existed: `down` reads the engine by label only, as after a lost stack file.
        var engine = new RecordingEngine();
        foreach (var (role, name) in new[] { (Roles.Db, "demo-db"), (Roles.Hub, "demo-hub") })
            engine.Labelled.Add(($"id-{name}", name, new Dictionary<string, string> { [Labels.Stack] = "demo", [Labels.Role] = role }));
        var helper = ContainerParameters.Helper(new HelperContainer("demo", "backup", "koji-farm/postgres:1", []));
        engine.Labelled.Add(("id-demo-backup", helper.Name!, new Dictionary<string, string>(helper.Labels)));
        var other = ContainerParameters.Helper(new HelperContainer("other", "backup", "koji-farm/postgres:1", []));
        engine.Labelled.Add(("id-other-backup", other.Name!, new Dictionary<string, string>(other.Labels)));

        var down = await new FarmLifecycle(engine, Fast).DownAsync("demo", purge: false);

        Assert.Equal(["demo-backup", "demo-db", "demo-hub"], down.RemovedContainers);
        var log = engine.Log.ToList();
        Assert.True(log.IndexOf("remove demo-backup") < log.IndexOf("stop demo-hub"), string.Join("\n", log));
        Assert.DoesNotContain("remove other-backup", log);
    }
}
