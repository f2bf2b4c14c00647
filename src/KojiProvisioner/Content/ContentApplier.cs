using KojiProvisioner.Koji;

namespace KojiProvisioner.Content;

/// <summary>What an apply did.</summary>
public sealed record ContentApplyResult(int Changes, int Writes, int Batches)
{
    public static readonly ContentApplyResult Nothing = new(0, 0, 0);
}

/// <summary>Progress after each batch, for a progress bar: writes sent so far of all.</summary>
public sealed record ContentApplyProgress(int WritesDone, int WritesTotal, ApplyPhase Phase);

/// <summary>Some writes failed. Those before them are kept (each multicall call commits on its
/// own), and a new plan picks up what is left.</summary>
public sealed class ContentApplyException(string message, IReadOnlyList<(ContentChange Change, KojiFaultException Fault)> failures, int writesDone)
    : FarmException(message)
{
    public IReadOnlyList<(ContentChange Change, KojiFaultException Fault)> Failures { get; } = failures;
    public int WritesDone { get; } = writesDone;
}

/// <summary>Runs a plan's writes in phase order as multicall batches. It decides nothing: every
/// write comes from the plan.</summary>
public static class ContentApplier
{
    public static Task<ContentApplyResult> ApplyAsync(IKojiHub hub, ContentPlan plan, CancellationToken cancellationToken = default) =>
        ApplyAsync(hub, plan, progress: null, cancellationToken);

    public static async Task<ContentApplyResult> ApplyAsync(IKojiHub hub, ContentPlan plan, IProgress<ContentApplyProgress>? progress, CancellationToken cancellationToken = default)
    {
        if (plan.IsEmpty) return ContentApplyResult.Nothing;
        await hub.EnsureLoggedInAsync(cancellationToken).ConfigureAwait(false);

        var ordered = plan.Changes
            .SelectMany(change => change.Calls.Select(call => (Change: change, call.Phase, call.Call)))
            .OrderBy(c => c.Phase) // stable: keeps each change's own call order
            .ToList();
        var tagIds = new Dictionary<string, int>(plan.TagIds, StringComparer.Ordinal);
        var writes = 0;
        var batches = 0;
        var batchSize = Math.Max(1, hub.BatchSize);

        // a new tag has no ID until its createTag ran, and setInheritanceData needs parent IDs:
        // the batches end where the tag phase ends
        foreach (var segment in new[] { ordered.Where(c => c.Phase <= ApplyPhase.Tags).ToList(), ordered.Where(c => c.Phase > ApplyPhase.Tags).ToList() })
        {
            for (var start = 0; start < segment.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = segment.Skip(start).Take(batchSize).ToList();
                var calls = batch.Select(c => Resolve(c.Call, tagIds)).ToList();
                var results = await hub.MultiCallAsync(calls, cancellationToken).ConfigureAwait(false);
                batches++;
                var failures = new List<(ContentChange, KojiFaultException)>();
                for (var i = 0; i < results.Count; i++)
                {
                    if (results[i].Fault is { } fault) { failures.Add((batch[i].Change, fault)); continue; }
                    writes++;
                    if (calls[i].Method == "createTag" && calls[i].Args[0] is string name && results[i].Value is int id)
                        tagIds[name] = id;
                }
                if (failures.Count > 0) throw Failed(failures, writes);
                progress?.Report(new ContentApplyProgress(writes, ordered.Count, batch[^1].Phase));
            }
        }
        return new ContentApplyResult(plan.Changes.Count, writes, batches);
    }

    private static KojiCall Resolve(KojiCall call, IReadOnlyDictionary<string, int> tagIds)
    {
        if (!call.Args.Any(Holds)) return call;
        return call with { Args = call.Args.Select(a => Substitute(a, tagIds)).ToList() };

        static bool Holds(object? value) => value switch
        {
            TagIdRef => true,
            IReadOnlyDictionary<string, object?> map => map.Values.Any(Holds),
            string => false,
            System.Collections.IEnumerable list => list.Cast<object?>().Any(Holds),
            _ => false,
        };
    }

    private static object? Substitute(object? value, IReadOnlyDictionary<string, int> tagIds) => value switch
    {
        TagIdRef r => tagIds.TryGetValue(r.TagName, out var id) ? id
            : throw new InvalidOperationException($"tag '{r.TagName}' has no ID: it was neither on the hub nor created"),
        KojiKwargs kw => new KojiKwargs(kw.Select(kv => new KeyValuePair<string, object?>(kv.Key, Substitute(kv.Value, tagIds)))),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => Substitute(kv.Value, tagIds), StringComparer.Ordinal),
        string s => s,
        System.Collections.IEnumerable list => list.Cast<object?>().Select(v => Substitute(v, tagIds)).ToList(),
        _ => value,
    };

    private static ContentApplyException Failed(List<(ContentChange Change, KojiFaultException Fault)> failures, int writes)
    {
        var lines = failures.Take(10).Select(f => $"  {f.Change.Summary}: {f.Fault.Message}");
        var more = failures.Count > 10 ? $"\n  ... and {failures.Count - 10} more" : "";
        return new ContentApplyException(
            $"content apply stopped after {writes} writes; {failures.Count} failed:\n{string.Join('\n', lines)}{more}\n" +
            "Writes before the failure are kept; fix the cause and apply again to finish.",
            failures, writes);
    }
}
