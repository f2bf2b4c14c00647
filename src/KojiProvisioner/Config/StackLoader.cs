using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace KojiProvisioner.Config;

/// <summary>
/// A validated stack with its paths resolved. <see cref="KojiSourcePath"/> is the Koji source the stack
/// sets (koji.path, KOJI_SOURCE), null when none is: the farm's record then says (Farm/FarmInputs).
/// </summary>
public sealed record Stack(
    StackSpec Spec,
    string FilePath,
    string StateDirectory,
    string? KojiSourcePath,
    string? ContentPath)
{
    public string Name => Spec.Name;
}

/// <summary>
/// Reads a stack from its layers, lowest first: the YAML file, then `KOJIFARM_` environment variables
/// (`KOJIFARM_HUB__PORT=9443`), then `--set hub.port=9443` flags. Every error names the layer and the
/// key path it came from; nothing is written while loading. A Koji or mock source that is not set is
/// not an error here: the farm's recorded inputs stand in for it (Farm/FarmInputs), and only a verb
/// that must build an image without either says what to set.
/// </summary>
public static class StackLoader
{
    public const string EnvironmentPrefix = "KOJIFARM_";

    public static Stack Load(
        string path,
        IEnumerable<string>? sets = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        environment ??= ProcessEnvironment();
        if (!File.Exists(path))
            throw new InputException($"{path}: stack file not found");

        var builder = new ConfigurationBuilder();
        try
        {
            builder.AddYamlFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
        }
        catch (Exception e)
        {
            throw new InputException($"{path}: {e.Message}");
        }
        builder.Add(new LayerSource(EnvironmentLayer(environment), key => $"environment {EnvironmentPrefix}{key.Replace(":", "__").ToUpperInvariant()}"));
        builder.Add(new LayerSource(SetLayer(sets ?? []), key => $"--set {key.Replace(':', '.')}"));

        IConfigurationRoot root;
        Timings.Mark("stack: sources added");
        try
        {
            root = builder.Build();
        }
        catch (Exception e)
        {
            // YAML syntax errors surface here, with the line and column in the message.
            var inner = e.InnerException?.Message ?? e.Message;
            throw new InputException($"{path}: not a valid stack file: {inner}");
        }

        Timings.Mark("stack: YAML read and layered");
        var sources = new SourceNames(root, path);
        var spec = (StackSpec)new Binder(sources).BindObject(root, typeof(StackSpec), "");
        Timings.Mark("stack: bound");
        // Ports chosen by an earlier `up` for `port: 0` (read only; `up` chooses them).
        var validated = StackValidator.Validate(spec, path, environment, sources);
        Timings.Mark("stack: validated");
        return HostPorts.ApplyRecorded(validated);
    }

