using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Content;

/// <summary>Writes content in the format <see cref="ContentLoader"/> reads, leaving out defaults.</summary>
public static class ContentWriter
{
    public static string ToYaml(KojiContent content, string? header = null)
    {
        var root = new YamlMappingNode();
        if (content.Users.Count > 0)
            root.Add("users", Seq(content.Users.Select(u => Map(("name", S(u.Name)), ("permissions", Names(u.Permissions))))));
        if (content.Channels.Count > 0)
            root.Add("channels", Seq(content.Channels.Select(c => Map(
                ("name", S(c.Name)), ("description", c.Description is null ? null : S(c.Description)),
                ("comment", c.Comment is null ? null : S(c.Comment)), ("enabled", c.Enabled is null or true ? null : Value(c.Enabled))))));
        if (content.ExternalRepos.Count > 0)
            root.Add("external_repos", Seq(content.ExternalRepos.Select(r => Map(("name", S(r.Name)), ("url", S(r.Url))))));
        if (content.Tags.Count > 0) root.Add("tags", Seq(content.Tags.Select(Tag)));
        if (content.Targets.Count > 0)
            root.Add("targets", Seq(content.Targets.Select(t => Map(("name", S(t.Name)), ("build_tag", S(t.BuildTag)), ("dest_tag", S(t.DestTag))))));

        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        if (header is not null)
            foreach (var line in header.Split('\n')) writer.WriteLine("# " + line);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a document with "...": not needed for a single document
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>The comment lines that head a file.</summary>
    public static void WriteHeader(TextWriter writer, string header)
    {
        foreach (var line in header.Split('\n')) writer.Write("# " + line + "\n");
    }

    /// <summary>Tags as items of the <c>tags:</c> list, for writing a big hub a slice at a time:
    /// the same text <see cref="ToYaml"/> writes for them.</summary>
    public static void WriteTagItems(TextWriter writer, IEnumerable<TagSpec> tags)
    {
        var items = new YamlSequenceNode(tags.Select(Tag));
        if (items.Children.Count == 0) return;
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        new YamlStream(new YamlDocument(items)).Save(text, assignAnchors: false);
        var yaml = text.ToString();
        writer.Write(yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml);
    }

    private static YamlNode Tag(TagSpec tag)
    {
        var (extra, distRepo) = DistRepoSettings.Split(tag.Extra, tag.Arches);
        var owner = tag.Packages.GroupBy(p => p.Owner).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key;
        return Map(
            ("name", S(tag.Name)),
            ("arches", tag.Arches.Count > 0 ? Names(tag.Arches) : null),
            ("perm", tag.Perm is null ? null : S(tag.Perm)),
            ("locked", tag.Locked ? Value(true) : null),
            ("maven_support", tag.MavenSupport ? Value(true) : null),
            ("maven_include_all", tag.MavenIncludeAll ? Value(true) : null),
            ("extra", extra.Count > 0 ? Value(extra) : null),
            ("dist_repo", distRepo.Count > 0 ? Map(distRepo.Select(d => (d.Key, (YamlNode?)(d.Value is string[] keys ? Names(keys) : Value(d.Value)))).ToArray()) : null),
            ("inheritance", tag.Inheritance.Count > 0 ? Seq(tag.Inheritance.Select(l => Map(
                ("parent", S(l.Parent)), ("priority", Value(l.Priority)), ("maxdepth", l.MaxDepth is null ? null : Value(l.MaxDepth)),
                ("intransitive", l.Intransitive ? Value(true) : null), ("noconfig", l.NoConfig ? Value(true) : null),
                ("pkg_filter", l.PkgFilter.Length > 0 ? S(l.PkgFilter) : null)))) : null),
            ("external_repos", tag.ExternalRepos.Count > 0 ? Seq(tag.ExternalRepos.Select(r => Map(
                ("name", S(r.Name)), ("priority", Value(r.Priority)), ("merge_mode", S(r.MergeMode)),
                ("arches", r.Arches is null ? null : Names(r.Arches))))) : null),
            ("groups", tag.Groups.Count > 0 ? Seq(tag.Groups.Select(g => Map(
                ("name", S(g.Name)),
                // Koji's defaults (display name = name, user visible) are left out
                ("display_name", g.DisplayName is null || g.DisplayName == g.Name ? null : S(g.DisplayName)),
                ("description", g.Description is null ? null : S(g.Description)),
                ("is_default", g.IsDefault is null ? null : Value(g.IsDefault)),
                ("uservisible", g.UserVisible is null or true ? null : Value(g.UserVisible)),
                ("packages", Seq(g.Packages.Select(p => p.Type == "mandatory" ? (YamlNode)S(p.Name) : Map(("name", S(p.Name)), ("type", S(p.Type))))))))) : null),
            ("package_owner", owner is null ? null : S(owner)),
            ("packages", tag.Packages.Count > 0 ? Seq(tag.Packages.Select(p =>
                p.Owner == owner && !p.Blocked && p.ExtraArches.Count == 0
                    ? (YamlNode)S(p.Name)
                    : Map(("name", S(p.Name)), ("owner", p.Owner == owner ? null : S(p.Owner)),
                        ("blocked", p.Blocked ? Value(true) : null),
                        ("extra_arches", p.ExtraArches.Count > 0 ? Names(p.ExtraArches) : null)))) : null));
    }

    private static YamlMappingNode Map(params (string Key, YamlNode? Value)[] entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
            if (value is not null) map.Add(new YamlScalarNode(key), value);
        return map;
    }

    private static YamlSequenceNode Seq(IEnumerable<YamlNode> items) => new(items);

    private static YamlSequenceNode Names(IEnumerable<string> names) =>
        new(names.Select(S)) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };

    /// <summary>A string, quoted when YAML would read it as something else (a number, a bool, null).</summary>
    private static YamlScalarNode S(string text)
    {
        var node = new YamlScalarNode(text);
        if (YamlFields.ToValue(new YamlScalarNode(text)) is not string || NeedsQuotes(text)) node.Style = ScalarStyle.DoubleQuoted;
        return node;
    }

    /// <summary>Plain scalars cannot start with an indicator or hold ": " / " #".</summary>
    private static bool NeedsQuotes(string text) =>
        text.Length == 0 || text != text.Trim() || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal)
        || text.EndsWith(':') || text.IndexOfAny(['\n', '\r', '\t']) >= 0 || "-?:,[]{}#&*!|>'\"%@`".Contains(text[0]);

    private static YamlNode Value(object? value) => value switch
    {
        null => new YamlScalarNode("null"),
        bool b => new YamlScalarNode(b ? "true" : "false"),
        string s => S(s),
        int or long => new YamlScalarNode(Convert.ToString(value, CultureInfo.InvariantCulture)),
        double d => new YamlScalarNode(d.ToString("R", CultureInfo.InvariantCulture) is var t && !t.Contains('.') && !t.Contains('E') ? t + ".0" : d.ToString("R", CultureInfo.InvariantCulture)),
        IReadOnlyDictionary<string, object?> map => Map(map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, (YamlNode?)Value(kv.Value))).ToArray()),
        IEnumerable list => new YamlSequenceNode(list.Cast<object?>().Select(Value)),
        _ => S(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };
}
