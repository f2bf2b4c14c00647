using System.Diagnostics;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>What the bootstrap did, with the time of each part.</summary>
public sealed record BuildrootResult(string Nvr, bool ImageBuilt, bool Imported, IReadOnlyList<string> TaggedInto,
    TimeSpan ImageTime, TimeSpan ImportTime, TimeSpan Total)
{
    public bool Changed => Imported || TaggedInto.Count > 0;
}

/// <summary>
/// A buildroot for an OS line no RPM repository serves, the way Koji admins bootstrap a new
/// distribution: a Debian 12 tree wrapped in one RPM (the buildroot-debian recipe), imported into
/// Koji as a build (<c>createEmptyBuild</c> + <c>importRPM</c>, as <c>koji import --create-build</c>)
/// and tagged into the line's base tags, whose build groups name it.
/// The RPM is made once per machine: it lives in an image whose tag is the recipe's hash, never
/// labelled with a stack, so no <c>down --purge</c> removes it and every farm and test run on this
/// engine reuses it. Every step reads first: a re-run with everything in place only reads.
/// </summary>
public sealed class BuildrootBootstrap(DockerEngine engine, IKojiHub hub, EngineOptions options, IProgress<FarmEvent>? progress)
{
    public const string PackageName = "debian-buildroot";
    public const string Version = "12";
    private const string ImportRoot = "/mnt/koji/work";
    /// <summary>The purpose of the helper container the RPM is copied out of.</summary>
    public const string HolderPurpose = "buildroot-import";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Report(string what, string message) => progress?.Report(new FarmEvent(FarmStep.Buildroot, what, message, _clock.Elapsed));

    /// <summary>The image (and so the NVR) the bootstrap uses for this base image.</summary>
    public static ImageSpec Image(string baseImage, string imagesRoot, IReadOnlyDictionary<string, string>? debianPackages = null) =>
        ImageRecipes.Buildroot(baseImage, imagesRoot, DebianPackageMap.ToBuildArg(debianPackages ?? new Dictionary<string, string>()));

    public static string NvrOf(ImageSpec image) => $"{PackageName}-{Version}-{image.BuildArgs["RELEASE"]}";

    public async Task<BuildrootResult> EnsureAsync(string hubContainer, string baseImage, IReadOnlyList<string> tags, string owner,
        CancellationToken ct)
    {
        await hub.EnsureLoggedInAsync(ct);
        // The line's mapping of RPM names to Debian packages (its base tags' extra) is part of the image.
        var image = Image(baseImage, options.ImagesRoot, await DebianPackageMap.ReadAsync(hub, tags, ct));
        var release = image.BuildArgs["RELEASE"];
        var nvr = NvrOf(image);
        var imageTime = TimeSpan.Zero;
        var importTime = TimeSpan.Zero;
        var built = false;
        var imported = false;

        if (await hub.GetBuildAsync(nvr, ct) is null)
        {
            var watch = Stopwatch.StartNew();
            if (await engine.ImageIdAsync(image.Reference, ct) is null)
            {
                Report(image.Reference, "building the buildroot RPM from a Debian 12 tree (once per machine; a few minutes)");
                await using var context = FileArchive.BuildContext(image, options.ImagesRoot);
                var output = new List<string>();
                try
                {
                    await engine.BuildImageAsync(image, context, options.BuildNetworkMode, new CallbackProgress<string>(line =>
                    {
                        lock (output) output.Add(line);
                        if (line.StartsWith("Step ", StringComparison.Ordinal)) Report(image.Reference, line);
                    }), ct);
                }
                catch (FarmException e) when (DebianPackageMap.RecipeError(output) is { } bad)
                {
                    throw new InputException($"{DebianPackageMap.ExtraKey} of {string.Join(", ", tags)}: {bad}", e);
                }
                built = true;
                imageTime = watch.Elapsed;
                Report(image.Reference, $"built in {imageTime.TotalSeconds:F0} s");
            }
            else
                Report(image.Reference, "cached on this engine");

            watch.Restart();
            await ImportAsync(image, hubContainer, nvr, release, ct);
            imported = true;
            importTime = watch.Elapsed;
            Report(nvr, $"imported into Koji in {importTime.TotalSeconds:F1} s");
        }

        var tagged = new List<string>();
        foreach (var tag in tags)
        {
            if (!await hub.CheckTagPackageAsync(tag, PackageName, ct))
                await hub.PackageListAddAsync(tag, PackageName, owner, ct);
            if ((await hub.ListTaggedAsync(tag, PackageName, ct)).Any(b => b.Nvr == nvr))
                continue;
            await hub.TagBuildBypassAsync(tag, nvr, ct);
            tagged.Add(tag);
            Report(nvr, $"tagged into {tag}");
        }
        return new BuildrootResult(nvr, built, imported, tagged, imageTime, importTime, _clock.Elapsed);
    }

    /// <summary>
    /// Copies the RPM out of its image (a helper container of the hub's stack, created and never
    /// started) straight into the hub's work folder (two archive streams, nothing on this machine's
    /// disk), then imports it there.
    /// </summary>
    private async Task ImportAsync(ImageSpec image, string hubContainer, string nvr, string release, CancellationToken ct)
    {
        var folder = $"koji-farm-import/{nvr}";
        // The holder carries the hub's stack and farm labels: one a killed run leaves goes with the farm's next `up` or `down`.
        var hubLabels = (await engine.InspectContainerAsync(hubContainer, ct))?.Config?.Labels;
        var stack = hubLabels?.TryGetValue(Labels.Stack, out var s) == true ? s
            : throw new FarmException($"container {hubContainer} is not a koji-farm hub (it carries no {Labels.Stack} label)");
        await using (var holder = await engine.CreateHelperAsync(
                         new HelperContainer(stack, HolderPurpose, image.Reference, [], hubLabels.AsReadOnly()), ct))
        {
            await Exec(hubContainer, ["mkdir", "-p", $"{ImportRoot}/{folder}"], ct);
            await using var tar = await engine.GetArchiveAsync(holder.Id, "/out/.", ct);
            await engine.PutArchiveAsync(hubContainer, $"{ImportRoot}/{folder}", tar, ct);
        }
        // The hub (www-data) moves the file into /mnt/koji/packages.
        await Exec(hubContainer, ["chown", "-R", "www-data:www-data", $"{ImportRoot}/koji-farm-import"], ct);
        var listing = await Exec(hubContainer, ["ls", $"{ImportRoot}/{folder}"], ct);
        var rpm = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SingleOrDefault(f => f.StartsWith(nvr + ".", StringComparison.Ordinal) && f.EndsWith(".rpm", StringComparison.Ordinal))
            ?? throw new FarmException($"the buildroot image {image.Reference} holds no {nvr}.*.rpm (found: {listing.Trim()})");
        await hub.CreateEmptyBuildAsync(PackageName, Version, release, ct);
        await hub.ImportRpmAsync(folder, rpm, ct);
        await Exec(hubContainer, ["rm", "-rf", $"{ImportRoot}/{folder}"], ct);
    }

    private async Task<string> Exec(string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        var result = await engine.ExecAsync(container, command, ct);
        if (result.ExitCode != 0)
            throw new FarmException($"`{string.Join(' ', command)}` in {container} failed: {result}");
        return result.Stdout;
    }
}
