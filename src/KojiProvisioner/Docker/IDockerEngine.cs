using Docker.DotNet.Models;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

/// <summary>
/// What the observer and the executor ask of an engine, and nothing more: <see cref="DockerEngine"/>
/// is the one that talks to Docker; tests give the executor a fake to pin its order of work.
/// </summary>
public interface IDockerEngine : IDisposable
{
    Task<IList<ContainerListResponse>> ListContainersAsync(string stack, CancellationToken ct);
    Task<ContainerInspectResponse?> InspectContainerAsync(string idOrName, CancellationToken ct);
    Task<string> CreateContainerAsync(CreateContainerParameters parameters, CancellationToken ct);
    Task CopyFilesAsync(string id, string name, IReadOnlyList<ContainerFile> files, CancellationToken ct);
    Task StartContainerAsync(string id, string name, CancellationToken ct);
    Task<bool> StopContainerAsync(string id, string name, TimeSpan timeout, CancellationToken ct);
    Task<bool> RemoveContainerAsync(string id, string name, CancellationToken ct);
    Task<string> LogTailAsync(string id, int lines, CancellationToken ct);
    /// <summary>Runs a command in a running container (a health check run by `up` itself).</summary>
    Task<ExecResult> ExecAsync(string idOrName, IReadOnlyList<string> command, CancellationToken ct);
    Task<IReadOnlyList<string>> ListNetworksAsync(string stack, CancellationToken ct);
    Task CreateNetworkAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null);
    Task<bool> RemoveNetworkAsync(string name, CancellationToken ct);
    Task<IReadOnlyList<string>> ListVolumesAsync(string stack, CancellationToken ct);
    Task CreateVolumeAsync(string name, string stack, CancellationToken ct, IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? driverOptions = null);
    Task<bool> RemoveVolumeAsync(string name, CancellationToken ct);
    Task<string?> ImageIdAsync(string reference, CancellationToken ct);
    Task BuildImageAsync(ImageSpec image, Stream context, string? networkMode, IProgress<string>? output, CancellationToken ct);
}
