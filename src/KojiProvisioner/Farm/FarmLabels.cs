using System.Globalization;
using KojiProvisioner.Config;

namespace KojiProvisioner.Farm;

/// <summary>
/// The farm-wide labels: where its state folder is, the hub's public host name and, for a farm made
/// with `up --ttl`, when its time is up. Written on every container, the network and the volumes,
/// so a farm whose stack file and state folder are gone is still described by the engine alone.
/// </summary>
public static class FarmLabels
{
    public static IReadOnlyDictionary<string, string> Of(Stack stack) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Labels.StateDir] = stack.StateDirectory,
        [Labels.PublicHost] = stack.Spec.Hub.PublicHost,
    };

    /// <summary>The labels with an expiry <paramref name="ttl"/> from <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<string, string> WithExpiry(IReadOnlyDictionary<string, string> labels, TimeSpan ttl, DateTimeOffset now) =>
        new Dictionary<string, string>(labels, StringComparer.Ordinal) { [Labels.Expires] = FormatTime(now + ttl) };

    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The expiry a label holds, or null when it is absent or not a time (never expires).</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>
    /// `90s`, `30m`, `2h`, `1d`, or combined (`1h30m`): how long a farm made by `up --ttl` lives.
    /// </summary>
    public static TimeSpan ParseTtl(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        var total = TimeSpan.Zero;
        var i = 0;
        if (s.Length == 0)
            throw new InputException("--ttl: give a duration such as 90s, 30m, 2h or 1d");
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
            if (i == start || i == s.Length || !int.TryParse(s[start..i], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new InputException($"--ttl {text}: not a duration; give a number with a unit, such as 90s, 30m, 2h or 1d");
            total += s[i] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => throw new InputException($"--ttl {text}: unknown unit '{s[i]}' (s, m, h or d)"),
            };
            i++;
        }
        if (total <= TimeSpan.Zero)
            throw new InputException($"--ttl {text}: must be longer than zero");
        return total;
    }
}
