using System.Text.Json;
using KojiProvisioner.Config;

namespace KojiProvisioner.Hosts;

/// <summary>
/// The remote builder hosts koji-farm has set up for a stack, kept in the state folder as
/// `remote-hosts.json` (how to reach each, never a key's content), so a host removed from the
/// stack file can still be reached to stop kojid there, and `down` finds every host.
/// </summary>
public sealed class RemoteHostRegistry(string file)
{
    public static RemoteHostRegistry In(StateFolder state) => new(Path.Combine(state.Path, "remote-hosts.json"));

    public IReadOnlyList<RemoteBuilderSpec> Load()
    {
        if (!File.Exists(file))
            return [];
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), HostsJson.Default.ListRemoteBuilderSpec) ?? [];
        }
        catch (JsonException e)
        {
            throw new FarmException($"{file} is not valid JSON ({e.Message}): fix it, or delete it and stop kojid by hand on hosts removed from the stack");
        }
    }

    public void Save(IEnumerable<RemoteBuilderSpec> hosts)
    {
        var entries = hosts.OrderBy(h => h.Name, StringComparer.Ordinal).Select(h => new RemoteBuilderSpec
        {
            Name = h.Name, Address = h.Address, Port = h.Port, User = h.User,
            PrivateKey = h.PrivateKey, PrivateKeyEnv = h.PrivateKeyEnv, HostKey = h.HostKey,
        }).ToList();
        if (entries.Count == 0)
        {
            File.Delete(file);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        StateFolder.WritePrivate(file, JsonSerializer.Serialize(entries, HostsJson.Default.ListRemoteBuilderSpec) + "\n");
    }
}
