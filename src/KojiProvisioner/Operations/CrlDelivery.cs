using System.Text;
using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>
/// Puts the CRL into the hub's and the web's containers and has their httpd reload it gracefully
/// (requests in flight finish; new handshakes check the new CRL). The CRL is a
/// <see cref="ContainerFile.Live"/> file: a new one does not recreate the containers.
/// </summary>
public static class CrlDelivery
{
    // Debian's apache2ctl or Fedora's httpd; both send the graceful signal to the running server (PID 1).
    private static readonly string[] Graceful =
        ["sh", "-c", "if command -v apache2ctl >/dev/null 2>&1; then apache2ctl -k graceful; else httpd -k graceful; fi"];

    /// <summary>
    /// Copies <paramref name="crlPem"/> into the hub and web containers that exist and reloads those
    /// that run. <paramref name="onlyIfChanged"/>: leaves a container whose CRL is already this one (`up`).
    /// </summary>
    /// <returns>One line per container: what was done.</returns>
    public static async Task<IReadOnlyList<string>> DeliverAsync(IDockerEngine engine, Stack stack, string crlPem, bool onlyIfChanged, CancellationToken ct)
    {
        var names = new FarmNames(stack.Spec);
        var roles = stack.Spec.Web.Enabled ? new[] { Roles.Hub, Roles.Web } : [Roles.Hub];
        var file = new ContainerFile(FarmPlanner.CrlPath, Encoding.UTF8.GetBytes(crlPem), (int)FileModes.Public) { Live = true };
        var done = new List<string>();
        foreach (var role in roles)
        {
            var name = names.Container(role);
            var container = await engine.InspectContainerAsync(name, ct);
            if (container is null)
            {
                done.Add($"{name}: not created; it gets the CRL when `up` makes it");
                continue;
            }
            var running = container.State?.Running == true;
            if (onlyIfChanged && running)
            {
                var current = await engine.ExecAsync(container.ID, ["cat", FarmPlanner.CrlPath], ct);
                if (current.ExitCode == 0 && current.Stdout == crlPem)
                    continue;
            }
            await engine.CopyFilesAsync(container.ID, name, [file], ct);
            if (!running)
            {
                done.Add($"{name}: CRL copied in (stopped; httpd reads it when it starts)");
                continue;
            }
            var reload = await engine.ExecAsync(container.ID, Graceful, ct);
            if (reload.ExitCode != 0)
                throw new FarmException($"the CRL is in {name}, but httpd did not reload it ({reload}); run `koji-farm up` to recreate the container");
            done.Add($"{name}: CRL copied in, httpd reloaded gracefully");
        }
        return done;
    }
}
