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
        var content = await ReadAsync(hub, cancellationToken).ConfigureAwait(false);
        return ContentWriter.ToYaml(content, $"Koji content exported from a hub; apply it with: koji-farm content apply");
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
        Tags = ParentsFirst(state.Tags.Values.Select(t => t.Own)),
        Targets = state.Targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(),
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Parents before children, then by name: reads top-down like a tag tree.</summary>
    private static IReadOnlyList<TagSpec> ParentsFirst(IEnumerable<TagSpec> tags)
    {
        var byName = tags.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<TagSpec>();
        void Visit(TagSpec tag, HashSet<string> path)
        {
            if (done.Contains(tag.Name) || !path.Add(tag.Name)) return;
            foreach (var link in tag.Inheritance)
                if (byName.TryGetValue(link.Parent, out var parent)) Visit(parent, path);
            if (done.Add(tag.Name)) result.Add(tag);
        }
        foreach (var tag in byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal)) Visit(tag, new HashSet<string>(StringComparer.Ordinal));
        return result;
    }
}
