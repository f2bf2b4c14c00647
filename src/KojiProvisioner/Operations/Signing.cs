using System.Diagnostics;
using System.Text;
using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Flock;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>What `sign` did to one build: its RPMs, how many it signed now, how many carried a company signature already.</summary>
public sealed record SignedBuild(string Nvr, int Rpms, int Signed, int AlreadySigned);

/// <summary>What `sign` did: the key it signed with (made now or not), each build, where the public key is.</summary>
public sealed record SignReport(SigningKey Key, bool KeyMade, IReadOnlyList<SignedBuild> Builds, string PublicKeyUrl, double Seconds)
{
    public int Signed => Builds.Sum(b => b.Signed);
}

/// <summary>A dist repo asked of Koji: its task, repo id, base URL and a `.repo` file for hosts.</summary>
public sealed record DistRepoResult(string Tag, int Task, int? RepoId, string BaseUrl, string RepoFile, IReadOnlyList<string> Keys, bool Ready, double Seconds);

/// <summary>
/// The company's signing key and what uses it: where its public key is published under the hub's
/// /kojifiles, making it, and putting it there. The private key stays in the state folder; only
/// a <see cref="SigningBench"/> ever receives it.
/// </summary>
public sealed class CompanyKey(Stack stack, FarmNames names)
{
    public const string KeysFolder = "keys";
    public const int DefaultBits = 4096;

    public SigningKeys Keys { get; } = new(stack.StateDirectory);

    /// <summary>The stable URL of the current public key.</summary>
    public string PublicKeyUrl => $"{names.PublicFilesUrl}/{KeysFolder}/{stack.Name}.asc";

    /// <summary>Each key alone, by its sigkey: what a `.repo` lists so old signatures still verify.</summary>
    public string KeyUrl(SigningKey key) => $"{names.PublicFilesUrl}/{KeysFolder}/{key.PublishedName(stack.Name)}";

    public async Task<(SigningKey Key, bool Made)> EnsureAsync(DockerEngine engine, bool newKey, IProgress<string>? progress, CancellationToken ct)
    {
        if (!newKey && Keys.Current is { } current)
            return (current, false);
        await using var bench = await SigningBench.StartAsync(engine, new EngineOptions(), stack.Name, progress, ct);
        var (fingerprint, pub, secret) = await bench.GenerateAsync($"{stack.Spec.Organization} packages ({stack.Name})",
            $"koji-farm-{stack.Name}@{stack.Spec.Hub.PublicHost}", DefaultBits, ct);
        var key = Keys.Add(fingerprint, pub, secret);
        progress?.Report($"made the company signing key {key.KeyId} (RSA {DefaultBits}) in {Keys.Path}");
        return (key, true);
    }

    /// <summary>Copies the public keys into /mnt/koji/keys/ through the hub container: STACK.asc (current) and STACK-SIGKEY.asc each.</summary>
    public async Task PublishAsync(DockerEngine engine, CancellationToken ct)
    {
        var all = Keys.All();
        if (all.Count == 0)
            return;
        var dir = $"/mnt/koji/{KeysFolder}";
        var files = all.Select(k => new ContainerFile($"{dir}/{k.PublishedName(stack.Name)}", Encoding.ASCII.GetBytes(k.PublicKey), 0x1a4))
            .Append(new ContainerFile($"{dir}/{stack.Name}.asc", Encoding.ASCII.GetBytes(all[0].PublicKey), 0x1a4)).ToList();
        var hub = names.Container(Roles.Hub);
        await engine.CopyFilesAsync(hub, hub, files, ct);
    }
}

