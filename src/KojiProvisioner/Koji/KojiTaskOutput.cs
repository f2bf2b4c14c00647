using System.Text;

namespace KojiProvisioner.Koji;

/// <summary>A task's output files (its logs) as the hub serves them: names, and a file's text.</summary>
public static class KojiTaskOutput
{
    /// <summary>The file names a task left in its work folder (listTaskOutput).</summary>
    public static async Task<IReadOnlyList<string>> FileNamesAsync(this IKojiHub hub, int taskId, CancellationToken ct) =>
        ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listTaskOutput", taskId), ct) ?? Array.Empty<object?>()))
            .Select(f => f?.ToString() ?? "").Where(f => f.Length > 0).ToList();

    /// <summary>The text of one output file, at most <paramref name="maxBytes"/> from its start (downloadTaskOutput, base64 on the wire).</summary>
    public static async Task<string> TextAsync(this IKojiHub hub, int taskId, string fileName, int maxBytes, CancellationToken ct)
    {
        var value = await hub.CallAsync(new KojiCall("downloadTaskOutput", taskId, fileName, 0, maxBytes), ct);
        return value switch
        {
            string base64 => Encoding.UTF8.GetString(Convert.FromBase64String(base64)),
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            _ => "",
        };
    }
}
