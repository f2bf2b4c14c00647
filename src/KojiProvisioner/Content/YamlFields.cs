using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Content;

/// <summary>
/// Strict typed access to one YAML mapping: unknown keys and wrong types become a
/// <see cref="ContentException"/> naming the file, line and object. Working on the node tree
/// (rather than a deserializer) is what gives every message its line number.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlMappingNode _node;
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
    private readonly bool _topLevel;

    public YamlFields(YamlNode node, string file, string what, params string[] allowed)
        : this(node, file, what, topLevel: false, allowed) { }

    /// <summary>
    /// The root of a file. A file that is not a mapping may be anything the reader can open (a key,
    /// a password), so its messages name the file, line and kind, never what it holds.
    /// </summary>
    public static YamlFields Root(YamlNode node, string file, string what, params string[] allowed) =>
        new(node, file, what, topLevel: true, allowed);

    private YamlFields(YamlNode node, string file, string what, bool topLevel, string[] allowed)
    {
        File = file;
        What = what;
        _topLevel = topLevel;
        _node = node as YamlMappingNode ?? throw Error(file, node, what,
            $"expected a mapping, found {(topLevel ? KindWithoutValue(node) : Kind(node))}{(topLevel ? " (not a content file?)" : "")}");
        foreach (var (keyNode, value) in _node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw Error(file, keyNode, what, "keys must be plain names");
            if (!allowed.Contains(key))
                throw Error(file, keyNode, what, PlainName(key)
                    ? $"unknown key '{key}' (expected one of: {string.Join(", ", allowed)})"
                    : $"unknown key (expected one of: {string.Join(", ", allowed)})");
            _values[key] = value;
        }
    }

    public string File { get; }
    public string What { get; }
    public SourceLocation Location => At(File, _node);

    public bool Has(string key) => _values.TryGetValue(key, out var v) && !IsNull(v);

    public YamlNode? Node(string key) => _values.TryGetValue(key, out var v) && !IsNull(v) ? v : null;

    public string RequiredString(string key) =>
        OptionalString(key) is { Length: > 0 } s ? s : throw Error(File, Node(key) ?? _node, What, $"'{key}' is required");

    public string? OptionalString(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is not YamlScalarNode scalar) throw WrongType(key, node, "a string");
        return scalar.Value ?? "";
    }

    public bool Bool(string key, bool fallback) => OptionalBool(key) ?? fallback;

    public bool? OptionalBool(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s)
        {
            if (s.Value is "true" or "True" or "TRUE") return true;
            if (s.Value is "false" or "False" or "FALSE") return false;
        }
        throw WrongType(key, node, "true or false");
    }

    public int Int(string key, int fallback) => OptionalInt(key) ?? fallback;

    public int? OptionalInt(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s &&
            int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
        throw WrongType(key, node, "a whole number");
    }

    /// <summary>A list of names; a single space- or comma-separated string is accepted too
    /// (that is how Koji writes arches).</summary>
    public IReadOnlyList<string> Names(string key)
    {
        if (Node(key) is not { } node) return [];
        if (node is YamlScalarNode scalar)
            return (scalar.Value ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (node is not YamlSequenceNode seq) throw WrongType(key, node, "a list of names");
        return seq.Children.Select(item => item is YamlScalarNode { Value: { Length: > 0 } v }
            ? v : throw Error(File, item, What, $"'{key}' must hold names, found {Kind(item)}")).ToList();
    }

    public IReadOnlyList<YamlNode> Sequence(string key)
    {
        if (Node(key) is not { } node) return [];
        return node is YamlSequenceNode seq ? seq.Children.ToList() : throw WrongType(key, node, "a list");
    }

    public IReadOnlyDictionary<string, object?> Map(string key)
    {
        if (Node(key) is not { } node) return new Dictionary<string, object?>();
        if (node is not YamlMappingNode map) throw WrongType(key, node, "a mapping");
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
            result[((YamlScalarNode)k).Value ?? ""] = ToValue(v);
        return result;
    }

    public ContentException Error(YamlNode at, string message) => Error(File, at, What, message);

    private ContentException WrongType(string key, YamlNode node, string expected) =>
        Error(File, node, What, $"'{key}' must be {expected}, found {(_topLevel ? KindWithoutValue(node) : Kind(node))}");

    public static ContentException Error(string file, YamlNode at, string what, string message) =>
        new($"{At(file, at)}: {what}: {message}");

    public static SourceLocation At(string file, YamlNode node) => new(file, (int)node.Start.Line);

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static bool PlainName(string key) =>
        key.Length is > 0 and <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    public static string KindWithoutValue(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode => "a text value",
        _ => node.NodeType.ToString(),
    };

    public static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };

    /// <summary>YAML 1.2 core schema for plain scalars, so extra values keep their JSON types.</summary>
    public static object? ToValue(YamlNode node)
    {
        switch (node)
        {
            case YamlSequenceNode seq:
                return seq.Children.Select(ToValue).ToList();
            case YamlMappingNode map:
                var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in map.Children) result[((YamlScalarNode)k).Value ?? ""] = ToValue(v);
                return result;
            case YamlScalarNode scalar:
                if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return scalar.Value ?? "";
                if (IsNull(scalar)) return null;
                var text = scalar.Value!;
                if (text is "true" or "True" or "TRUE") return true;
                if (text is "false" or "False" or "FALSE") return false;
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit)) return d;
                return text;
            default:
                return null;
        }
    }
}
