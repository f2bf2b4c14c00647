using System.Security.Cryptography;
using System.Text;
using KojiProvisioner.Config;

namespace KojiProvisioner.Farm;

/// <summary>
/// Picks the image recipes for a stack and names each image by a hash of everything that goes into
/// its build (recipe files, build arguments, the Koji source), so an unchanged recipe is never rebuilt
/// and a changed one is always a new image.
/// </summary>
public static class ImageRecipes
{
    public const string Db = "db";
    public const string KojiFromSource = "koji-source";
    public const string KojiFromPackages = "koji-packages";
    /// <summary>Files shared by every Koji recipe (entrypoint, health checks), added to its context.</summary>
    public const string Common = "common";
    public const string KojiSourceInContext = "koji-src.tar.gz";
    /// <summary>The Koji image plus mock: builders that build RPMs (builders.mock).</summary>
    public const string KojiBuilder = "koji-builder";
    public const string MockInContext = "mock/mock.tar.gz";
    public const string TemplatedDictionaryInContext = "mock/templated-dictionary.tar.gz";
    /// <summary>A Debian 12 tree as one RPM: the bootstrapped buildroot of an offline OS line.</summary>
    public const string BuildrootDebian = "buildroot-debian";
    /// <summary>gpg and rpmsign: the short-lived container that makes the company's signing key and signs with it.</summary>
    public const string SignerRecipe = "signer";

    /// <summary>
    /// The farm's images, from the Koji and mock inputs <paramref name="inputs"/> resolved (by default:
    /// the stack's settings alone, no record). An input that is not on disk leaves the image the farm
    /// recorded, else <paramref name="kojiImage"/> (what the farm's containers run) or a placeholder:
    /// such an image is kept when the engine has it, and its build stops `up` with what to set.
    /// </summary>
    public static FarmImages Resolve(Stack stack, string imagesRoot, string? kojiImage = null, ResolvedInputs? inputs = null)
    {
        inputs ??= FarmInputs.Resolve(stack, recorded: null);
        var spec = stack.Spec;
        var baseImage = spec.Koji.BaseImage!;
        var dbArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = spec.Koji.From == "source" ? baseImage : StackValidator.DefaultSourceBaseImage };
        var db = Make("koji-farm/db", Db, dbArgs, new Dictionary<string, string>(), imagesRoot);

