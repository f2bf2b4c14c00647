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
    /// The farm's images. Without a Koji source (a command that only reads), the Koji image is
    /// <paramref name="kojiImage"/> (what the farm's containers run) or a placeholder: such a plan
    /// is never built.
    /// </summary>
    public static FarmImages Resolve(Stack stack, string imagesRoot, string? kojiImage = null)
    {
        var spec = stack.Spec;
        var baseImage = spec.Koji.BaseImage!;
        var dbArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = spec.Koji.From == "source" ? baseImage : StackValidator.DefaultSourceBaseImage };
        var db = Make("koji-farm/db", Db, dbArgs, new Dictionary<string, string>(), imagesRoot);

        var recipe = spec.Koji.From == "source" ? KojiFromSource : KojiFromPackages;
        var extra = new Dictionary<string, string>();
        var common = Path.Combine(imagesRoot, Common);
        if (Directory.Exists(common))
            extra[Common] = common;
        if (spec.Koji.From == "source" && stack.KojiSourcePath is null)
            return new FarmImages(new ImageSpec(kojiImage ?? "koji-farm/koji:unknown-without-koji-source", recipe,
                new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage }, extra), db);
        if (spec.Koji.From == "source")
            extra[KojiSourceInContext] = stack.KojiSourcePath!;
        var koji = Make("koji-farm/koji", recipe, new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage }, extra, imagesRoot);
        ImageSpec? builder = null;
        if (spec.Builders.Mock && spec.Builders.Count > 0)
        {
            if (spec.Koji.From != "source")
                throw new FarmException("builders.mock with koji.from: packages: the koji-packages recipe installs the distribution's mock already; a separate builder image is not made");
            var mockDir = spec.Builders.MockSource!;
            builder = Make("koji-farm/koji-builder", KojiBuilder, new Dictionary<string, string> { ["KOJI_IMAGE"] = koji.Reference },
                new Dictionary<string, string>
                {
                    [MockInContext] = Directory.GetFiles(mockDir, "mock-*.tar.gz").Single(),
                    [TemplatedDictionaryInContext] = Directory.GetFiles(mockDir, "templated-dictionary-*.tar.gz").Single(),
                }, imagesRoot);
        }
        return new FarmImages(koji, db, builder);
    }

    /// <summary>
    /// The bootstrapped buildroot's image, made once per machine: its tag is the hash of the recipe and
    /// base image only (not of any stack), and the RPM's release is that same hash, so an unchanged
    /// recipe is never rebuilt and a changed one is a new NVR in Koji.
    /// </summary>
    public static ImageSpec Buildroot(string baseImage, string imagesRoot)
    {
        var spec = Make("koji-farm/buildroot", BuildrootDebian, new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage },
            new Dictionary<string, string>(), imagesRoot);
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
        foreach (var (key, source) in extra.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (Directory.Exists(source))
                AddTree(hash, key, source);
            else
                AddFile(hash, key, source);
        }
        var tag = Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
        return new ImageSpec($"{repository}:{tag}", recipe, args, extra);
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
        // Executable bits matter to an entrypoint script.
        if (!OperatingSystem.IsWindows())
            hash.AppendData(Encoding.UTF8.GetBytes($"mode {(int)File.GetUnixFileMode(path)}\n"));
    }
}
