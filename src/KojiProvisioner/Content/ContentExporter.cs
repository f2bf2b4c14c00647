using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

/// <summary>
/// Writes what a hub holds as a content file, so a company can adopt the tool on a hub it
/// already runs: applying the exported file to the same hub changes nothing.
/// </summary>
public static class ContentExporter
{
    public static async Task<string> ExportAsync(IKojiHub hub, CancellationToken cancellationToken = default)
    {
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        await ExportAsync(hub, text, "exported from a hub", cancellationToken).ConfigureAwait(false);
        return text.ToString();
    }

    /// <summary>Tags read in detail per slice: a slice's calls are a few multicalls, and only one
    /// slice of a big hub is held at a time.</summary>
    public const int TagsPerSlice = 40;

    /// <summary>
    /// Streams the hub's content to <paramref name="writer"/>: the global lists first, then the
    /// tags a slice at a time (read, written, let go), parents before children, then targets.
    /// The text is the same <see cref="ContentWriter.ToYaml"/> makes of <see cref="ReadAsync"/>.
    /// </summary>
    public static async Task ExportAsync(IKojiHub hub, TextWriter writer, string origin, CancellationToken cancellationToken = default)
    {
        var globals = await HubStateReader.ReadAsync(hub, tagNames: [], userNames: null, cancellationToken).ConfigureAwait(false);
        ContentWriter.WriteHeader(writer, $"Koji content {origin}; apply it with: koji-farm content apply");
        var head = FromState(globals) with { Tags = [], Targets = [] };
        await writer.WriteAsync(Body(head)).ConfigureAwait(false);

        var names = globals.TagIds.Keys.Order(StringComparer.Ordinal).ToList();
        if (names.Count > 0)
        {
            var inheritance = await hub.BatchCallAsync(names.Select(n => new KojiCall("getInheritanceData", n)).ToList(), cancellationToken).ConfigureAwait(false);
            var parents = names.Select((n, i) => (n, HubStateReader.Parents(inheritance[i].GetValueOrThrow())))
                .ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
            var order = ParentsFirst(names, parents);
            await writer.WriteAsync("tags:\n").ConfigureAwait(false);
            for (var start = 0; start < order.Count; start += TagsPerSlice)
            {
                var slice = order.Skip(start).Take(TagsPerSlice).ToList();
                var tags = await HubStateReader.ReadTagsAsync(hub, slice, cancellationToken).ConfigureAwait(false);
                ContentWriter.WriteTagItems(writer, tags.Select(t => t.Own));
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await writer.WriteAsync(Body(new KojiContent { Targets = FromState(globals).Targets })).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A part of the document without its header (empty when the part is empty).</summary>
    private static string Body(KojiContent part)
    {
        if (part.Users.Count + part.Channels.Count + part.ExternalRepos.Count + part.Tags.Count + part.Targets.Count == 0) return "";
        return ContentWriter.ToYaml(part);
    }

    /// <summary>The hub's content in model form: every tag's own entries (inherited ones stay
    /// with the parent that holds them), users that hold permissions.</summary>
    public static async Task<KojiContent> ReadAsync(IKojiHub hub, CancellationToken cancellationToken = default)
    {
        var state = await HubStateReader.ReadAsync(hub, tagNames: null, userNames: null, cancellationToken).ConfigureAwait(false);
        return FromState(state);
    }

    public static KojiContent FromState(HubState state) => new()
    {
        Users = state.Users.Values.Where(u => u.Permissions.Count > 0).OrderBy(u => u.Name, StringComparer.Ordinal).ToList(),
        Channels = state.Channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c with { Description = NullIfEmpty(c.Description), Comment = NullIfEmpty(c.Comment) }).ToList(),
        ExternalRepos = state.ExternalRepos.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList(),
        Tags = ParentsFirst(state.Tags.Keys.ToList(), state.Tags.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)t.Value.Own.Inheritance.Select(l => l.Parent).ToList(), StringComparer.Ordinal))
            .Select(n => state.Tags[n].Own).ToList(),
        Targets = state.Targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(),
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Parents before children, then by name: reads top-down like a tag tree.</summary>
    private static IReadOnlyList<string> ParentsFirst(IReadOnlyList<string> names, IReadOnlyDictionary<string, IReadOnlyList<string>> parents)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        void Visit(string tag, HashSet<string> path)
        {
            if (done.Contains(tag) || !path.Add(tag)) return;
            foreach (var parent in parents.GetValueOrDefault(tag) ?? [])
                if (parents.ContainsKey(parent)) Visit(parent, path);
            if (done.Add(tag)) result.Add(tag);
        }
        foreach (var tag in names.Order(StringComparer.Ordinal)) Visit(tag, new HashSet<string>(StringComparer.Ordinal));
        return result;
    }
}
