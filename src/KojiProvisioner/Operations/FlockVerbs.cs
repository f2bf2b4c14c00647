using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Flock;

namespace KojiProvisioner.Operations;

/// <summary>`flock buildroot`: what `up` does at its end for buildroot.bootstrap, on its own (e.g. after adding a base tag).</summary>
public sealed class FlockBuildroot(Stack stack)
{
    public async Task<BuildrootResult> RunAsync(IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var spec = stack.Spec;
        if (spec.Buildroot.Bootstrap.Length == 0)
            throw new InputException($"{stack.FilePath}: buildroot.bootstrap: not set: the stack's OS lines take their buildroots from their external repos");
        var definition = new Preview(stack).DefinitionWithState();
        // Held: an `up` meanwhile would take the import's helper container for a leftover.
        using var held = StateLock.Hold(stack, progress, ct);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        using var hub = AdminHub.Client(definition);
        return await new BuildrootBootstrap(engine, hub, new EngineOptions(), progress).EnsureAsync(
            definition.Names.Container(Roles.Hub), spec.Koji.BaseImage!, spec.Buildroot.Tags, spec.Admin.Name, ct);
    }
}

/// <summary>`flock build`: Koji builds of the Flock's package-git repositories, in BuildRequires layers, waited for and reported.</summary>
public sealed class FlockBuild(Stack stack)
{
    public Task<FlockBuildReport> RunAsync(IReadOnlyList<FlockItem> items, IProgress<string>? progress, CancellationToken ct) =>
        WithBuilderAsync(progress, builder => builder.BuildAsync(items, ct), ct);

    /// <summary>`flock build --dry-run`: the layers and what each package would do, read from the specs and the hub; no write.</summary>
    public Task<FlockBuildPlan> PlanAsync(IReadOnlyList<FlockItem> items, IProgress<string>? progress, CancellationToken ct) =>
        WithBuilderAsync(progress, builder => builder.PlanAsync(items, ct), ct);

    private async Task<T> WithBuilderAsync<T>(IProgress<string>? progress, Func<FlockBuilder, Task<T>> run, CancellationToken ct)
    {
        var definition = new Preview(stack).DefinitionWithState();
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        using var hub = AdminHub.Client(definition);
        var names = definition.Names;
        // The specs are read (for BuildRequires and NVRs) through the first local builder's git.
        // A layer's repo wait says what it waits for as wait-repo does (this farm's builders, kojira).
        var builder = new FlockBuilder(hub, new BuilderCheckout(engine, names.Builder(1)),
            new FlockUrls(names.PublicFilesUrl, names.PublicWebUrl), progress,
            repoWaiter: new FarmReadiness(stack, hub, engine).RepoWaiter(), jobSlots: stack.Spec.Builders.BuildJobSlots());
        return await run(builder);
    }
}
