using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KojiProvisioner.Config;

/// <summary>
/// `hub.port: 0` and `web.port: 0`: a free host port, chosen by the first `up` and recorded in the
/// state folder, so every later command (status, content, client-config, a re-run of up) plans
/// the same port, the config hash stays put and the URLs are known without asking the engine.
/// `down --purge` deletes the record with the state folder; the next farm gets new ports.
/// </summary>
public static class HostPorts
{
    public const string FileName = "host-ports";

    /// <summary>Ports recorded by an earlier `up`, filled into the spec where it says 0. Reads only.</summary>
    public static Stack ApplyRecorded(Stack stack)
    {
        if (!Wanted(stack.Spec).Any())
            return stack;
        var file = Path.Combine(stack.StateDirectory, FileName);
        if (!File.Exists(file))
            return stack;
        var recorded = Parse(File.ReadAllText(file));
        if (stack.Spec.Hub.Port == 0 && recorded.TryGetValue("hub", out var hub))
            stack.Spec.Hub.Port = hub;
        if (stack.Spec.Web.Port == 0 && recorded.TryGetValue("web", out var web))
            stack.Spec.Web.Port = web;
        return stack;
    }

    /// <summary>
    /// For every port still 0, a port free on its bind address now, recorded before anything is
    /// created (a run cut short reuses it). Returns what was chosen, e.g. `hub.port 0: chose 40211`.
    /// </summary>
    public static IReadOnlyList<string> Choose(Stack stack)
    {
        ApplyRecorded(stack);
        var wanted = Wanted(stack.Spec).ToList();
        if (wanted.Count == 0)
            return [];
        // Held open together, so hub and web never get the same port.
        var listeners = wanted.Select(w =>
        {
            var listener = new TcpListener(Address(w.BindAddress), 0);
            listener.Start();
            return (w.Key, listener);
        }).ToList();
        var chosen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, listener) in listeners)
        {
            chosen[key] = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }
        if (chosen.TryGetValue("hub", out var hub))
            stack.Spec.Hub.Port = hub;
        if (chosen.TryGetValue("web", out var web))
            stack.Spec.Web.Port = web;

        var file = Path.Combine(stack.StateDirectory, FileName);
        var all = File.Exists(file) ? Parse(File.ReadAllText(file)) : new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, port) in chosen)
            all[key] = port;
        Directory.CreateDirectory(stack.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.Write(file, Format(all), secret: false);
        return chosen.Select(c => $"{c.Key}.port 0: chose free port {c.Value.ToString(CultureInfo.InvariantCulture)}").ToList();
    }

    private static IEnumerable<(string Key, string BindAddress)> Wanted(StackSpec spec)
    {
        if (spec.Hub.Port == 0)
            yield return ("hub", spec.Hub.BindAddress);
        if (spec.Web.Enabled && spec.Web.Port == 0)
            yield return ("web", spec.Web.BindAddress);
    }

    private static IPAddress Address(string bind) =>
        bind is "0.0.0.0" or "" ? IPAddress.Any : bind == "::" ? IPAddress.IPv6Any
        : IPAddress.TryParse(bind, out var ip) ? ip : IPAddress.Loopback;

    /// <summary>`hub=40211` lines.</summary>
    internal static Dictionary<string, int> Parse(string text)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && int.TryParse(line[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
                result[line[..eq]] = port;
        }
        return result;
    }

    internal static string Format(IReadOnlyDictionary<string, int> ports) =>
        string.Concat(ports.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}\n"));
}
