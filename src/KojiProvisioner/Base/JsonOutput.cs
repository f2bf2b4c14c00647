using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KojiProvisioner;

/// <summary>
/// The one JSON policy of every `--output json` document (a documented contract, see
/// docs/architecture.md): camelCase property names, indented, nulls left out; enum values in
/// snake_case, the words content files use (<c>external_repo</c>).
/// </summary>
/// <remarks>
/// Commands describe their documents as anonymous objects. System.Text.Json can only serialize
/// those by building converters at run time, which a natively compiled koji-farm cannot do, so
/// this writes them itself: public properties in declaration order, by their declared type
/// (the document itself and an <c>object</c>-typed value by its own type), as System.Text.Json
/// does with the policy above. A type it has no rule for (a framework type that is not a
/// scalar, a collection or a dictionary; a custom converter) is refused, not guessed. Tests hold
/// it to System.Text.Json's output.
/// </remarks>
public static class JsonOutput
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (string Name, PropertyInfo Property, bool WriteNull)[]> Shapes = new();

    public static string Serialize(object value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            Write(writer, value, typeof(object));
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, object? value, Type declared)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        var type = declared == typeof(object) ? value.GetType() : Nullable.GetUnderlyingType(declared) ?? declared;
        switch (value)
        {
            case string s: writer.WriteStringValue(s); return;
            case bool b: writer.WriteBooleanValue(b); return;
            case int i: writer.WriteNumberValue(i); return;
            case long l: writer.WriteNumberValue(l); return;
            case double d: writer.WriteNumberValue(d); return;
            case float f: writer.WriteNumberValue(f); return;
            case decimal m: writer.WriteNumberValue(m); return;
            case uint u: writer.WriteNumberValue(u); return;
            case ulong ul: writer.WriteNumberValue(ul); return;
            case short sh: writer.WriteNumberValue(sh); return;
            case ushort us: writer.WriteNumberValue(us); return;
            case byte by: writer.WriteNumberValue(by); return;
            case sbyte sb: writer.WriteNumberValue(sb); return;
            case char c: writer.WriteStringValue(c.ToString()); return;
            case DateTime dt: writer.WriteStringValue(dt); return;
            case DateTimeOffset dto: writer.WriteStringValue(dto); return;
            case TimeSpan ts: writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); return;
            case Guid g: writer.WriteStringValue(g); return;
            case Uri uri: writer.WriteStringValue(uri.OriginalString); return;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); return;
            case Enum e: WriteEnum(writer, e); return;
            case JsonElement element: element.WriteTo(writer); return;
            case System.Text.Json.Nodes.JsonNode node: node.WriteTo(writer); return;
            case IDictionary dictionary:
                writer.WriteStartObject();
                var valueType = ItemType(type, dictionary: true);
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Key(entry.Key));
                    Write(writer, entry.Value, valueType);
                }
                writer.WriteEndObject();
                return;
            case IEnumerable items:
                writer.WriteStartArray();
                var itemType = ItemType(type, dictionary: false);
                foreach (var item in items)
                    Write(writer, item, itemType);
                writer.WriteEndArray();
                return;
        }
        if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true || type.IsPrimitive)
            throw new NotSupportedException($"JsonOutput has no rule for {type}: write it as a string or a number");
        writer.WriteStartObject();
        foreach (var (name, property, writeNull) in Shape(type))
        {
            var child = property.GetValue(value);
            if (child is null && !writeNull)
                continue;
            writer.WritePropertyName(name);
            Write(writer, child, property.PropertyType);
        }
        writer.WriteEndObject();
    }

    /// <summary>A dictionary key: a string as it is, an enum as its value is written, an integer in invariant digits.</summary>
    private static string Key(object key) => key switch
    {
        string s => s,
        Enum e => EnumText(e) ?? Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        int or long or short or byte or uint or ulong or ushort or sbyte => Convert.ToString(key, CultureInfo.InvariantCulture)!,
        _ => throw new NotSupportedException($"JsonOutput has no rule for dictionary keys of {key.GetType()}"),
    };

    /// <summary>A name per value, as JsonStringEnumConverter writes it: flags joined by ", ", an undefined value as its number.</summary>
    private static void WriteEnum(Utf8JsonWriter writer, Enum value)
    {
        if (EnumText(value) is { } text)
            writer.WriteStringValue(text);
        else
            writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    private static string? EnumText(Enum value)
    {
        var text = value.ToString();
        return text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-')
            ? null
            : string.Join(", ", text.Split(", ").Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));
    }

    /// <summary>The element type a collection declares (its value type for a dictionary); <c>object</c> when it declares none.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only the interfaces of types the command built are read; the assemblies that build them are kept whole (see KojiProvisioner.Cli.csproj).")]
    private static Type ItemType(Type collection, bool dictionary)
    {
        if (collection.IsArray)
            return collection.GetElementType()!;
        var shapes = collection.IsInterface ? collection.GetInterfaces().Append(collection) : collection.GetInterfaces();
        foreach (var candidate in shapes)
        {
            if (!candidate.IsGenericType)
                continue;
            var definition = candidate.GetGenericTypeDefinition();
            if (dictionary && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
                return candidate.GetGenericArguments()[1];
            if (!dictionary && definition == typeof(IEnumerable<>))
                return candidate.GetGenericArguments()[0];
        }
        return typeof(object);
    }

    /// <summary>
    /// A type's public instance properties as System.Text.Json finds them: the most derived of
    /// a name hidden with <c>new</c>, an interface's inherited ones too; <c>[JsonPropertyName]</c>
    /// and <c>[JsonIgnore]</c> (always, or never: then a null is written) honoured, any other
    /// System.Text.Json attribute refused.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The documents are built of anonymous types and records of koji-farm's own assemblies, which are kept whole (see KojiProvisioner.Cli.csproj).")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above: interfaces of koji-farm's own types.")]
    private static (string Name, PropertyInfo Property, bool WriteNull)[] Shape(Type type) => Shapes.GetOrAdd(type, static t =>
    {
        var all = t.GetProperties(BindingFlags.Public | BindingFlags.Instance).AsEnumerable();
        if (t.IsInterface)
            all = all.Concat(t.GetInterfaces().SelectMany(i => i.GetProperties(BindingFlags.Public | BindingFlags.Instance)));
        var chosen = new List<(string, PropertyInfo, bool)>();
        foreach (var p in all.Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                     .GroupBy(p => p.Name).Select(g => g.OrderBy(p => Depth(p.DeclaringType!)).Last()))
        {
            var ignore = p.GetCustomAttribute<JsonIgnoreAttribute>();
            if (ignore?.Condition == JsonIgnoreCondition.Always)
                continue;
            if (ignore is { Condition: not (JsonIgnoreCondition.Never or JsonIgnoreCondition.WhenWritingNull) }
                || p.GetCustomAttributes().Any(a => a is JsonAttribute and not (JsonPropertyNameAttribute or JsonIgnoreAttribute)))
                throw new NotSupportedException($"JsonOutput has no rule for the attributes of {t}.{p.Name}");
            chosen.Add((p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p,
                ignore?.Condition == JsonIgnoreCondition.Never));
        }
        return chosen.ToArray();
    });

    private static int Depth(Type type)
    {
        var depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            depth++;
        return depth;
    }
}
