using System.Text.RegularExpressions;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>
/// An offline OS line's answer to "which Debian package provides the RPM name a spec BuildRequires"
/// (<c>systemd-devel: libsystemd-dev</c>): declared in the content as an extra of the line's base
/// tag (<see cref="ExtraKey"/>), installed into the bootstrapped buildroot's tree, and provided by
/// the buildroot RPM under the RPM name at the Debian package's version. Part of the buildroot
/// image's hash: a changed mapping is a new image and a new buildroot NVR, an unchanged one reuses both.
/// </summary>
public static partial class DebianPackageMap
{
    /// <summary>The tag extra holding the mapping (kojid reads only <c>mock.*</c> and <c>rpm.macro.*</c> extras).</summary>
    public const string ExtraKey = "koji_farm.debian_packages";

    /// <summary>The build argument of the buildroot recipe that carries the mapping.</summary>
    public const string BuildArg = "DEBIAN_PACKAGES";

    /// <summary>What the recipe prints (and exits 2 with) for a Debian package that does not exist.</summary>
    public const string RecipeErrorPrefix = "koji-farm-buildroot:";

    /// <summary>The mapping from one tag's extras; a value that is not a mapping of names is bad input naming the tag.</summary>
    public static IReadOnlyDictionary<string, string> FromExtra(string tag, IReadOnlyDictionary<string, object?> extra)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!extra.TryGetValue(ExtraKey, out var value) || value is null)
            return result;
        if (value is not IReadOnlyDictionary<string, object?> map)
            throw new InputException($"tag {tag}: extra {ExtraKey} must map RPM names to Debian packages (systemd-devel: libsystemd-dev)");
        foreach (var (rpm, deb) in map)
        {
            if (!RpmName().IsMatch(rpm))
                throw new InputException($"tag {tag}: extra {ExtraKey}: '{rpm}' is not an RPM package name");
            if (deb is not string debian || !DebianName().IsMatch(debian))
                throw new InputException($"tag {tag}: extra {ExtraKey}: {rpm}: '{deb}' is not a Debian package name (lower case letters, digits, + - .)");
            result[rpm] = debian;
        }
        return result;
    }

    /// <summary>The mappings of all the line's base tags as one (a name mapped two ways is an error naming both).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(IKojiHub hub, IEnumerable<string> tags, CancellationToken ct)
    {
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            var extra = await hub.TagExtraAsync(tag, ct) ?? new Dictionary<string, object?>();
            foreach (var (rpm, deb) in FromExtra(tag, extra))
            {
                if (merged.TryGetValue(rpm, out var other) && other != deb)
                    throw new InputException($"{ExtraKey}: {rpm} is mapped to {other} and to {deb} (tag {tag})");
                merged[rpm] = deb;
            }
        }
        return merged;
    }

    /// <summary>The recipe's build argument: <c>rpm=deb</c> pairs in name order (so the image hash does not depend on order).</summary>
    public static string ToBuildArg(IReadOnlyDictionary<string, string> map) =>
        string.Join(' ', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>The recipe's own message about a Debian package that does not exist, from the image build's output.</summary>
    public static string? RecipeError(IEnumerable<string> buildOutput)
    {
        // The engine colours a step's stderr (ESC[91m ... ESC[0m): the message is what follows the prefix.
        // Not the "Step N : RUN ..." line that echoes the recipe's own command, with its $variables.
        var line = buildOutput.FirstOrDefault(l => l.Contains(RecipeErrorPrefix, StringComparison.Ordinal) && !l.TrimStart().StartsWith("Step ", StringComparison.Ordinal));
        return line is null ? null
            : Regex.Replace(line[(line.IndexOf(RecipeErrorPrefix, StringComparison.Ordinal) + RecipeErrorPrefix.Length)..], @"\x1b\[[0-9;]*m", "").Trim();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._+-]*$")]
    private static partial Regex RpmName();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.+-]+$")]
    private static partial Regex DebianName();
}
