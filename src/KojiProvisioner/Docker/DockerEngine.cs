using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using KojiProvisioner.Farm;
using Labels = KojiProvisioner.Farm.Labels;

namespace KojiProvisioner.Docker;

/// <summary>
/// The one thin wrapper over Docker.DotNet. Every other class talks to the engine through it, in the
/// farm's words (by stack label, by name), and gets engine errors as <see cref="FarmException"/>s
/// that name the object.
/// </summary>
public sealed partial class DockerEngine : IDockerEngine
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(10);

    private readonly IDockerClient _client;

    private DockerEngine(IDockerClient client, Uri endpoint)
    {
        _client = client;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>DOCKER_HOST when set (unix:// or tcp://), else the local socket.</summary>
    public static Uri EndpointFrom(string? dockerHost)
    {
        var value = string.IsNullOrWhiteSpace(dockerHost) ? DefaultEndpoint : dockerHost.Trim();
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp"))
            throw new FarmException(
                $"DOCKER_HOST={value} is not an engine address koji-farm can use: give unix:///path/to/docker.sock or tcp://host:port");
        if (uri.Scheme == "tcp" && uri.Port <= 0)
            throw new FarmException($"DOCKER_HOST={value} has no port: give tcp://host:port (2375 is Docker's plain-TCP port)");
        return uri;
    }

    /// <summary>
    /// Connects and pings, so an engine that does not answer fails here with one clear message
    /// instead of somewhere in the middle of a converge.
    /// </summary>
    public static async Task<DockerEngine> ConnectAsync(string? dockerHost = null, CancellationToken ct = default)
    {
        dockerHost ??= Environment.GetEnvironmentVariable("DOCKER_HOST");
        var endpoint = EndpointFrom(dockerHost);
        IDockerClient client;
        try
        {
            client = new DockerClientBuilder().WithEndpoint(endpoint).Build();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Unreachable(endpoint, e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await client.System.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            client.Dispose();
            throw new FarmException(
                $"cannot reach the Docker engine at {endpoint.OriginalString}: no answer within {PingTimeout.TotalSeconds:0} s (is dockerd running? set DOCKER_HOST to use another engine)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            client.Dispose();
            throw Unreachable(endpoint, e);
        }
        return new DockerEngine(client, endpoint);
    }

    private static FarmException Unreachable(Uri endpoint, Exception e)
    {
        // A missing socket file surfaces as "Cannot assign requested address": say what it means.
        var reason = endpoint.Scheme == "unix" && !File.Exists(endpoint.LocalPath) && !Directory.Exists(endpoint.LocalPath)
            ? $"no socket at {endpoint.LocalPath}"
            : Reason(e);
        return new($"cannot reach the Docker engine at {endpoint.OriginalString}: {reason} (is dockerd running? set DOCKER_HOST to use another engine)",
            ExitCode.Failed, e);
    }

    /// <summary>The most specific reason in an exception chain: "Connection refused", not "An error occurred while sending the request".</summary>
    private static string Reason(Exception e)
    {
        var socket = Chain(e).OfType<SocketException>().FirstOrDefault();
        if (socket is not null)
            return socket.SocketErrorCode == SocketError.ConnectionRefused ? "Connection refused" : socket.Message;
        if (Chain(e).OfType<DockerApiException>().FirstOrDefault() is { } api)
            return ApiMessage(api);
        return Chain(e).Last().Message;
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            yield return x;
    }

    /// <summary>The engine's own words from an error response ({"message": "..."}).</summary>
    internal static string ApiMessage(DockerApiException e)
    {
        try
        {
            using var doc = JsonDocument.Parse(e.ResponseBody ?? "");
            if (doc.RootElement.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } text)
                return text;
        }
        catch (JsonException)
        {
        }
        return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.Message : e.ResponseBody.Trim();
    }

    /// <summary>Runs one engine call and turns its failure into a message that says what was being done.</summary>
    private static async Task<T> Guard<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new FarmException($"{what}: {ApiMessage(e)}", ExitCode.Failed, e);
        }
        catch (HttpRequestException e)
        {
            throw new FarmException($"{what}: the Docker engine stopped answering ({Reason(e)})", ExitCode.Failed, e);
        }
    }

    private static Task Guard(string what, Func<Task> call) => Guard(what, async () => { await call(); return true; });

    private static IDictionary<string, IDictionary<string, bool>> StackFilter(string stack) =>
        new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{Labels.Stack}={stack}"] = true },
        };

    private static Dictionary<string, string> StackLabels(string stack, IReadOnlyDictionary<string, string>? more = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
            labels[key] = value;
        labels[Labels.Stack] = stack;
        return labels;
    }

    // ---- containers ----

    public Task<IList<ContainerListResponse>> ListContainersAsync(string stack, CancellationToken ct) =>
        Guard($"listing the containers of stack {stack}", () =>
            _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = StackFilter(stack) }, ct));

    /// <summary>Every object of every farm on the engine (anything with a stack label), in one list call per kind, for `ls` and `gc`.</summary>
    public async Task<IReadOnlyList<EngineObject>> ListFarmObjectsAsync(CancellationToken ct)
    {
        var any = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [Farm.Labels.Stack] = true } };
        var containers = Guard("listing the farms' containers", () =>
            _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = any }, ct));
        var networks = Guard("listing the farms' networks", () =>
            _client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = any }, ct));
        var volumes = Guard("listing the farms' volumes", () =>
            _client.Volumes.ListAsync(new VolumesListParameters { Filters = any }, ct));
        var result = new List<EngineObject>();
        foreach (var c in await containers)
            result.Add(new EngineObject(EngineObjectKind.Container, (c.Names?.FirstOrDefault() ?? c.ID).TrimStart('/'),
                LabelsOf(c.Labels), new DateTimeOffset(DateTime.SpecifyKind(c.Created, DateTimeKind.Utc)), c.State ?? "", c.Status ?? "",
                (c.Ports ?? []).Where(p => p.PublicPort > 0).Select(p => new EnginePort(p.IP ?? "", p.PrivatePort, p.PublicPort ?? 0)).ToList()));
        foreach (var n in await networks)
            result.Add(new EngineObject(EngineObjectKind.Network, n.Name, LabelsOf(n.Labels), new DateTimeOffset(DateTime.SpecifyKind(n.Created, DateTimeKind.Utc)), "", "", []));
        foreach (var v in (await volumes).Volumes ?? [])
            result.Add(new EngineObject(EngineObjectKind.Volume, v.Name, LabelsOf(v.Labels),
                DateTimeOffset.TryParse(v.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null, "", "", []));
        return result;

        static IReadOnlyDictionary<string, string> LabelsOf(IDictionary<string, string>? labels) =>
            labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    /// <summary>null when no such container exists.</summary>
    public async Task<ContainerInspectResponse?> InspectContainerAsync(string idOrName, CancellationToken ct)
    {
        try
        {
            return await Guard($"inspecting container {idOrName}", () => _client.Containers.InspectContainerAsync(idOrName, ct));
        }
        catch (FarmException e) when (e.InnerException is DockerContainerNotFoundException
                                      || (e.InnerException as DockerApiException)?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<string> CreateContainerAsync(CreateContainerParameters parameters, CancellationToken ct)
    {
        try
        {
            var created = await _client.Containers.CreateContainerAsync(parameters, ct);
            return created.ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            throw new FarmException(
                $"creating container {parameters.Name}: a container with that name exists but is not part of stack " +
                $"{parameters.Labels?[Labels.Stack]} (remove it, or pick another stack name): {ApiMessage(e)}", ExitCode.Failed, e);
        }
        catch (DockerApiException e)
        {
            throw new FarmException($"creating container {parameters.Name}: {ApiMessage(e)}", ExitCode.Failed, e);
        }
    }

    /// <summary>
    /// Creates (never starts) a helper container; one of the same name a killed run of this stack
    /// left is removed first. A container of that name outside the stack is left alone, and the
    /// create then says so.
    /// </summary>
    public async Task<HelperLease> CreateHelperAsync(HelperContainer helper, CancellationToken ct)
    {
        if (await InspectContainerAsync(helper.Name, ct) is { } left
            && left.Config?.Labels?.TryGetValue(Labels.Stack, out var owner) == true && owner == helper.Stack)
            await RemoveContainerAsync(left.ID, helper.Name, ct);
        return new HelperLease(this, await CreateContainerAsync(ContainerParameters.Helper(helper), ct), helper.Name);
    }

    /// <summary>Copies files in through the archive API: works on a created, not yet started container and on a remote engine.</summary>
    public async Task CopyFilesAsync(string id, string name, IReadOnlyList<ContainerFile> files, CancellationToken ct)
    {
        if (files.Count == 0)
            return;
        await using var tar = FileArchive.Tar(files);
        await Guard($"copying {files.Count} file(s) into container {name}", () =>
            _client.Containers.ExtractArchiveToContainerAsync(id, new CopyToContainerParameters { Path = "/" }, tar, ct));
    }

    /// <summary>A path of a container (created or running) as a tar stream; dispose it when done.</summary>
    public async Task<Stream> GetArchiveAsync(string id, string path, CancellationToken ct)
    {
        var response = await Guard($"copying {path} out of container {id}", () =>
            _client.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, false, ct));
        return response.Stream ?? throw new FarmException($"copying {path} out of container {id}: the engine sent no archive");
    }

    /// <summary>Unpacks a tar stream into a container (created or running) at a folder that exists.</summary>
    public Task PutArchiveAsync(string id, string path, Stream tar, CancellationToken ct) =>
        Guard($"copying into {path} of container {id}", () =>
            _client.Containers.ExtractArchiveToContainerAsync(id, new CopyToContainerParameters { Path = path }, tar, ct));

    public Task StartContainerAsync(string id, string name, CancellationToken ct) =>
        Guard($"starting container {name}", () => _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct));

    /// <summary>docker stop: the stop signal, then SIGKILL after the timeout. False when the container is gone.</summary>
    public async Task<bool> StopContainerAsync(string id, string name, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await Guard($"stopping container {name}", () => _client.Containers.StopContainerAsync(id,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, timeout.TotalSeconds) }, ct));
            return true;
        }
        catch (FarmException e) when (IsNotFound(e))
        {
            return false;
        }
    }

    /// <summary>Force-removes a container (its anonymous volumes too; named volumes stay). False when it was already gone.</summary>
    public async Task<bool> RemoveContainerAsync(string id, string name, CancellationToken ct)
    {
        try
        {
            await Guard($"removing container {name}", () => _client.Containers.RemoveContainerAsync(id,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct));
            return true;
        }
        catch (FarmException e) when (IsNotFound(e))
        {
            return false;
        }
    }

    /// <summary>The last lines of a container's output (stdout and stderr), for error messages.</summary>
    public async Task<string> LogTailAsync(string id, int lines, CancellationToken ct)
    {
        try
        {
            using var stream = await _client.Containers.GetContainerLogsAsync(id,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ct);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
            return (stdout + stderr).TrimEnd();
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return $"(logs unavailable: {e.Message})";
        }
    }

    /// <summary>Runs a command in a running container and waits for it.</summary>
    public async Task<ExecResult> ExecAsync(string idOrName, IReadOnlyList<string> command, CancellationToken ct)
    {
        return await Guard($"running `{string.Join(' ', command)}` in container {idOrName}", async () =>
        {
            var exec = await _client.Exec.CreateContainerExecAsync(idOrName,
                new ContainerExecCreateParameters { Cmd = command.ToList(), AttachStdout = true, AttachStderr = true }, ct);
            using var stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), ct);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
            var inspect = await _client.Exec.InspectContainerExecAsync(exec.ID, ct);
            return new ExecResult(inspect.ExitCode ?? -1, stdout, stderr);
        });
    }

    // ---- networks ----

    public async Task<IReadOnlyList<string>> ListNetworksAsync(string stack, CancellationToken ct)
    {
        var networks = await Guard($"listing the networks of stack {stack}", () =>
            _client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = StackFilter(stack) }, ct));
        return networks.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
    }

    public async Task CreateNetworkAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null)
    {
        // Engines before API 1.44 accept a second network of the same name: look first.
        var existing = await Guard($"looking for network {name}", () => _client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, ct));
        var same = existing.FirstOrDefault(n => n.Name == name);
        if (same is not null)
        {
            if (same.Labels is not null && same.Labels.TryGetValue(Labels.Stack, out var owner) && owner == stack)
                return;
            throw new FarmException($"network {name} exists but is not part of stack {stack}: remove it, or pick another stack name");
        }
        await Guard($"creating network {name}", () => _client.Networks.CreateNetworkAsync(
            new NetworksCreateParameters { Name = name, Driver = "bridge", Labels = StackLabels(stack, labels) }, ct));
    }

    /// <summary>False when the network was already gone.</summary>
    public async Task<bool> RemoveNetworkAsync(string name, CancellationToken ct)
    {
        try
        {
            await Guard($"removing network {name}", () => _client.Networks.DeleteNetworkAsync(name, ct));
            return true;
        }
        catch (FarmException e) when (IsNotFound(e))
        {
            return false;
        }
    }

    // ---- volumes ----

    public async Task<IReadOnlyList<string>> ListVolumesAsync(string stack, CancellationToken ct)
    {
        var volumes = await Guard($"listing the volumes of stack {stack}", () =>
            _client.Volumes.ListAsync(new VolumesListParameters { Filters = StackFilter(stack) }, ct));
        return (volumes.Volumes ?? []).Select(v => v.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The stack's volumes with their labels.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> VolumeLabelsAsync(string stack, CancellationToken ct)
    {
        var volumes = await Guard($"listing the volumes of stack {stack}", () =>
            _client.Volumes.ListAsync(new VolumesListParameters { Filters = StackFilter(stack) }, ct));
        return (volumes.Volumes ?? []).ToDictionary(v => v.Name,
            v => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(v.Labels ?? new Dictionary<string, string>()), StringComparer.Ordinal);
    }

    public Task CreateVolumeAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? driverOptions = null) =>
        Guard($"creating volume {name}", () =>
        {
            var parameters = new VolumesCreateParameters { Name = name, Labels = StackLabels(stack, labels) };
            if (driverOptions is not null)
            {
                // The local driver mounts the company's export (type=nfs) when the volume is first used.
                parameters.Driver = "local";
                parameters.DriverOpts = driverOptions.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
            }
            return _client.Volumes.CreateAsync(parameters, ct);
        });

    /// <summary>False when the volume was already gone.</summary>
    public async Task<bool> RemoveVolumeAsync(string name, CancellationToken ct)
    {
        try
        {
            await Guard($"removing volume {name}", () => _client.Volumes.RemoveAsync(name, false, ct));
            return true;
        }
        catch (FarmException e) when (IsNotFound(e))
        {
            return false;
        }
    }

    // ---- images ----

    /// <summary>The image ID a reference points at, or null when there is no such image.</summary>
    public async Task<string?> ImageIdAsync(string reference, CancellationToken ct)
    {
        try
        {
            var image = await Guard($"inspecting image {reference}", () => _client.Images.InspectImageAsync(reference, ct));
            return image.ID;
        }
        catch (FarmException e) when (IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Builds an image through the engine from a tar context (legacy builder: dockerd 20.10 has no
    /// BuildKit without buildx). Output lines go to <paramref name="output"/>; a failed build raises
    /// a <see cref="FarmException"/> carrying the last lines of output.
    /// </summary>
    public async Task BuildImageAsync(ImageSpec image, Stream context, string? networkMode, IProgress<string>? output, CancellationToken ct)
    {
        var tail = new Queue<string>();
        string? error = null;
        var messages = new CallbackProgress<JSONMessage>(m =>
        {
            if (m.Error is { } e && !string.IsNullOrEmpty(e.Message))
                error = e.Message;
            foreach (var line in (m.Stream ?? m.Status ?? "").Split('\n'))
            {
                var text = line.TrimEnd('\r');
                if (text.Length == 0)
                    continue;
                tail.Enqueue(text);
                if (tail.Count > 20)
                    tail.Dequeue();
                output?.Report(text);
            }
        });
        var parameters = new ImageBuildParameters
        {
            Tags = [image.Reference],
            BuildArgs = image.BuildArgs.ToDictionary(a => a.Key, a => a.Value),
            Labels = new Dictionary<string, string> { [Labels.Recipe] = image.Recipe },
            Remove = true,
            ForceRemove = true,
            NetworkMode = networkMode,
        };
        await Guard($"building image {image.Reference} from recipe {image.Recipe}", () =>
            _client.Images.BuildImageFromDockerfileAsync(parameters, context, null, null, messages, ct));
        if (error is not null || await ImageIdAsync(image.Reference, ct) is null)
            throw new FarmException(
                $"building image {image.Reference} from recipe {image.Recipe} failed: {error ?? "no image came out"}\n" +
                $"last lines of the build:\n  {string.Join("\n  ", tail)}");
    }

    private static bool IsNotFound(FarmException e) =>
        e.InnerException is DockerApiException api && api.StatusCode == HttpStatusCode.NotFound;

    public void Dispose() => _client.Dispose();
}

public enum EngineObjectKind { Container, Network, Volume }

/// <summary>A published port as the engine lists it: host address and port for a container port.</summary>
public sealed record EnginePort(string HostIp, int ContainerPort, int HostPort);

/// <summary>
/// One container, network or volume with its labels, as a list call reports it. <paramref name="Status"/>
/// is Docker's text for containers ("Up 3 minutes (healthy)"), where list calls carry the health.
/// </summary>
public sealed record EngineObject(
    EngineObjectKind Kind,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset? Created,
    string State,
    string Status,
    IReadOnlyList<EnginePort> Ports)
{
    public string? Label(string key) => Labels.TryGetValue(key, out var v) ? v : null;
}

/// <summary>What a command run in a container returned.</summary>
public sealed record ExecResult(long ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\n{Stdout}{Stderr}".TrimEnd();
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
