using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// The verbs the CLI offers, each one observe → plan → execute on one engine:
/// preview (plan only), up (converge), down (remove, keep volumes unless purged), status.
/// </summary>
public sealed class FarmLifecycle(IDockerEngine engine, EngineOptions? options = null)
{
    private readonly FarmObserver _observer = new(engine);
    private readonly FarmExecutor _executor = new(engine, options);

    public Task<ObservedFarm> ObserveAsync(FarmPlan plan, CancellationToken ct = default) =>
        _observer.ObserveAsync(plan.Stack, plan.Images.Select(i => i.Reference), ct);

    /// <summary>What up would do, without changing anything.</summary>
    public async Task<ConvergePlan> PreviewAsync(FarmPlan plan, CancellationToken ct = default) =>
        ConvergePlanner.Plan(plan, await ObserveAsync(plan, ct));

    /// <summary>
    /// The same, from a reading of the stack's containers, networks and volumes taken earlier
    /// (<see cref="ObserveStackAsync"/>, made while the plan itself was being built); only the
    /// images are read now, since their references come from the plan.
    /// </summary>
    public async Task<ConvergePlan> PreviewAsync(FarmPlan plan, ObservedFarm stackObserved, CancellationToken ct = default) =>
        ConvergePlanner.Plan(plan, stackObserved with { ImageIds = await _observer.ImageIdsAsync(plan.Images.Select(i => i.Reference), ct) });

    /// <summary>The stack's containers, networks and volumes, for <see cref="PreviewAsync(FarmPlan, ObservedFarm, CancellationToken)"/>.</summary>
    public Task<ObservedFarm> ObserveStackAsync(string stack, CancellationToken ct = default) => _observer.ObserveAsync(stack, [], ct);

    /// <summary>
    /// Converges the engine on the plan and returns the plan it ran. Safe to re-run and to interrupt:
    /// what exists is read from labels, so the next run finishes what this one started.
    /// </summary>
    /// <param name="hooks">Steps to run once a container is healthy (see <see cref="HookStep"/>), with <paramref name="runHook"/>.</param>
    public async Task<ConvergePlan> UpAsync(FarmPlan plan, IProgress<FarmEvent>? progress = null,
        IReadOnlyList<HookStep>? hooks = null, Func<HookStep, CancellationToken, Task<IReadOnlyList<string>>>? runHook = null,
        CancellationToken ct = default)
    {
        var converge = await PreviewAsync(plan, ct) with { Hooks = hooks ?? [] };
        await ExecuteAsync(converge, progress, runHook, ct);
        return converge;
    }

    /// <summary>Runs a plan made by <see cref="PreviewAsync"/>, for callers that look at it first.</summary>
    public Task ExecuteAsync(ConvergePlan converge, IProgress<FarmEvent>? progress = null,
        Func<HookStep, CancellationToken, Task<IReadOnlyList<string>>>? runHook = null, CancellationToken ct = default) =>
        _executor.ExecuteAsync(converge, progress, runHook, ct);

    /// <summary>Removes the stack's containers and network; its volumes too when <paramref name="purge"/>.</summary>
    public async Task<DownResult> DownAsync(string stack, bool purge, IProgress<FarmEvent>? progress = null, CancellationToken ct = default) =>
        await _executor.TearDownAsync(await _observer.ObserveAsync(stack, [], ct), purge, progress, ct);

    /// <summary>Every container of the stack, and every planned one that is missing when a plan is given.</summary>
    public async Task<FarmStatus> StatusAsync(string stack, FarmPlan? plan = null, CancellationToken ct = default) =>
        FarmStatus.From(await _observer.ObserveAsync(stack, plan?.Images.Select(i => i.Reference) ?? [], ct), plan);
}