        var recipe = spec.Koji.From == "source" ? KojiFromSource : KojiFromPackages;
        var extra = new Dictionary<string, string>();
        var common = Path.Combine(imagesRoot, Common);
        if (Directory.Exists(common))
            extra[Common] = common;
        var kojiArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage };
        ImageSpec koji;
        if (inputs.Koji is { Usable: null } kojiInput)
            koji = new ImageSpec(inputs.Recorded?.KojiImage ?? kojiImage ?? "koji-farm/koji:unknown-without-koji-source", recipe, kojiArgs, extra)
                { Unbuildable = kojiInput.Missing };
        else
        {
            if (inputs.Koji?.Usable is { } source)
                extra[KojiSourceInContext] = source.Path;
            koji = Make("koji-farm/koji", recipe, kojiArgs, extra, imagesRoot);
        }
        ImageSpec? builder = null;
        if (spec.Builders.Mock && spec.Builders.Count > 0)
        {
            if (spec.Koji.From != "source")
                throw new FarmException("builders.mock with koji.from: packages: the koji-packages recipe installs the distribution's mock already; a separate builder image is not made");
            var builderArgs = new Dictionary<string, string> { ["KOJI_IMAGE"] = koji.Reference };
            if (inputs.Mock?.Usable is { } mock && MockEntries(mock.Path) is { } mockEntries)
                builder = Make("koji-farm/koji-builder", KojiBuilder, builderArgs, new Dictionary<string, string>(mockEntries), imagesRoot);
            else
            {
                // The recorded builder image holds for the recorded Koji image only.
                var recorded = inputs.Recorded is { BuilderImage: { } b, KojiImage: var k } && k == koji.Reference ? b : null;
                builder = new ImageSpec(recorded ?? "koji-farm/koji-builder:unknown-without-mock-source", KojiBuilder, builderArgs,
                    new Dictionary<string, string>()) { Unbuildable = inputs.Mock?.Missing };
            }
        }
        return new FarmImages(koji, db, builder);
    }

    /// <summary>What of a mock folder goes into the builder image: its mock and templated-dictionary tarballs; null when it does not hold exactly one of each.</summary>
    public static IReadOnlyDictionary<string, string>? MockEntries(string dir)
    {
        if (!Directory.Exists(dir))
            return null;
        var mock = Directory.GetFiles(dir, "mock-*.tar.gz");
        var dictionary = Directory.GetFiles(dir, "templated-dictionary-*.tar.gz");
        return mock.Length == 1 && dictionary.Length == 1
            ? new Dictionary<string, string> { [MockInContext] = mock[0], [TemplatedDictionaryInContext] = dictionary[0] }
            : null;
    }

    /// <summary>
    /// The SHA-256 of what <paramref name="entries"/> (build context name → file or folder) put into an
    /// image, hashed as an image's tag is: content and executable bits, not paths, modes or times.
    /// </summary>
    public static string ContentHash(IReadOnlyDictionary<string, string> entries)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddEntries(hash, entries);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The bootstrapped buildroot's image, made once per machine: its tag is the hash of the recipe and
    /// base image only (not of any stack), and the RPM's release is that same hash, so an unchanged
    /// recipe is never rebuilt and a changed one is a new NVR in Koji.
    /// </summary>
    /// <param name="debianPackages">The OS line's RPM-name-to-Debian-package mapping as the recipe's
    /// DEBIAN_PACKAGES argument ("systemd-devel=libsystemd-dev ..."); empty: none, and no argument.</param>
    public static ImageSpec Buildroot(string baseImage, string imagesRoot, string debianPackages = "")
    {
        var args = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage };
        if (debianPackages.Length > 0)
            args["DEBIAN_PACKAGES"] = debianPackages;
        var spec = Make("koji-farm/buildroot", BuildrootDebian, args, new Dictionary<string, string>(), imagesRoot);
        var release = spec.Reference[(spec.Reference.LastIndexOf(':') + 1)..];
        return spec with { BuildArgs = new Dictionary<string, string>(spec.BuildArgs) { ["RELEASE"] = release } };
    }

    /// <summary>The signing bench's image, made once per machine like the buildroot's (tag = recipe hash).</summary>
    public static ImageSpec Signer(string imagesRoot) =>
        Make("koji-farm/signer", SignerRecipe, new Dictionary<string, string> { ["BASE_IMAGE"] = StackValidator.DefaultSourceBaseImage },
            new Dictionary<string, string>(), imagesRoot);

    private static ImageSpec Make(string repository, string recipe, Dictionary<string, string> args,
        Dictionary<string, string> extra, string imagesRoot)
    {
        var recipeDir = Path.Combine(imagesRoot, recipe);
        if (!Directory.Exists(recipeDir))
            throw new FarmException($"image recipe {recipeDir} not found: is infra/images complete?");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddTree(hash, recipe, recipeDir);
        foreach (var (key, value) in args.OrderBy(a => a.Key, StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes($"arg {key}={value}\n"));
        AddEntries(hash, extra);
        var tag = Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
        return new ImageSpec($"{repository}:{tag}", recipe, args, extra);
    }

    private static void AddEntries(IncrementalHash hash, IReadOnlyDictionary<string, string> entries)
    {
        foreach (var (key, source) in entries.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (Directory.Exists(source))
                AddTree(hash, key, source);
            else
                AddFile(hash, key, source);
        }
    }

    private static void AddTree(IncrementalHash hash, string name, string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (rel: Path.GetRelativePath(dir, f).Replace('\\', '/'), full: f))
            .OrderBy(f => f.rel, StringComparer.Ordinal);
        foreach (var (rel, full) in files)
            AddFile(hash, $"{name}/{rel}", full);
    }

    private static void AddFile(IncrementalHash hash, string name, string path)
    {
        hash.AppendData(Encoding.UTF8.GetBytes($"file {name}\n"));
        using var stream = File.OpenRead(path);
        Span<byte> buffer = stackalloc byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
            hash.AppendData(buffer[..read]);
        // Executable bits matter to an entrypoint script; the rest of a mode (a read-only copy) does not.
        if (!OperatingSystem.IsWindows())
            hash.AppendData(Encoding.UTF8.GetBytes($"mode {(int)FileModes.InContext(path)}\n"));
    }
}
