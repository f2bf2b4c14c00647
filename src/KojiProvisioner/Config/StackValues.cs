using System.Collections;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Config;

/// <summary>
/// Checks on the values of a stack that end up in rendered config files, certificates and command
/// lines. A newline in hub.settings.EmailDomain would start a new section of hub.conf; a space in
/// an allowed_scms entry would add another entry; a host name the PKI cannot use would end in a
/// stack trace. Each check names the key, never shows the value's control characters.
/// </summary>
public static partial class StackValues
{
    /// <summary>Longest value any key takes (a path, a URL); longer is a mistake, not a setting.</summary>
    public const int MaxLength = 4096;

    /// <summary>A control character (C0, DEL, C1) or a Unicode line or paragraph separator.</summary>
    public static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';

    /// <summary>
    /// Every text value of <paramref name="spec"/> (nested objects, lists, map keys and values) with
    /// its key path, e.g. <c>hub.settings.EmailDomain</c> or <c>builders.remote[0].hubUrl</c>.
    /// </summary>
    public static IEnumerable<(string Key, string Value)> Strings(object spec) =>
        Leaves(spec, "").Where(l => l.Value is string).Select(l => (l.Key, (string)l.Value));

    /// <summary>Every number of <paramref name="spec"/> with its key path and the bounds its property declares.</summary>
    public static IEnumerable<(string Key, double Value, BoundsAttribute? Bounds)> Numbers(object spec) =>
        from l in Leaves(spec, "")
        where l.Value is int or double
        select (l.Key, Convert.ToDouble(l.Value, System.Globalization.CultureInfo.InvariantCulture), l.Property?.GetCustomAttribute<BoundsAttribute>());

    /// <summary>Why a number of the spec lies outside its bounds, or null.</summary>
    public static string? NumberProblem(double value, BoundsAttribute bounds) =>
        bounds.Contains(value) ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be {bounds.Text}, got {value}");

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Walks StackSpec and the types of its properties, all in this assembly, which a native koji-farm keeps whole (TrimmerRootAssembly in KojiProvisioner.Cli.csproj).")]
    private static IEnumerable<(string Key, object Value, PropertyInfo? Property)> Leaves(object spec, string path)
    {
        foreach (var property in spec.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
                continue;
            var key = Join(path, property.Name);
            foreach (var item in Walk(property.GetValue(spec), key, property))
                yield return item;
        }
    }

    private static IEnumerable<(string, object, PropertyInfo?)> Walk(object? value, string key, PropertyInfo? property)
    {
        switch (value)
        {
            case null:
                yield break;
            case string s:
                yield return (key, s, property);
                yield break;
            case IDictionary map:
                foreach (DictionaryEntry e in map)
                {
                    var entryKey = $"{key}.{e.Key}";
                    yield return (entryKey, e.Key.ToString() ?? "", null);
                    foreach (var item in Walk(e.Value, entryKey, null))
                        yield return item;
                }
                yield break;
            case IList list:
                for (var i = 0; i < list.Count; i++)
                    foreach (var item in Walk(list[i], $"{key}[{i}]", null))
                        yield return item;
                yield break;
            default:
                if (value.GetType().IsPrimitive || value is decimal)
                {
                    yield return (key, value, property);
                    yield break;
                }
                foreach (var item in Leaves(value, key))
                    yield return item;
                yield break;
        }
    }

    /// <summary>Why the value of <paramref name="key"/> cannot go into a file or command line, or null.</summary>
    public static string? TextProblem(string value)
    {
        if (value.Length > MaxLength)
            return $"is {value.Length} characters long; at most {MaxLength}";
        var bad = 0;
        while (bad < value.Length && !IsControl(value[bad]))
            bad++;
        if (bad < value.Length)
            return $"holds a control character (U+{(int)value[bad]:X4}) at position {bad + 1}: newlines, tabs and the like would start a new line or entry in a rendered config file";
        return null;
    }

    /// <summary>A name the server certificate can carry (DNS name or IP address), or why not.</summary>
    public static string? HostProblem(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return "is empty: give a host name or an IP address";
        if (value != value.Trim())
            return $"'{value}' has spaces around it";
        try
        {
            ServerNames.Parse([value]);
            return null;
        }
        catch (ArgumentException)
        {
            return $"'{value}' is neither a host name (labels of letters, digits and '-', at most 63 characters each) nor an IP address";
        }
    }

    /// <summary>An address Docker can publish a port on (an IPv4 or IPv6 address), or why not.</summary>
    public static string? BindAddressProblem(string value)
    {
        if ((value.Contains(':') || DottedQuad().IsMatch(value)) && IPAddress.TryParse(value, out _) && !value.Contains('%'))
            return null;
        return $"'{value}' is not an IP address to listen on (e.g. 127.0.0.1, 0.0.0.0 or ::1)";
    }

    /// <summary>A remote builder's hub URL: absolute https, no user info, or why not.</summary>
    public static string? HubUrlProblem(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.UserInfo.Length > 0
            || value.Any(char.IsWhiteSpace) || HostProblem(uri.IdnHost.Trim('[', ']')) is not null)
            return $"'{value}' is not an https URL of the hub (e.g. https://koji.example.com:8443/kojihub)";
        return null;
    }

    /// <summary>A kojid allowed_scms entry (host:/path[:use_common[:source_cmd]]), or why not.</summary>
    public static string? AllowedScmProblem(string value) =>
        AllowedScm().IsMatch(value) ? null : $"'{value}' is not host:/path[:use_common[:source_cmd]] without spaces";

    /// <summary>An image reference (registry/name:tag or @digest), or why not.</summary>
    public static string? ImageProblem(string value) =>
        ImageReference().IsMatch(value) ? null : $"'{value}' is not an image reference like registry.example.com/fedora:44";

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}\z")]
    private static partial Regex DottedQuad();

    [GeneratedRegex(@"^!?[^:\s]+:/[^:\s]*(:(?i:true|false|yes|no|on|off|1|0)?(:[^\s]*)?)?\z")]
    private static partial Regex AllowedScm();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._/:-]{0,254}(@sha256:[a-f0-9]{64})?\z")]
    private static partial Regex ImageReference();

    private static string Join(string path, string name)
    {
        var camel = char.ToLowerInvariant(name[0]) + name[1..];
        return path.Length == 0 ? camel : $"{path}.{camel}";
    }
}