/// <summary>
/// `sign`: every RPM of the named builds (or of the tag's latest builds) that carries no company
/// signature is signed in a <see cref="SigningBench"/>, its signature header imported into Koji
/// (addRPMSig, as `koji import-sig`) and the signed copy written (writeSignedRPM).
/// Reads first: a build whose RPMs are all signed costs two hub calls and no container.
/// </summary>
public sealed class SignBuilds(Stack stack)
{
    /// <summary>`sign --new-key` alone: a new current key, published; nothing signed.</summary>
    public async Task<SigningKey> NewKeyAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var definition = new Preview(stack).DefinitionWithState();
        // Held: a new key is written to the state folder.
        using var held = StateLock.Hold(stack, m => progress?.Report(m), ct);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        var company = new CompanyKey(stack, definition.Names);
        var (key, _) = await company.EnsureAsync(engine, newKey: true, progress, ct);
        await company.PublishAsync(engine, ct);
        return key;
    }

    public async Task<SignReport> RunAsync(string? tag, IReadOnlyList<string> nvrs, bool newKey, IProgress<string>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var definition = new Preview(stack).DefinitionWithState();
        // Held: the first run writes the key to the state folder, and an `up` meanwhile would take
        // the signer container for a leftover helper and remove it mid-signature.
        using var held = StateLock.Hold(stack, m => progress?.Report(m), ct);
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        using var hub = AdminHub.Client(definition);
        var builds = await SigningInput.BuildsAsync(hub, tag, nvrs, ct);

        var company = new CompanyKey(stack, definition.Names);
        var (key, made) = await company.EnsureAsync(engine, newKey, progress, ct);
        await company.PublishAsync(engine, ct);
        var ours = company.Keys.All().Select(k => k.Sigkey).ToHashSet(StringComparer.Ordinal);

        await hub.EnsureLoggedInAsync(ct);
        var hubContainer = definition.Names.Container(Roles.Hub);
        SigningBench? bench = null;
        var rows = new List<SignedBuild>();
        try
        {
            foreach (var build in builds)
            {
                var rpms = await hub.RpmsOfAsync(build.Id, ct);
                var sigs = await hub.SignaturesAsync(rpms, ct);
                var todo = rpms.Where(r => !sigs[r.Id].Overlaps(ours)).ToList();
                if (todo.Count > 0 && bench is null)
                {
                    bench = await SigningBench.StartAsync(engine, new EngineOptions(), stack.Name, progress, ct);
                    await bench.ImportAsync([key], ct);
                }
                foreach (var rpm in todo)
                {
                    var header = await bench!.SignAsync(key.Fingerprint, hubContainer, build.RpmPath(rpm), ct);
                    await hub.AddSignatureAsync(rpm.Id, header, ct);
                    await hub.WriteSignedCopyAsync(rpm.Id, key.Sigkey, ct);
                }
                rows.Add(new SignedBuild(build.Nvr, rpms.Count, todo.Count, rpms.Count - todo.Count));
                progress?.Report(todo.Count > 0
                    ? $"{build.Nvr}: signed {todo.Count} of {rpms.Count} RPM(s) with key {key.Sigkey}"
                    : $"{build.Nvr}: all {rpms.Count} RPM(s) carry the company signature already");
            }
        }
        finally
        {
            if (bench is not null)
                await bench.DisposeAsync();
        }
        return new SignReport(key, made, rows, company.PublicKeyUrl, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>`dist-repo`: Koji's distRepo of a tag with the company's keys; every build in it must carry a company signature.</summary>
public sealed class DistRepo(Stack stack)
{
    public async Task<DistRepoResult> RunAsync(string tag, bool wait, IProgress<string>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var definition = new Preview(stack).DefinitionWithState();
        using var hub = AdminHub.Client(definition);
        var builds = await SigningInput.BuildsAsync(hub, tag, [], ct);
        var company = new CompanyKey(stack, definition.Names);
        var keys = company.Keys.All();
        if (keys.Count == 0)
            throw new FarmException($"stack '{stack.Name}' has no company signing key yet: `koji-farm sign --stack {stack.Name} --tag {tag}` makes it and signs the tag");
        var sigkeys = keys.Select(k => k.Sigkey).ToList();

        var unsigned = new List<string>();
        foreach (var build in builds)
        {
            var rpms = (await hub.RpmsOfAsync(build.Id, ct)).Where(r => r.Arch != "src").ToList();
            var sigs = await hub.SignaturesAsync(rpms, ct);
            if (rpms.Any(r => !sigs[r.Id].Overlaps(sigkeys)))
                unsigned.Add(build.Nvr);
        }
        if (unsigned.Count > 0)
            throw new FarmException($"tag {tag} holds build(s) without the company signature ({string.Join(", ", sigkeys)}): {string.Join(", ", unsigned)}; " +
                $"`koji-farm sign --stack {stack.Name} --tag {tag}` signs them");
        var arches = await hub.TagArchesAsync(tag, ct);
        if (arches.Count == 0)
            throw new InputException($"tag {tag} has no arches (nor inherits any): a dist repo is made per arch");

        using (var engine = await DockerEngine.ConnectAsync(ct: ct))
            await company.PublishAsync(engine, ct);
        await hub.EnsureLoggedInAsync(ct);
        var taskId = await hub.DistRepoAsync(tag, sigkeys, arches, ct);
        progress?.Report($"distRepo task {taskId} for {tag} ({string.Join(", ", arches)}), keys {string.Join(", ", sigkeys)}: {definition.Names.PublicWebUrl}/taskinfo?taskID={taskId}");
        var task = await hub.GetTaskInfoAsync(taskId, ct, request: true);
        while (wait && task.State is not (TaskState.Closed or TaskState.Canceled or TaskState.Failed))
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            task = await hub.GetTaskInfoAsync(taskId, ct, request: true);
        }
        if (task.State is TaskState.Failed or TaskState.Canceled)
        {
            string why;
            try
            {
                await hub.GetTaskResultAsync(taskId, ct);
                why = "canceled";
            }
            catch (KojiFaultException e)
            {
                why = e.ErrorMessage;
            }
            throw new FarmException($"distRepo task {taskId} for {tag} failed: {why} ({definition.Names.PublicWebUrl}/taskinfo?taskID={taskId})");
        }
        int? repoId = task.Request.Count > 1 ? Convert.ToInt32(task.Request[1], System.Globalization.CultureInfo.InvariantCulture) : null;
        var baseUrl = $"{definition.Names.PublicFilesUrl}/repos-dist/{tag}/latest/$basearch/";
        var repoFile = $"""
            # {tag} from koji-farm stack {stack.Name}: packages signed with key {keys[0].KeyId}.
            # The URLs are https with the farm's CA: trust it on the host (or set sslcacert=).
            [{stack.Name}-{tag}]
            name={tag} ({stack.Name})
            baseurl={baseUrl}
            enabled=1
            gpgcheck=1
            gpgkey={string.Join(' ', keys.Select(company.KeyUrl))}

            """;
        return new DistRepoResult(tag, taskId, repoId, baseUrl, repoFile, sigkeys, task.State == TaskState.Closed, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>Which builds `sign` and `dist-repo` work on: bad names are the user's to fix (exit 2).</summary>
internal static class SigningInput
{
    public static async Task<IReadOnlyList<KojiBuildRef>> BuildsAsync(IKojiHub hub, string? tag, IReadOnlyList<string> nvrs, CancellationToken ct)
    {
        var builds = new List<KojiBuildRef>();
        if (tag is not null)
        {
            if (!await hub.TagExistsAsync(tag, ct))
                throw new InputException($"unknown tag '{tag}': the hub has no such tag");
            builds.AddRange(await hub.LatestTaggedAsync(tag, ct));
            if (builds.Count == 0)
                throw new InputException($"tag '{tag}' holds no builds: nothing to sign or publish");
        }
        foreach (var nvr in nvrs)
        {
            var build = await hub.BuildAsync(nvr, ct) ?? throw new InputException($"unknown build '{nvr}': the hub has no such NVR");
            if (!build.Complete)
                throw new InputException($"build {nvr} is not complete (state {build.State}): only complete builds are signed");
            if (builds.All(b => b.Id != build.Id))
                builds.Add(build);
        }
        if (builds.Count == 0)
            throw new InputException("name a tag (--tag) or builds (--build NVR) to sign");
        return builds;
    }
}
