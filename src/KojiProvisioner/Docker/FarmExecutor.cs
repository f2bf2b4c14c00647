using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// Runs a <see cref="ConvergePlan"/> and carries no decisions of its own: network and volumes,
/// images, orphan removal, then containers in dependency order — each one healthy (and the plan's
/// <see cref="HookStep"/>s after it done) before its dependents start, independent ones in parallel.
/// A container counts as done only once started: one created but never started (a run killed
/// between create, copy-in and start) is recreated by the next run.
/// </summary>
public sealed class FarmExecutor(IDockerEngine engine, EngineOptions? options = null)
{
    private readonly EngineOptions _options = options ?? new EngineOptions();
    // Checks run directly while waiting, at most one per CPU at a time: each starts Python and
    // the koji library (~0.4 s of CPU), and twenty builders checked once a second each pushed a
    // 2-core host's load average past 40, where kojid takes no task and every check fails.
    private readonly SemaphoreSlim _directChecks = new(Math.Max(1, Environment.ProcessorCount));

    /// <param name="runHook">
    /// Runs one of the plan's <see cref="ConvergePlan.Hooks"/> and returns what it changed (each
    /// change is reported); required when the plan has hooks.
    /// </param>
    public async Task ExecuteAsync(ConvergePlan plan, IProgress<FarmEvent>? progress = null,
        Func<HookStep, CancellationToken, Task<IReadOnlyList<string>>>? runHook = null, CancellationToken ct = default)
    {
        if (plan.Hooks.Count > 0 && runHook is null)
            throw new ArgumentException("the plan has hooks and no runner was given for them", nameof(runHook));
        // An image that must be built from an input nobody supplied stops the run before anything changes.
        if (plan.Of(ResourceKind.Image).FirstOrDefault(s => s.Action == StepAction.Build && s.Image?.Unbuildable is not null) is { } unbuildable)
            throw new InputException(unbuildable.Image!.Unbuildable!);
        var run = new Run(progress);

        foreach (var step in plan.Of(ResourceKind.Network).Where(s => s.Action == StepAction.Create))
        {
            await engine.CreateNetworkAsync(step.Name, plan.Stack, ct, plan.Labels);
            run.Report(FarmStep.Network, step.Name, "created");
        }
        foreach (var step in plan.Of(ResourceKind.Volume).Where(s => s.Action == StepAction.Create))
        {
            // The farm's labels, and the state folder's fingerprint that only volumes carry.
            var labels = new Dictionary<string, string>(plan.Labels, StringComparer.Ordinal);
            foreach (var (key, value) in plan.VolumeLabels ?? new Dictionary<string, string>())
                labels[key] = value;
            await engine.CreateVolumeAsync(step.Name, plan.Stack, ct, labels, plan.VolumeOptions.GetValueOrDefault(step.Name));
            run.Report(FarmStep.Volume, step.Name, "created");
        }
        await BuildAllAsync(plan.Of(ResourceKind.Image).Where(s => s.Action == StepAction.Build).Select(s => s.Image!).ToList(), run, ct);

        var orphans = plan.Of(ResourceKind.Container).Where(s => s.Action == StepAction.Remove);
        foreach (var group in DependencyOrder.TeardownGroups(orphans, s => s.Role ?? ""))
            await Task.WhenAll(group.Select(s => StopAndRemoveAsync(s.ExistingId!, s.Name, run, ct)));

        await RunContainersAsync(plan, run, runHook, ct);
    }

