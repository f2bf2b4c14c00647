using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace KojiProvisioner.Farm;

/// <summary>
/// A stable hash of a container's definition. Dependencies are left out (adding a builder must not
/// recreate the hub); dictionaries are sorted ordinally so key order never changes the hash.
/// </summary>
/// <remarks>
/// The hash is of a JSON text whose every byte is fixed: running farms carry it on their
/// containers, and a different text would recreate them all. It is the text System.Text.Json made
/// of an anonymous object (properties in this order, default escaping, doubles as the serializer
/// writes them), written here by hand because the serializer built a reflection-emitted accessor
/// per property on every command's start.
/// </remarks>
public static class ConfigHash
{
    public static string Of(ContainerSpec c)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Image", c.Image);
            Strings(json, "Command", c.Command);
            Strings(json, "Aliases", c.Aliases);
            json.WriteStartArray("Environment");
            foreach (var (key, value) in c.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WriteStartArray();
                json.WriteStringValue(key);
                json.WriteStringValue(value);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("Mounts");
            foreach (var m in c.Mounts)
            {
                json.WriteStartObject();
                json.WriteString("Volume", m.Volume);
                json.WriteString("Target", m.Target);
                json.WriteBoolean("ReadOnly", m.ReadOnly);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("Ports");
            foreach (var p in c.Ports)
            {
                json.WriteStartObject();
                json.WriteString("HostIp", p.HostIp);
                json.WriteNumber("HostPort", p.HostPort);
                json.WriteNumber("ContainerPort", p.ContainerPort);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("Health");
            Strings(json, "Test", c.Health.Test);
            json.WriteNumber("Interval", c.Health.Interval.TotalSeconds);
            json.WriteNumber("Timeout", c.Health.Timeout.TotalSeconds);
            json.WriteNumber("Retries", c.Health.Retries);
            json.WriteNumber("StartPeriod", c.Health.StartPeriod.TotalSeconds);
            json.WriteEndObject();
            json.WriteString("RestartPolicy", c.RestartPolicy);
            json.WriteBoolean("Privileged", c.Privileged);
            json.WriteStartArray("Files");
            foreach (var f in c.Files.Where(f => !f.Live).OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("Path", f.Path);
                json.WriteNumber("Mode", f.Mode);
                json.WriteNumber("Uid", f.Uid);
                json.WriteNumber("Gid", f.Gid);
                json.WriteString("Sha256", Convert.ToHexStringLower(SHA256.HashData(f.Content)));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            // Only when set, so containers without added capabilities keep their hash: a second object.
            if (c.CapAdd.Count > 0)
            {
                json.Flush();
                json.Reset();
                json.WriteStartObject();
                Strings(json, "CapAdd", c.CapAdd);
                json.WriteEndObject();
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan))[..16];
    }

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
