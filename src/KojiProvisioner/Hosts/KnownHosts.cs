using System.Text.Json;

namespace KojiProvisioner.Hosts;

/// <summary>
/// Host keys learnt by trust on first use, kept in the stack's state folder as
/// `known-hosts.json` (`[address]:port` → `SHA256:...`). Hosts are connected in parallel, so
/// every read and write holds one lock and the file is rewritten whole.
/// </summary>
public sealed class KnownHosts(string file)
{
    private readonly object _lock = new();

    public string File => file;

    public static KnownHosts In(StateFolder state) => new(Path.Combine(state.Path, "known-hosts.json"));

    public string? Find(string key)
    {
        lock (_lock)
            return Load().GetValueOrDefault(key);
    }

    public void Record(string key, string fingerprint)
    {
        lock (_lock)
        {
            var all = Load();
            all[key] = fingerprint;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            StateFolder.WritePrivate(file, JsonSerializer.Serialize(new SortedDictionary<string, string>(all, StringComparer.Ordinal),
                // Fingerprints as OpenSSH prints them (`+` and `/` unescaped): people read and edit this file.
                HostsJson.Relaxed.SortedDictionaryStringString) + "\n");
        }
    }

    private Dictionary<string, string> Load()
    {
        if (!System.IO.File.Exists(file))
            return new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            return JsonSerializer.Deserialize(System.IO.File.ReadAllText(file), HostsJson.Default.DictionaryStringString)
                ?? new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new FarmException($"{file} is not valid JSON ({e.Message}): fix or delete it (its hosts will be trusted again on first use)");
        }
    }

    /// <summary>OpenSSH's form: `SHA256:` and unpadded base64. Accepts either form of the input.</summary>
    public static string Normalize(string fingerprint)
    {
        var body = fingerprint.StartsWith("SHA256:", StringComparison.Ordinal) ? fingerprint["SHA256:".Length..] : fingerprint;
        return "SHA256:" + body.Trim().TrimEnd('=');
    }
}
