using System.Collections.Immutable;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Architecture;

/// <summary>One source file of the product library and the folder it lives in.</summary>
public sealed record SourceFile(SyntaxTree Tree, SemanticModel Model, string Path, string Folder)
{
    /// <summary>"Folder/File.cs:line" of a node in this file.</summary>
    public string At(SyntaxNode node) => $"{Path}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}";
}

/// <summary>
/// The product library (src/KojiProvisioner) compiled from source with Roslyn, so the
/// architecture tests can ask what each name in each file refers to. It is compiled once
/// and shared by every test.
/// </summary>
public sealed class ProductSource
{
    private static readonly Lazy<ProductSource> Shared = new(Load);

    /// <summary>The implicit usings of an SDK project with ImplicitUsings=enable (Directory.Build.props).</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>Assemblies in the test output that are built from this repository's own source.</summary>
    private static readonly HashSet<string> OwnAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        "KojiProvisioner.dll", "KojiProvisioner.Cli.dll", "koji-farm.dll", "KojiProvisioner.Tests.dll",
    };

    public static ProductSource Instance => Shared.Value;

    public CSharpCompilation Compilation { get; }

    /// <summary>Every .cs file under src/KojiProvisioner, ordered by path.</summary>
    public IReadOnlyList<SourceFile> Files { get; }

    private readonly Dictionary<SyntaxTree, SourceFile> _byTree;

    private ProductSource(CSharpCompilation compilation, IReadOnlyList<SourceFile> files)
    {
        Compilation = compilation;
        Files = files;
        _byTree = files.ToDictionary(f => f.Tree);
        _errors = new(() => [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)]);
    }

    /// <summary>The product file a syntax tree was parsed from; null for the implicit usings.</summary>
    public SourceFile? FileOf(SyntaxTree tree) => _byTree.GetValueOrDefault(tree);

    /// <summary>Compiler errors of the product compiled here; there should be none, as the build has none.</summary>
    public ImmutableArray<Diagnostic> Errors => _errors.Value;

    private readonly Lazy<ImmutableArray<Diagnostic>> _errors;

    private static ProductSource Load()
    {
        var root = System.IO.Path.Combine(RepoRoot.Path, "src", "KojiProvisioner");
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(p => System.IO.Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith("obj/", StringComparison.Ordinal) && !p.StartsWith("bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path: p, Tree: CSharpSyntaxTree.ParseText(
                File.ReadAllText(System.IO.Path.Combine(root, p)), parse, System.IO.Path.Combine(root, p))))
            .ToList();
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "GlobalUsings.g.cs");

        Compilation compilation = CSharpCompilation.Create(
            "KojiProvisioner",
            [usings, .. sources.Select(s => s.Tree)],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(SourceGenerators(), parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out compilation, out _);

        var files = sources
            .Select(s => new SourceFile(s.Tree, compilation.GetSemanticModel(s.Tree), s.Path, s.Path.Split('/')[0]))
            .ToList();
        return new ProductSource((CSharpCompilation)compilation, files);
    }

    /// <summary>
    /// The runtime's own assemblies, then the packages the product uses (Docker.DotNet, Scriban,
    /// YamlDotNet, SSH.NET ...) as copied to the test output; the product's own assemblies are
    /// left out so that every product type comes from source.
    /// </summary>
    private static List<MetadataReference> References()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var output = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        foreach (var path in platform.Concat(output))
        {
            var name = System.IO.Path.GetFileName(path);
            if (!OwnAssemblies.Contains(name) && IsManaged(path)) byName.TryAdd(name, path);
        }
        return [.. byName.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    /// <summary>
    /// The SDK's System.Text.Json and Regex source generators, as the build runs them, so that
    /// <c>StateFileJson.Default</c> and <c>[GeneratedRegex]</c> methods bind. Taken from the
    /// reference pack of the running runtime's major version; none if that pack is not installed.
    /// </summary>
    private static IEnumerable<ISourceGenerator> SourceGenerators()
    {
        var dotnetRoot = System.IO.Path.GetFullPath(System.IO.Path.Combine(
            System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var packs = new DirectoryInfo(System.IO.Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"));
        if (!packs.Exists) return [];
        var pack = packs.EnumerateDirectories($"{Environment.Version.Major}.*")
            .Select(d => (Dir: d, Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : null))
            .Where(p => p.Version is not null)
            .OrderByDescending(p => p.Version)
            .Select(p => p.Dir.FullName)
            .FirstOrDefault();
        if (pack is null) return [];
        var loader = new GeneratorLoader();
        string[] generators = ["System.Text.Json.SourceGeneration.dll", "System.Text.RegularExpressions.Generator.dll"];
        return generators
            .Select(name => System.IO.Path.Combine(pack, "analyzers", "dotnet", "cs", name))
            .Where(File.Exists)
            .SelectMany(path => new AnalyzerFileReference(path, loader).GetGenerators(LanguageNames.CSharp));
    }

    private sealed class GeneratorLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }

        public System.Reflection.Assembly LoadFromPath(string fullPath) =>
            System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
    }

    /// <summary>False for native libraries, which cannot be referenced.</summary>
    private static bool IsManaged(string path)
    {
        try
        {
            using var pe = new PEReader(File.OpenRead(path));
            return pe.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
