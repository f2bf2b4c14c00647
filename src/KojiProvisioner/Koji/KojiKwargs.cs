namespace KojiProvisioner.Koji;

/// <summary>
/// Keyword arguments for a hub call. Koji's XML-RPC carries them as a trailing struct
/// marked <c>"__starstar": true</c>; a distinct type keeps callers from sending a plain
/// dictionary as kwargs (or kwargs as a dictionary) by accident.
/// </summary>
public sealed class KojiKwargs : IReadOnlyDictionary<string, object?>
{
    public const string Marker = "__starstar";

    private readonly SortedDictionary<string, object?> _values = new(StringComparer.Ordinal);

    public KojiKwargs() { }

    public KojiKwargs(IEnumerable<KeyValuePair<string, object?>> values)
    {
        foreach (var (key, value) in values) Add(key, value);
    }

    public void Add(string name, object? value)
    {
        if (name == Marker) throw new ArgumentException($"'{Marker}' is reserved", nameof(name));
        _values.Add(name, value);
    }

    public object? this[string key] { get => _values[key]; set => _values[key] = value; }
    public IEnumerable<string> Keys => _values.Keys;
    public IEnumerable<object?> Values => _values.Values;
    public int Count => _values.Count;
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        string.Join(", ", _values.Select(kv => $"{kv.Key}={XmlRpc.Describe(kv.Value)}"));
}
