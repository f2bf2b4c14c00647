using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>`content diff`: what apply would write; reads only, no login.</summary>
public sealed class DiffContent(HubTarget target)
{
    /// <param name="content">The content file, loaded by <see cref="ContentVerbs.Load"/> before the hub was named.</param>
    public async Task<ContentPlan> RunAsync(KojiContent content, PruneScope prune, CancellationToken ct)
    {
        using var hub = target.Connect();
        return await ContentPlanner.PlanAsync(hub, content, prune, ct);
    }
}

/// <summary>
/// `content apply`: writes only the difference between the content file and the hub. Planned and
/// applied in two steps, so that the caller can show a prune's removals and ask before any write.
/// </summary>
public sealed class ApplyContent(HubTarget target) : IDisposable
{
    private readonly KojiHubClient _hub = target.Connect();

    /// <param name="content">The content file, loaded by <see cref="ContentVerbs.Load"/> before the hub was named.</param>
    public async Task<ContentPlan> PlanAsync(KojiContent content, PruneScope prune, CancellationToken ct)
    {
        Timings.Mark("content apply: hub target ready");
        if (!target.CanLogIn)
            throw new InputException($"content apply must log in to {target.Description}, but {target.CannotLogIn}");
        // prune never revokes admin from the user apply logs in as: ask the hub who that is
        var me = target.CertificateUser;
        if (prune.Has(PruneKind.Permissions))
        {
            await _hub.EnsureLoggedInAsync(ct);
            if (await _hub.GetLoggedInUserAsync(ct) is { } user)
                me = user.Name;
        }
        var plan = await ContentPlanner.PlanAsync(_hub, content, prune with { KeepAdminOf = me }, ct);
        Timings.Mark("content apply: hub read and compared");
        return plan;
    }

    public async Task<ContentApplyResult> ApplyAsync(ContentPlan plan, CancellationToken ct)
    {
        var result = await ContentApplier.ApplyAsync(_hub, plan, ct);
        Timings.Mark("content apply: written");
        return result;
    }

    public void Dispose() => _hub.Dispose();
}

/// <summary>`content export`: the hub's content in the content-file format, streamed.</summary>
public sealed class ExportContent(HubTarget target)
{
    /// <summary>Writes to <paramref name="path"/> (beside it, then renamed over it: a failed export leaves no half file), or to <paramref name="stdout"/>.</summary>
    public async Task RunAsync(string? path, TextWriter stdout, CancellationToken ct)
    {
        using var hub = target.Connect();
        var header = $"exported from {target.Options.HubUrl}";
        if (path is null)
        {
            await ContentExporter.ExportAsync(hub, stdout, header, ct);
            return;
        }
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
                await ContentExporter.ExportAsync(hub, writer, header, ct);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

public static class ContentVerbs
{
    /// <summary>
    /// The content file, loaded and validated as a whole (a prune with a file that lists no tags is
    /// refused): the first thing `content diff|apply` do, before the state folder or the hub is read.
    /// </summary>
    public static KojiContent Load(string file, PruneScope prune)
    {
        try
        {
            var content = ContentLoader.LoadFile(file);
            PruneSafety.RefuseEmpty(content, file, prune);
            return content;
        }
        catch (ContentException e)
        {
            throw new InputException(e.Message);
        }
    }
}
