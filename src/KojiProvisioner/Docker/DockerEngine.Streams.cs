using Docker.DotNet.Models;

namespace KojiProvisioner.Docker;

/// <summary>
/// Streaming engine calls for backup and restore: a command's output straight into a stream (pg_dump),
/// a stream into a command's input (pg_restore), and a folder out of or into a container through the
/// archive API (which also reaches the volumes of a container that was created but never started).
/// Nothing is held in memory whole.
/// </summary>
public sealed partial class DockerEngine
{
    /// <summary>Runs a command in a running container; its standard output goes to <paramref name="stdout"/>,
    /// <paramref name="stdin"/> (when given) to its standard input. Returns the exit code and the standard error.</summary>
    public Task<(long ExitCode, string Stderr)> ExecStreamAsync(string container, IReadOnlyList<string> command, string? user,
        Stream? stdin, Stream? stdout, CancellationToken ct) =>
        Guard($"running `{string.Join(' ', command)}` in container {container}", async () =>
        {
            var exec = await _client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
            {
                Cmd = command.ToList(),
                User = user ?? "",
                AttachStdin = stdin is not null,
                AttachStdout = true,
                AttachStderr = true,
            }, ct);
            using var stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), ct);
            using var stderr = new MemoryStream();
            var output = stream.CopyOutputToAsync(Stream.Null, stdout ?? Stream.Null, stderr, ct);
            if (stdin is not null)
            {
                await stream.CopyFromAsync(stdin, ct);
                stream.CloseWrite();
            }
            await output;
            var inspect = await _client.Exec.InspectContainerExecAsync(exec.ID, ct);
            return (inspect.ExitCode ?? -1, System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
        });

    /// <summary>A tar of <paramref name="path"/> in the container (entries start with its last name: /mnt/koji → koji/...), copied to <paramref name="target"/>.</summary>
    public Task CopyFolderOutAsync(string container, string path, Stream target, CancellationToken ct) =>
        Guard($"copying {path} out of container {container}", async () =>
        {
            var response = await _client.Containers.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, false, ct);
            await using var tar = response.Stream ?? throw new FarmException($"{path} in container {container}: the engine sent no archive");
            await tar.CopyToAsync(target, ct);
        });

    /// <summary>Unpacks a tar into <paramref name="path"/> of the container, keeping owners and modes.</summary>
    public Task CopyTarInAsync(string container, string path, Stream tar, CancellationToken ct) =>
        Guard($"copying files into {path} of container {container}", () =>
            _client.Containers.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = path }, tar, ct));
}
