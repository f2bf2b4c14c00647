using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration.Memory;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Config;

/// <summary>
/// The environment and `--set` layers of a stack, checked against the shape of <see cref="StackSpec"/>
/// so that every value reaches the stack or is refused: a list is given whole as a YAML flow list
/// (`builders.arches=[x86_64, aarch64]`, `[]` to empty it), which replaces the lower layers' list
/// (configuration merges lists by index, so a shorter list would keep their extra entries), or one
/// entry by index (`builders.arches.0=x86_64`); a scalar takes one value, a map is set key by key.
/// </summary>
internal static class StackLayers
{
    /// <summary>A layer's keys (configuration paths, `:`-separated) and the list paths it replaces whole.</summary>
    public sealed record Layer(Dictionary<string, string?> Data, HashSet<string> Replaced);

    /// <summary>Reads one layer's raw (configuration key, value) pairs; <paramref name="describe"/> names a key's origin.</summary>
    public static Layer Read(IEnumerable<(string Key, string Value)> entries, Func<string, string> describe)
    {
        var layer = new Layer(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase));
        foreach (var (key, value) in entries)
        {
            InputException Error(string path, string what) => new($"{describe(key)}: {path}: {what}");
            var (shape, path) = Resolve(key, Error);
            switch (shape)
            {
                case Shape.Unknown:
                    layer.Data[key] = value; // the binder names an unknown key with a suggestion
                    break;
                case Shape.Scalar:
                    if (LooksLikeCollection(value))
                        throw Error(path, $"takes one value, not a list or map (got '{value}')");
                    layer.Data[key] = value;
                    break;
                case Shape.Map:
                    throw Error(path, $"is a map: set its keys one by one, e.g. --set {path}.KEY=VALUE");
                case Shape.List:
                    var trimmed = value.Trim();
                    if (trimmed.Length > 0 && !trimmed.StartsWith('['))
                        throw Error(path, $"is a list: give it whole in brackets (--set {path}=[{value}]) or one entry by index (--set {path}.0={value})");
                    layer.Replaced.Add(key);
                    layer.Data[key] = ""; // `[]`: no entries, and none of the lower layers'
                    if (trimmed.Length > 0)
                        Flatten(ParseFlowList(trimmed, path, Error), key, layer.Data);
                    break;
            }
        }
        return layer;
    }

    private enum Shape { Unknown, Scalar, List, Map }

    private static bool LooksLikeCollection(string value)
    {
        var t = value.Trim();
        return (t.StartsWith('[') && t.EndsWith(']')) || (t.StartsWith('{') && t.EndsWith('}'));
    }

    /// <summary>What the key names in <see cref="StackSpec"/>, and its path as a stack file writes it (`builders.remote[0].port`).</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Walks StackSpec and the types of its properties, all in this assembly, which a native koji-farm keeps whole (TrimmerRootAssembly in KojiProvisioner.Cli.csproj).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2065", Justification = "Walks StackSpec and the types of its properties, all in this assembly, which a native koji-farm keeps whole (TrimmerRootAssembly in KojiProvisioner.Cli.csproj).")]
    private static (Shape, string) Resolve(string key, Func<string, string, InputException> error)
    {
        var type = typeof(StackSpec);
        var path = "";
        foreach (var segment in key.Split(':'))
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (IsScalar(underlying))
                throw error(path, $"takes one value; it has no '{segment}'");
            if (IsGeneric(underlying, typeof(List<>)))
            {
                if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw error(path, $"is a list: '{segment}' is not an index (0, 1, ...)");
                path += $"[{segment}]";
                type = underlying.GetGenericArguments()[0];
                continue;
            }
            if (IsGeneric(underlying, typeof(Dictionary<,>)))
            {
                path = Join(path, segment, camel: false);
                type = underlying.GetGenericArguments()[1];
                continue;
            }
            var property = underlying.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
                return (Shape.Unknown, Join(path, segment, camel: true));
            path = Join(path, property.Name, camel: true);
            type = property.PropertyType;
        }
        var final = Nullable.GetUnderlyingType(type) ?? type;
        return IsScalar(final) ? (Shape.Scalar, path)
            : IsGeneric(final, typeof(List<>)) ? (Shape.List, path)
            : (Shape.Map, path);
    }

    private static bool IsScalar(Type type) => type == typeof(string) || type.IsPrimitive;

    private static bool IsGeneric(Type type, Type definition) => type.IsGenericType && type.GetGenericTypeDefinition() == definition;

    private static string Join(string path, string name, bool camel)
    {
        if (camel && name.Length > 0)
            name = char.ToLowerInvariant(name[0]) + name[1..];
        return path.Length == 0 ? name : $"{path}.{name}";
    }

    private static YamlSequenceNode ParseFlowList(string text, string path, Func<string, string, InputException> error)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw error(path, $"not a list: {(e.InnerException ?? e).Message.ReplaceLineEndings(" ")} (e.g. [a, b]; quote an entry that holds ', [ ] {{ }}')");
        }
        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlSequenceNode list
            ? list
            : throw error(path, "not a list (e.g. [a, b])");
    }

    /// <summary>Writes a YAML node as configuration keys, as the stack file's YAML provider would.</summary>
    private static void Flatten(YamlNode node, string key, Dictionary<string, string?> data)
    {
        switch (node)
        {
            case YamlSequenceNode list:
                data[key] = "";
                for (var i = 0; i < list.Children.Count; i++)
                    Flatten(list.Children[i], $"{key}:{i}", data);
                break;
            case YamlMappingNode map:
                data[key] = "";
                foreach (var (k, v) in map.Children)
                    Flatten(v, $"{key}:{(k as YamlScalarNode)?.Value}", data);
                break;
            case YamlScalarNode scalar:
                data[key] = scalar.Value;
                break;
        }
    }

    /// <summary>A memory layer that can say where its keys came from, and hides the lower layers' entries of the lists it replaces.</summary>
    internal sealed class Provider(Layer layer, Func<string, string> describe)
        : MemoryConfigurationProvider(new MemoryConfigurationSource { InitialData = layer.Data })
    {
        public Func<string, string> Describe { get; } = describe;

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            if (parentPath is not null && layer.Replaced.Any(r => Covers(r, parentPath)))
                earlierKeys = [];
            return base.GetChildKeys(earlierKeys, parentPath);
        }

        private static bool Covers(string replaced, string path) =>
            path.Equals(replaced, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith(replaced + ":", StringComparison.OrdinalIgnoreCase);
    }
}