    private static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            result[(string)e.Key] = (string?)e.Value ?? "";
        return result;
    }

    private static IEnumerable<(string, string)> EnvironmentLayer(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            // KOJIFARM_STACK names the stack file (StackFileLocator); it is not a setting
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > EnvironmentPrefix.Length
                && !name.Equals(StackFileLocator.Variable, StringComparison.OrdinalIgnoreCase))
                yield return (name[EnvironmentPrefix.Length..].Replace("__", ":"), value);
        }
    }

    private static IEnumerable<(string, string)> SetLayer(IEnumerable<string> sets)
    {
        foreach (var set in sets)
        {
            var eq = set.IndexOf('=');
            if (eq <= 0)
                throw new InputException($"--set {set}: expected key=value, e.g. --set hub.port=9443");
            yield return (set[..eq].Trim().Replace('.', ':'), set[(eq + 1)..]);
        }
    }

    /// <summary>A layer checked against the spec's shape (<see cref="StackLayers"/>), that can say where its keys came from.</summary>
    private sealed class LayerSource(IEnumerable<(string, string)> entries, Func<string, string> describe) : IConfigurationSource
    {
        private readonly StackLayers.Layer _layer = StackLayers.Read(entries, describe);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new StackLayers.Provider(_layer, describe);
    }

    /// <summary>Names the layer that supplied a key, for error messages.</summary>
    internal sealed class SourceNames(IConfigurationRoot root, string filePath)
    {
        public string FilePath => filePath;

        public string For(string key)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                var supplies = provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any();
                if (!supplies)
                    continue;
                return provider is StackLayers.Provider layer ? layer.Describe(key) : filePath;
            }
            return filePath;
        }
    }

    /// <summary>
    /// Binds configuration onto the spec classes by hand so that an unknown key or a wrong type
    /// is an error naming its path, where ConfigurationBinder would silently ignore or throw vaguely.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Binds StackSpec and the types of its properties, all in this assembly, which a native koji-farm keeps whole (TrimmerRootAssembly in KojiProvisioner.Cli.csproj).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Binds StackSpec and the types of its properties, all in this assembly, which a native koji-farm keeps whole (TrimmerRootAssembly in KojiProvisioner.Cli.csproj).")]
    private sealed class Binder(SourceNames sources)
    {
        public object BindObject(IConfiguration section, Type type, string path)
        {
            var instance = Activator.CreateInstance(type)!;
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var child in section.GetChildren())
            {
                var childPath = Join(path, child.Key);
                if (type == typeof(DatabaseSpec) && string.Equals(child.Key, "password", StringComparison.OrdinalIgnoreCase))
                    throw Error(child.Path, childPath,
                        "the password never goes in the stack: put it in a file readable only by you and name that file in database.passwordFile");
                if (!properties.TryGetValue(child.Key, out var property))
                {
                    var hint = Suggest(child.Key, properties.Keys);
                    throw Error(child.Path, childPath, $"unknown key{(hint is null ? "" : $"; did you mean '{Join(path, hint)}'?")}");
                }
                property.SetValue(instance, BindValue(child, property.PropertyType, childPath, property.GetCustomAttribute<BoundsAttribute>()));
            }
            return instance;
        }

        private object? BindValue(IConfigurationSection section, Type type, string path, BoundsAttribute? bounds = null)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            var hasChildren = section.GetChildren().Any();
            if (underlying == typeof(string) || underlying.IsPrimitive)
            {
                if (hasChildren)
                    throw Error(section.Path, path, $"expected {Describe(underlying, bounds)}, found a map or list");
                return ParseScalar(section, underlying, path, bounds);
            }
            if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
            {
                var itemType = underlying.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(underlying)!;
                if (!hasChildren)
                {
                    if (string.IsNullOrEmpty(section.Value))
                        return list; // `arches: []` or `arches:`
                    throw Error(section.Path, path, $"expected a list, got '{section.Value}'");
                }
                var children = section.GetChildren().ToList();
                foreach (var child in children)
                {
                    if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw Error(section.Path, path, "expected a list, found a map");
                }
                foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
                    list.Add(BindValue(child, itemType, $"{path}[{child.Key}]"));
                return list;
            }
            if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                var dict = (IDictionary)Activator.CreateInstance(underlying)!;
                if (!hasChildren && !string.IsNullOrEmpty(section.Value))
                    throw Error(section.Path, path, $"expected a map, got '{section.Value}'");
                foreach (var child in section.GetChildren())
                    dict[child.Key] = BindValue(child, underlying.GetGenericArguments()[1], Join(path, child.Key));
                return dict;
            }
            if (!hasChildren && !string.IsNullOrEmpty(section.Value))
                throw Error(section.Path, path, $"expected a map, got '{section.Value}'");
            return BindObject(section, underlying, path);
        }

        private object? ParseScalar(IConfigurationSection section, Type type, string path, BoundsAttribute? bounds)
        {
            var text = section.Value ?? "";
            if (type == typeof(string))
                return text;
            if (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                return i;
            if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                return d;
            if (type == typeof(bool))
            {
                switch (text.Trim().ToLowerInvariant())
                {
                    case "true" or "yes" or "on": return true;
                    case "false" or "no" or "off": return false;
                }
            }
            throw Error(section.Path, path, $"expected {Describe(type, bounds)}, got '{text}'");
        }

        private static string Describe(Type type, BoundsAttribute? bounds) =>
            bounds is null ? Describe(type) : $"{Describe(type)} {bounds.Text}";

        private static string Describe(Type type) =>
            type == typeof(int) ? "a whole number"
            : type == typeof(double) ? "a number"
            : type == typeof(bool) ? "true or false"
            : "a text value";

        private InputException Error(string configKey, string path, string what) =>
            new($"{sources.For(configKey)}: {path}: {what}");

        private static string Join(string path, string key)
        {
            var camel = key.Length > 0 ? char.ToLowerInvariant(key[0]) + key[1..] : key;
            return path.Length == 0 ? camel : $"{path}.{camel}";
        }

        private static string? Suggest(string key, IEnumerable<string> candidates)
        {
            var best = candidates
                .Select(c => (c, d: Distance(key.ToLowerInvariant(), c.ToLowerInvariant())))
                .OrderBy(x => x.d)
                .FirstOrDefault();
            return best.c is not null && best.d <= Math.Max(2, key.Length / 3) ? best.c : null;
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
                for (var j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
