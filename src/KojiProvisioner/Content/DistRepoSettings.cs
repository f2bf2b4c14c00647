using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Content;

/// <summary>
/// A tag's <c>dist_repo:</c> block: the tag extra Koji reads when it makes a dist repo of the tag,
/// written under Koji's own names, so `content diff` shows them as the tag's extra. Read in Koji
/// 1.35.3: the hub's <c>distRepo</c> reads <c>distrepo.cancel_others</c> (a new dist repo of the tag
/// cancels its unfinished ones); the <c>tag2distrepo</c> hub plugin that ships with Koji reads
/// <c>tag2distrepo.*</c> (on every tag and untag, a dist repo with those keys and options) and needs
/// the tag's own arches.
/// </summary>
public static partial class DistRepoSettings
{
    /// <summary>The block's keys and the tag extra each becomes.</summary>
    public static readonly IReadOnlyList<(string Key, string Extra)> Keys =
    [
        ("cancel_others", "distrepo.cancel_others"),
        ("on_tag", "tag2distrepo.enabled"),
        ("keys", "tag2distrepo.keys"),
        ("inherit", "tag2distrepo.inherit"),
        ("latest", "tag2distrepo.latest"),
        ("split_debuginfo", "tag2distrepo.split_debuginfo"),
    ];

    /// <summary>The tag's extra with the <c>dist_repo:</c> block added; a key given both ways is refused.</summary>
    internal static IReadOnlyDictionary<string, object?> AddTo(IReadOnlyDictionary<string, object?> extra, YamlNode? block,
        IReadOnlyList<string> arches, string file, string what)
    {
        if (block is null)
            return extra;
        var f = new YamlFields(block, file, what + " dist_repo", Keys.Select(k => k.Key).ToArray());
        var result = new SortedDictionary<string, object?>(extra.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, extraKey) in Keys)
        {
            if (!f.Has(key))
                continue;
            if (extra.ContainsKey(extraKey))
                throw f.Error(f.Node(key)!, $"'{key}' is extra {extraKey}, which 'extra' sets too: set it once");
            if (key == "keys")
            {
                var sigkeys = f.Names(key).Select(k => k.ToLowerInvariant()).ToList();
                if (sigkeys.FirstOrDefault(k => !Sigkey().IsMatch(k)) is { } bad)
                    throw f.Error(f.Node(key)!, $"'{bad}' is not a Koji signature key (the last 8 hex digits of the key id, as `koji-farm sign` prints)");
                result[extraKey] = string.Join(' ', sigkeys);
            }
            else
                result[extraKey] = f.Bool(key, false);
        }
        if (f.OptionalBool("on_tag") == true && arches.Count == 0)
            throw f.Error(block, "'on_tag' needs the tag's own arches: Koji's tag2distrepo refuses a tag without them");
        return result;
    }

    /// <summary>
    /// For `content export`: the tag extra a <c>dist_repo:</c> block would give, split from the rest.
    /// A value the block could not hold (a text where Koji reads true/false, a key list that is not
    /// sigkeys, on_tag without arches) stays in extra, so what is written loads back unchanged.
    /// </summary>
    public static (IReadOnlyDictionary<string, object?> Extra, IReadOnlyList<(string Key, object Value)> Block) Split(
        IReadOnlyDictionary<string, object?> extra, IReadOnlyList<string> arches)
    {
        var block = new List<(string, object)>();
        var rest = new SortedDictionary<string, object?>(extra.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, extraKey) in Keys)
        {
            var fits = extra.GetValueOrDefault(extraKey) switch
            {
                bool b => key != "keys" && (key != "on_tag" || !b || arches.Count > 0),
                string text => key == "keys" && text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } list && list.All(Sigkey().IsMatch),
                _ => false,
            };
            if (!fits)
                continue;
            block.Add((key, key == "keys" ? ((string)extra[extraKey]!).Split(' ', StringSplitOptions.RemoveEmptyEntries) : extra[extraKey]!));
            rest.Remove(extraKey);
        }
        return (rest, block);
    }

    [GeneratedRegex("^[0-9a-f]{8}$")]
    private static partial Regex Sigkey();
}