    /// <summary>
    /// Builds the images side by side: most of a build is apt downloading and dpkg unpacking, one
    /// process each, so two builds on two cores take about the time of the longer one. An image
    /// whose build arguments name another of these images (the builder image is FROM the Koji
    /// image) waits for that one; the first failure stops the others.
    /// </summary>
    private async Task BuildAllAsync(IReadOnlyList<ImageSpec> images, Run run, CancellationToken ct)
    {
        if (images.Count == 0)
            return;
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ExceptionDispatchInfo? firstFailure = null;
        var builds = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var image in OrderedByBase(images))
        {
            var bases = image.BuildArgs.Values.Where(builds.ContainsKey).Select(v => builds[v]).ToArray();
            builds[image.Reference] = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(bases);
                    await BuildAsync(image, run, stopAll.Token);
                }
                catch (Exception e) when (!stopAll.IsCancellationRequested)
                {
                    // The build that failed is the one to report, not those it stopped.
                    Interlocked.CompareExchange(ref firstFailure, ExceptionDispatchInfo.Capture(e), null);
                    await stopAll.CancelAsync();
                    throw;
                }
            }, CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(builds.Values);
        }
        catch (Exception) when (firstFailure is not null)
        {
            firstFailure.Throw();
        }
    }

    /// <summary>Images in an order where each comes after the images its build arguments name.</summary>
    private static IEnumerable<ImageSpec> OrderedByBase(IReadOnlyList<ImageSpec> images)
    {
        var byReference = images.ToDictionary(i => i.Reference, StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<ImageSpec>();
        void Place(ImageSpec image, int depth)
        {
            if (depth > images.Count)
                throw new InvalidOperationException($"image {image.Reference} names itself among its bases");
            foreach (var name in image.BuildArgs.Values)
                if (byReference.TryGetValue(name, out var baseImage) && !placed.Contains(name))
                    Place(baseImage, depth + 1);
            if (placed.Add(image.Reference))
                order.Add(image);
        }
        foreach (var image in images)
            Place(image, 0);
        return order;
    }

    private async Task BuildAsync(ImageSpec image, Run run, CancellationToken ct)
    {
        // Someone else (another stack, an earlier interrupted run) may have built it since we looked.
        if (await engine.ImageIdAsync(image.Reference, ct) is not null)
        {
            run.Report(FarmStep.Build, image.Reference, "exists");
            return;
        }
        run.Report(FarmStep.Build, image.Reference, $"building from recipe {image.Recipe}");
        await using var context = FileArchive.BuildContext(image, _options.ImagesRoot);
        await engine.BuildImageAsync(image, context, _options.BuildNetworkMode,
            new CallbackProgress<string>(line => run.Report(FarmStep.Build, image.Reference, line)), ct);
        run.Report(FarmStep.Build, image.Reference, "built");
    }

    private async Task RunContainersAsync(ConvergePlan plan, Run run, Func<HookStep, CancellationToken, Task<IReadOnlyList<string>>>? runHook,
        CancellationToken ct)
    {
        var steps = plan.Of(ResourceKind.Container).Where(s => s.Action != StepAction.Remove).ToList();
        var failures = new ConcurrentQueue<ExceptionDispatchInfo>();
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Dependents start once a container is ready (its check passed, its hook ran); its own task
        // goes on until the engine, too, reports it healthy, so `status` agrees when `up` returns.
        var ready = new Dictionary<string, TaskCompletionSource<bool>>(StringComparer.Ordinal);
        var done = new Dictionary<string, Task<bool>>(StringComparer.Ordinal);

        // Steps come in start order, so every dependency already has its task.
        foreach (var step in steps)
        {
            var deps = step.Container!.DependsOn.Select(d => ready.TryGetValue(d, out var t) ? t.Task : Task.FromResult(true)).ToArray();
            var mine = ready[step.Name] = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            done[step.Name] = Task.Run(async () =>
            {
                if ((await Task.WhenAll(deps)).Any(ok => !ok))
                {
                    mine.TrySetResult(false);
                    return false; // a dependency failed: its error is the one to show
                }
                try
                {
                    await ConvergeContainerAsync(step, plan, run, runHook, () => mine.TrySetResult(true), stopAll.Token);
                    return true;
                }
                catch (OperationCanceledException) when (stopAll.IsCancellationRequested)
                {
                    mine.TrySetResult(false);
                    return false;
                }
                catch (Exception e)
                {
                    failures.Enqueue(ExceptionDispatchInfo.Capture(e));
                    mine.TrySetResult(false);
                    await stopAll.CancelAsync(); // no new starts once something failed
                    return false;
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(done.Values);
        if (failures.IsEmpty)
            ct.ThrowIfCancellationRequested();
        if (failures.Count == 1)
            failures.Single().Throw();
        if (failures.Count > 1)
        {
            var all = failures.Select(f => f.SourceException).ToList();
            if (all.All(e => e is FarmException))
                throw new FarmException(string.Join("\n", all.Select(e => e.Message)), ExitCode.Failed, new AggregateException(all));
            throw new AggregateException(all);
        }
    }

    private async Task ConvergeContainerAsync(ConvergeStep step, ConvergePlan plan, Run run,
        Func<HookStep, CancellationToken, Task<IReadOnlyList<string>>>? runHook, Action markReady, CancellationToken ct)
    {
        var spec = step.Container!;
        string id;
        switch (step.Action)
        {
            case StepAction.Keep:
                id = step.ExistingId!;
                run.Report(FarmStep.Keep, spec.Name, step.Cause);
                break;
            case StepAction.Start:
                id = step.ExistingId!;
                await engine.StartContainerAsync(id, spec.Name, ct);
                run.Report(FarmStep.Start, spec.Name, $"started ({step.Cause})");
                break;
            case StepAction.Recreate:
                await StopAndRemoveAsync(step.ExistingId!, spec.Name, run, ct);
                id = await CreateAndStartAsync(spec, plan, run, $"recreated: {step.Cause}", ct);
                break;
            case StepAction.Create:
                id = await CreateAndStartAsync(spec, plan, run, "created", ct);
                break;
            default:
                throw new InvalidOperationException($"no container action {step.Action}");
        }

        bool engineSaysHealthy;
        if (step is { Action: StepAction.Keep, SeenHealthy: true })
        {
            // Read healthy for this very plan, a moment ago: no second inspect.
            run.Report(FarmStep.Healthy, spec.Name, spec.Health.Runs ? "healthy" : "running (no health check)");
            engineSaysHealthy = true;
        }
        else
            engineSaysHealthy = await WaitHealthyAsync(id, spec, run, direct: _options.DirectHealthChecks, ct);
        foreach (var hook in plan.HooksAfter(spec.Name))
        {
            var changes = await runHook!(hook, ct);
            // Under the container it waited on, as `onhealthy demo-hub: add host demo-builder-1 ...`.
            foreach (var change in changes)
                run.Report(FarmStep.OnHealthy, spec.Name, change);
            run.Report(FarmStep.OnHealthy, spec.Name, $"{hook.Action} {hook.Kind} {hook.Name}: {(changes.Count == 0 ? "nothing to change" : "done")}");
        }
        markReady();
        if (!engineSaysHealthy)
            await WaitHealthyAsync(id, spec, run, direct: false, ct, quiet: true);
    }

    private async Task<string> CreateAndStartAsync(ContainerSpec spec, ConvergePlan plan, Run run, string what, CancellationToken ct)
    {
        var id = await engine.CreateContainerAsync(ContainerParameters.From(spec, plan.Stack, plan.Network, plan.Labels), ct);
        run.Report(FarmStep.Create, spec.Name, what);
        // Killed from here to the start, the container stays "never started" and the next run recreates it.
        await engine.CopyFilesAsync(id, spec.Name, spec.Files, ct);
        if (spec.Files.Count > 0)
            run.Report(FarmStep.CopyFiles, spec.Name, $"{spec.Files.Count} file(s) copied in");
        await engine.StartContainerAsync(id, spec.Name, ct);
        run.Report(FarmStep.Start, spec.Name, "started");
        return id;
    }

    /// <summary>
    /// Waits until the container's health check passes (or, without one, until it runs). With
    /// <paramref name="direct"/> the check's own command is also run in the container (docker exec)
    /// about once a second: the engine of Docker 20.10 runs the first check only one interval after
    /// the start, which would make every dependent wait out that interval. Returns whether the
    /// engine itself reported the container healthy (false: only the direct run passed).
    /// </summary>
    private async Task<bool> WaitHealthyAsync(string id, ContainerSpec spec, Run run, bool direct, CancellationToken ct, bool quiet = false)
    {
        var hasCheck = spec.Health is { Runs: true };
        var budget = _options.HealthTimeout ?? Budget(spec.Health, hasCheck);
        var waited = Stopwatch.StartNew();
        var reported = quiet;
        string? lastOutput = null;
        var directCommand = direct && hasCheck ? DirectCommand(spec.Health!) : null;
        var lastDirect = Stopwatch.StartNew();
        var firstDirect = true;
        while (true)
        {
            var c = await engine.InspectContainerAsync(id, ct)
                    ?? throw new FarmException($"container {spec.Name} disappeared while waiting for it to become healthy");
            var state = c.State ?? throw new FarmException($"container {spec.Name}: the engine reported no state");
            var health = state.Health?.Status is { Length: > 0 } s && s != "none" ? s : null;
            lastOutput = state.Health?.Log?.LastOrDefault()?.Output?.Trim() is { Length: > 0 } o ? o : lastOutput;

            if (health == "healthy" || (health is null && !hasCheck && state.Running))
            {
                if (!quiet)
                    run.Report(FarmStep.Healthy, spec.Name, health is null ? "running (no health check)" : "healthy");
                return true;
            }
            if (!state.Running && !state.Restarting)
            {
                var logs = await engine.LogTailAsync(id, _options.LogTailLines, ct);
                throw new FarmException(
                    $"container {spec.Name} exited with code {state.ExitCode}{(state.OOMKilled ? " (out of memory)" : "")} " +
                    $"before it became healthy; last lines of its output:\n{Indent(logs)}");
            }
            if (waited.Elapsed > budget)
            {
                var logs = await engine.LogTailAsync(id, _options.LogTailLines, ct);
                throw new FarmException(
                    $"container {spec.Name} did not become healthy within {budget.TotalSeconds:0} s " +
                    $"(health: {health ?? "none"}{(c.RestartCount > 0 ? $", restarted {c.RestartCount} times" : "")}); " +
                    $"last health check output: {lastOutput ?? "(no check has finished yet)"}\n" +
                    $"last lines of its output:\n{Indent(logs)}");
            }
            if (!reported)
            {
                run.Report(FarmStep.WaitHealthy, spec.Name, $"waiting up to {budget.TotalSeconds:0} s for it to become healthy");
                reported = true;
            }
            if (directCommand is not null && state.Running && (firstDirect || lastDirect.Elapsed >= _options.DirectCheckInterval))
            {
                firstDirect = false;
                var result = await RunCheckAsync(id, directCommand, spec.Health!.Timeout, ct);
                lastDirect.Restart();
                if (result is { ExitCode: 0 })
                {
                    run.Report(FarmStep.Healthy, spec.Name, "healthy (its check passed, run directly)");
                    return false;
                }
                if (result is not null && (result.Stdout + result.Stderr).Trim() is { Length: > 0 } output)
                    lastOutput = output;
            }
            await Task.Delay(_options.PollInterval, ct);
        }
    }

    /// <summary>The health check as a command to exec: CMD args as they are, CMD-SHELL through sh.</summary>
    private static IReadOnlyList<string>? DirectCommand(HealthCheck health)
    {
        var test = health.Test;
        if (test.Count > 1 && test[0] == "CMD")
            return test.Skip(1).ToList();
        if (test.Count == 2 && test[0] == "CMD-SHELL")
            return ["/bin/sh", "-c", test[1]];
        return null;
    }

    /// <summary>Runs the check once; null when it could not run (container restarting) or took longer than its timeout.</summary>
    private async Task<ExecResult?> RunCheckAsync(string id, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct)
    {
        await _directChecks.WaitAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(30));
        try
        {
            return await engine.ExecAsync(id, command, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (FarmException)
        {
            return null;
        }
        finally
        {
            _directChecks.Release();
        }
    }

    private static TimeSpan Budget(HealthCheck? h, bool hasCheck) =>
        !hasCheck || h is null
            ? TimeSpan.FromSeconds(30)
            : h.StartPeriod + (h.Interval + h.Timeout) * (h.Retries + 1) + TimeSpan.FromSeconds(30);

    private static string Indent(string text) =>
        text.Length == 0 ? "  (no output)" : string.Join("\n", text.Split('\n').Select(l => "  " + l.TrimEnd('\r')));

    /// <summary>`docker stop` then remove; a container already gone is a warning, not a failure.</summary>
    private async Task<bool> StopAndRemoveAsync(string id, string name, Run run, CancellationToken ct)
    {
        if (await engine.StopContainerAsync(id, name, _options.StopTimeout, ct))
            run.Report(FarmStep.Stop, name, "stopped");
        return await RemoveAsync(id, name, run, ct);
    }

    /// <summary>Force-removes a running or stopped container; one already gone is a warning.</summary>
    private async Task<bool> RemoveAsync(string id, string name, Run run, CancellationToken ct)
    {
        if (await engine.RemoveContainerAsync(id, name, ct))
        {
            run.Report(FarmStep.Remove, name, "removed");
            return true;
        }
        run.Report(FarmStep.Warning, name, "not found while removing: already gone");
        return false;
    }

    /// <summary>
    /// Removes every container and the network of a stack, by label: builders and kojira first, then
    /// web, hub, db. Volumes stay unless <paramref name="purge"/>; the result says what was kept.
    /// </summary>
    public async Task<DownResult> TearDownAsync(ObservedFarm observed, bool purge, IProgress<FarmEvent>? progress = null,
        CancellationToken ct = default)
    {
        var run = new Run(progress);
        var removed = new ConcurrentBag<string>();
        // Dependents first. Purged, the data goes with the containers: nothing is left to shut down
        // cleanly, so they are removed (killed) without waiting for a stop.
        foreach (var group in DependencyOrder.TeardownGroups(observed.Containers, c => c.Role))
            await Task.WhenAll(group.Select(async c =>
            {
                if (purge ? await RemoveAsync(c.Id, c.Name, run, ct) : await StopAndRemoveAsync(c.Id, c.Name, run, ct))
                    removed.Add(c.Name);
            }));

        var networks = await RemoveEachAsync(observed.Networks, engine.RemoveNetworkAsync, FarmStep.Network, run, ct);
        var removedVolumes = new List<string>();
        if (purge)
            removedVolumes = await RemoveEachAsync(observed.Volumes, engine.RemoveVolumeAsync, FarmStep.Volume, run, ct);
        else
            foreach (var volume in observed.Volumes)
                run.Report(FarmStep.Volume, volume, "kept (down --purge removes it)");

        return new DownResult(
            observed.Stack,
            removed.Order(StringComparer.Ordinal).ToList(),
            networks,
            removedVolumes,
            purge ? [] : observed.Volumes,
            run.Warnings.ToList());
    }

    /// <summary>Removes each object in turn; one already gone is a warning, not an error.</summary>
    private static async Task<List<string>> RemoveEachAsync(IEnumerable<string> names, Func<string, CancellationToken, Task<bool>> remove,
        FarmStep step, Run run, CancellationToken ct)
    {
        var removed = new List<string>();
        foreach (var name in names)
        {
            if (await remove(name, ct))
            {
                removed.Add(name);
                run.Report(step, name, "removed");
            }
            else
                run.Report(FarmStep.Warning, name, "not found while removing: already gone");
        }
        return removed;
    }

    /// <summary>One command's clock, progress sink and warnings.</summary>
    private sealed class Run(IProgress<FarmEvent>? progress)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public ConcurrentQueue<string> Warnings { get; } = new();

        public void Report(FarmStep step, string resource, string message)
        {
            if (step == FarmStep.Warning)
                Warnings.Enqueue($"{resource}: {message}");
            progress?.Report(new FarmEvent(step, resource, message, _clock.Elapsed));
        }
    }
}

/// <summary>What `down` did: removed containers and networks, removed or kept volumes, warnings.</summary>
public sealed record DownResult(
    string Stack,
    IReadOnlyList<string> RemovedContainers,
    IReadOnlyList<string> RemovedNetworks,
    IReadOnlyList<string> RemovedVolumes,
    IReadOnlyList<string> KeptVolumes,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The stack's state folder, when this `down --purge` deleted it.</summary>
    public string? RemovedStateFolder { get; init; }
    /// <summary>What `down --purge` left because koji-farm did not make it (an external database), each with why.</summary>
    public IReadOnlyList<string> Kept { get; init; } = [];
}
