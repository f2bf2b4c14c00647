using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

/// <summary>The farm remembers what it is made of: image tags from content alone, and commands that need no KOJI_SOURCE after `up`.</summary>
public sealed class FarmInputsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _koji;
    private readonly string _mock;
    private readonly string _stackFile;
    private static readonly string Images = Path.Combine(RepoRoot.Path, "infra", "images");

    public FarmInputsTests()
    {
        _koji = _dir.File("sources/koji-1.35.3.tar.gz", "the Koji source, byte for byte");
        _mock = Path.Combine(_dir.Path, "mock");
        _dir.File("mock/mock-6.7.tar.gz", "mock");
        _dir.File("mock/templated-dictionary-1.5.tar.gz", "templated-dictionary");
        _stackFile = _dir.File("stack.yaml", "name: acme\npki:\n  keyAlgorithm: ecdsa\nbuilders:\n  count: 1\n  mock: true\n");
    }

    public void Dispose() => _dir.Dispose();

    private Stack Load(string? koji = null, string? mock = null)
    {
        var env = new Dictionary<string, string>();
        if (koji is not null) env["KOJI_SOURCE"] = koji;
        if (mock is not null) env["MOCK_SOURCE"] = mock;
        return StackLoader.Load(_stackFile, environment: env);
    }

    private FarmDefinition Definition(Stack stack) => FarmDefinition.Load(stack, StateFolder.ReadOnlyAt(stack.StateDirectory));

    /// <summary>`up`: the definition with the real state folder, and its inputs recorded.</summary>
    private FarmDefinition Up(string koji, string mock)
    {
        var stack = Load(koji, mock);
        var definition = FarmDefinition.Load(stack, new StateFolder(stack.StateDirectory));
        FarmInputs.Record(definition);
        return definition;
    }

    private static string Image(FarmDefinition d, string recipe) => d.Plan.Images.Single(i => i.Recipe == recipe).Reference;

    [Fact]
    public void A_read_only_copy_of_the_Koji_tarball_names_the_same_image_as_a_writable_one()
    {
        var copy = Path.Combine(_dir.Path, "elsewhere", "koji.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(_koji, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetLastWriteTimeUtc(copy, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        File.SetUnixFileMode(_koji, FileModes.Public);

        var writable = ImageRecipes.Resolve(Load(_koji, _mock), Images);
        var readOnly = ImageRecipes.Resolve(Load(copy, _mock), Images);

        Assert.Equal(writable.Koji.Reference, readOnly.Koji.Reference);
        Assert.Equal(writable.Builder!.Reference, readOnly.Builder!.Reference);
        // Content still decides.
        File.WriteAllText(copy + ".other", "another Koji");
        Assert.NotEqual(writable.Koji.Reference, ImageRecipes.Resolve(Load(copy + ".other", _mock), Images).Koji.Reference);
    }

    [Fact]
    public void Without_KOJI_SOURCE_or_MOCK_SOURCE_a_stack_loads_and_plans_the_images_the_farm_recorded()
    {
        var made = Up(_koji, _mock);
        var record = FarmInputs.Read(made.Stack.StateDirectory)!;
        Assert.Equal(new RecordedInput(_koji, ImageRecipes.ContentHash(new Dictionary<string, string> { [ImageRecipes.KojiSourceInContext] = _koji })), record.KojiSource);
        Assert.Equal(_mock, record.MockSource!.Path);
        Assert.Equal(Image(made, ImageRecipes.KojiFromSource), record.KojiImage);

        var later = Definition(Load());

        Assert.Null(later.Stack.KojiSourcePath);
        Assert.Equal(made.Plan.Images.Select(i => i.Reference), later.Plan.Images.Select(i => i.Reference));
        Assert.All(later.Plan.Images, i => Assert.Null(i.Unbuildable));
        Assert.Equal(made.Plan.Containers.Select(c => (c.Name, c.ConfigHash)), later.Plan.Containers.Select(c => (c.Name, c.ConfigHash)));
        Assert.Equal(_koji, later.Inputs.KojiSourcePath);
    }

    [Fact]
    public void With_its_sources_gone_the_farm_keeps_its_images_and_a_build_names_the_recorded_input_and_what_to_set()
    {
        var made = Up(_koji, _mock);
        var moved = _koji + ".moved";
        File.Move(_koji, moved);
        Directory.Move(_mock, _mock + ".moved");

        var later = Definition(Load());

        Assert.Equal(made.Plan.Images.Select(i => i.Reference), later.Plan.Images.Select(i => i.Reference));
        Assert.Equal(made.Plan.Containers.Select(c => c.ConfigHash), later.Plan.Containers.Select(c => c.ConfigHash));
        var koji = later.Plan.Images.Single(i => i.Recipe == ImageRecipes.KojiFromSource);
        var hash = FarmInputs.Read(made.Stack.StateDirectory)!.KojiSource!.Sha256;
        Assert.Contains(_koji, koji.Unbuildable);
        Assert.Contains(hash, koji.Unbuildable);
        Assert.Contains("KOJI_SOURCE", koji.Unbuildable);
        Assert.Contains("MOCK_SOURCE", later.Plan.Images.Single(i => i.Recipe == ImageRecipes.KojiBuilder).Unbuildable);

        // Supplying the same content elsewhere builds the same images again.
        var supplied = Definition(Load(moved, _mock + ".moved"));
        Assert.Equal(made.Plan.Images.Select(i => i.Reference), supplied.Plan.Images.Select(i => i.Reference));
        Assert.All(supplied.Plan.Images, i => Assert.Null(i.Unbuildable));
    }

    [Fact]
    public void Other_content_at_the_recorded_path_is_not_a_change_of_Koji_but_a_setting_is()
    {
        var made = Up(_koji, _mock);
        File.WriteAllText(_koji, "a newer Koji, copied over the old one");

        Assert.Equal(Image(made, ImageRecipes.KojiFromSource), Image(Definition(Load()), ImageRecipes.KojiFromSource));
        Assert.NotEqual(Image(made, ImageRecipes.KojiFromSource), Image(Definition(Load(_koji)), ImageRecipes.KojiFromSource));
    }

    [Fact]
    public void With_no_setting_and_no_record_only_a_build_asks_for_the_Koji_source()
    {
        var stack = Load(); // loads: status, down and content need no Koji source
        var images = Definition(stack).Plan.Images;

        var koji = images.Single(i => i.Recipe == ImageRecipes.KojiFromSource);
        Assert.Contains("koji.path: required when koji.from is 'source'", koji.Unbuildable);
        Assert.Contains("KOJI_SOURCE", koji.Unbuildable);
        Assert.Contains("builders.mockSource: required", images.Single(i => i.Recipe == ImageRecipes.KojiBuilder).Unbuildable);
    }

    [Fact]
    public async Task Up_that_must_build_an_image_nobody_supplied_stops_before_changing_anything()
    {
        var plan = Definition(Load()).Plan;
        var converge = ConvergePlanner.Plan(plan, new ObservedFarm(plan.Stack, [], [], [], new Dictionary<string, string>()));
        Assert.Contains(converge.Of(ResourceKind.Image), s => s.Action == StepAction.Build && s.Cause.Contains("KOJI_SOURCE", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<InputException>(() => new FarmExecutor(NoEngine.Create(), new EngineOptions()).ExecuteAsync(converge));
        Assert.Contains("koji.path: required", e.Message);
    }

    [Fact]
    public void Recording_the_same_inputs_again_leaves_the_record_as_it_was()
    {
        var made = Up(_koji, _mock);
        var file = FarmInputs.PathIn(made.Stack.StateDirectory);
        var written = File.GetLastWriteTimeUtc(file);
        File.SetLastWriteTimeUtc(file, written.AddHours(-1));
        FarmInputs.Record(Definition(Load()) with { State = new StateFolder(made.Stack.StateDirectory) });
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(file));
    }

    /// <summary>An engine that must not be asked anything.</summary>
    public class NoEngine : System.Reflection.DispatchProxy
    {
        public static IDockerEngine Create() => Create<IDockerEngine, NoEngine>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"the engine was asked to {targetMethod?.Name}");
    }
}
