using System.Text.Json;
using KojiProvisioner.Config;

namespace KojiProvisioner.Farm;

/// <summary>An input of the farm's images: where it was found, and the SHA-256 of its content.</summary>
public sealed record RecordedInput(string Path, string Sha256)
{
    public override string ToString() => $"{Path} (sha256 {Sha256})";
}

/// <summary>
/// What a farm is made from, kept in its state folder (<see cref="FileName"/>) by `up`: the Koji source
/// and the mock source (where each was found and its content's hash) and the image references they
/// produced. Every later command reads it, so none needs KOJI_SOURCE or MOCK_SOURCE, and `up` without
/// them converges on the Koji the farm already runs. Changing Koji takes an explicit setting
/// (koji.path, KOJI_SOURCE, --set koji.path=...).
/// </summary>
public sealed record FarmInputs(RecordedInput? KojiSource, RecordedInput? MockSource, string? KojiImage, string? BuilderImage)
{
    public const string FileName = StateFolder.InputsName;

    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, FileName);

    /// <summary>The record in <paramref name="stateDirectory"/>; null when the farm has none (not made yet, or made before records).</summary>
    public static FarmInputs? Read(string stateDirectory)
    {
        var file = PathIn(stateDirectory);
        if (!File.Exists(file))
            return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), FarmInputsJson.Default.FarmInputs);
        }
        catch (JsonException e)
        {
            throw new FarmException($"{file}: not a record of the farm's inputs ({e.Message}); delete it and run `koji-farm up` with KOJI_SOURCE set");
        }
    }

    /// <summary>
    /// Records what <paramref name="definition"/>'s images are made from (`up`, once they are built). An
    /// input that is gone now keeps its earlier entry. An unchanged record is not written again.
    /// </summary>
    public static void Record(FarmDefinition definition)
    {
        var inputs = definition.Inputs;
        var images = definition.Plan.Images;
        var record = new FarmInputs(
            inputs.Koji?.Recordable,
            inputs.Mock?.Recordable,
            images.FirstOrDefault(i => i.Recipe is ImageRecipes.KojiFromSource or ImageRecipes.KojiFromPackages)?.Reference,
            images.FirstOrDefault(i => i.Recipe == ImageRecipes.KojiBuilder)?.Reference ?? inputs.Recorded?.BuilderImage);
        if (record == inputs.Recorded)
            return;
        definition.State.Create();
        AtomicFile.Write(PathIn(definition.State.Path), JsonSerializer.Serialize(record, FarmInputsJson.Relaxed.FarmInputs) + "\n", secret: false);
    }

    /// <summary>
    /// The one answer to "which Koji, which mock": the stack's setting (koji.path or KOJI_SOURCE,
    /// builders.mockSource or MOCK_SOURCE), else the farm's record, else nothing, and then
    /// <see cref="ResolvedInput.Missing"/> says what to set if an image must be built.
    /// </summary>
    public static ResolvedInputs Resolve(Stack stack, FarmInputs? recorded)
    {
        if (stack.Spec.Koji.From != "source")
            return new ResolvedInputs(null, null, recorded);
        var koji = Choose(stack.KojiSourcePath, recorded?.KojiSource, KojiEntries,
            $"{stack.FilePath}: koji.path: required when koji.from is 'source' and the farm has no record of its Koji: set it to a Koji source tree or release tarball, or set KOJI_SOURCE",
            r => $"the farm's Koji source {r} is gone or holds other content now, and image {recorded?.KojiImage} must be built: set KOJI_SOURCE or koji.path to that Koji source (or to another one, to change the farm's Koji)");
        var mock = Choose(stack.Spec.Builders.Mock ? stack.Spec.Builders.MockSource : null, recorded?.MockSource, ImageRecipes.MockEntries,
            $"{stack.FilePath}: builders.mockSource: required when builders.mock is true and the farm has no record of its mock: a folder holding mock-*.tar.gz and templated-dictionary-*.tar.gz (e.g. ../shared/mock), or set MOCK_SOURCE",
            r => $"the farm's mock source {r} is gone or holds other content now, and image {recorded?.BuilderImage} must be built: set MOCK_SOURCE or builders.mockSource to that mock folder (or to another one, to change the farm's mock)");
        return new ResolvedInputs(koji, mock, recorded);
    }

    private static Dictionary<string, string>? KojiEntries(string path) =>
        File.Exists(path) || Directory.Exists(path) ? new() { [ImageRecipes.KojiSourceInContext] = path } : null;

    /// <param name="set">The stack's setting (already checked by the stack's validation).</param>
    /// <param name="entriesOf">What of a source goes into an image (its build context entries); null when it is not there.</param>
    private static ResolvedInput Choose(string? set, RecordedInput? recorded,
        Func<string, IReadOnlyDictionary<string, string>?> entriesOf, string required, Func<RecordedInput, string> gone)
    {
        RecordedInput? Found(string path) =>
            entriesOf(path) is { } entries ? new RecordedInput(path, ImageRecipes.ContentHash(entries)) : null;

        if (set is not null)
            return new ResolvedInput(Found(set), recorded, required);
        if (recorded is null)
            return new ResolvedInput(null, null, required);
        var found = Found(recorded.Path);
        return new ResolvedInput(found?.Sha256 == recorded.Sha256 ? found : null, recorded, gone(recorded));
    }
}

/// <summary>
/// One input of the farm's images as <see cref="FarmInputs.Resolve"/> found it: <see cref="Usable"/> is
/// on disk now (set, or recorded and unchanged) and images may be built from it; <see cref="Recorded"/>
/// is what the farm's record says; <see cref="Missing"/> is the message for a build that has neither.
/// </summary>
public sealed record ResolvedInput(RecordedInput? Usable, RecordedInput? Recorded, string Missing)
{
    /// <summary>What the record keeps: the input used now, else the one recorded before.</summary>
    public RecordedInput? Recordable => Usable ?? Recorded;
}

/// <summary>The farm's Koji and mock inputs (null: the stack takes none, koji.from: packages) and the record they came from.</summary>
public sealed record ResolvedInputs(ResolvedInput? Koji, ResolvedInput? Mock, FarmInputs? Recorded)
{
    /// <summary>The Koji source on disk now: the schema upgrade and remote builders read it.</summary>
    public string? KojiSourcePath => Koji?.Usable?.Path;
}
