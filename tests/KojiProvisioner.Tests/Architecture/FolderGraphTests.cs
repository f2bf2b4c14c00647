using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace KojiProvisioner.Tests.Architecture;

/// <summary>
/// The rules of docs/architecture.md that the compiler cannot check, read from the product's
/// source with Roslyn: the folders of src/KojiProvisioner form a graph without cycles, only
/// Koji/ and Content/ name hub methods, and one file builds Docker's container parameters.
/// </summary>
public sealed class FolderGraphTests
{
    private const int ExamplesPerEdge = 5;

    private readonly ITestOutputHelper _output;
    private readonly ProductSource _source = ProductSource.Instance;

    public FolderGraphTests(ITestOutputHelper output)
    {
        _output = output;
        ReportCompileErrors();
    }

    /// <summary>
    /// A type named in a file of folder A and declared in folder B makes A depend on B. Only
    /// names written in the code count (not types inferred through <c>var</c>, nor
    /// <c>cref</c>s in doc comments). The folders must form a graph without cycles: a
    /// folder lower in the graph never uses one above it, and no two folders use each other.
    /// </summary>
    [Fact]
    public void Folder_graph_has_no_cycle()
    {
        var edges = FolderEdges();
        foreach (var ((from, to), uses) in edges.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal))
            _output.WriteLine($"{from} -> {to} ({Names(uses.Count)})");

        var tangles = StronglyConnected(edges.Keys).Where(c => c.Count > 1).ToList();
        if (tangles.Count == 0) return;

        var message = new StringBuilder($"The folder graph has {tangles.Count} cycle(s); docs/architecture.md allows none.");
        foreach (var tangle in tangles)
        {
            var inside = edges.Where(e => tangle.Contains(e.Key.From) && tangle.Contains(e.Key.To))
                .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
                .ToList();
            message.AppendLine().AppendLine().Append("Cycle: ").AppendJoin(", ", tangle);
            message.AppendLine().Append("  shortest loops:");
            foreach (var loop in ShortestLoops(inside.Select(e => e.Key).ToList()))
                message.AppendLine().Append("    ").AppendJoin(" -> ", loop);
            foreach (var ((from, to), uses) in inside)
            {
                message.AppendLine().Append($"  {from} -> {to} ({Names(uses.Count)}):");
                foreach (var use in uses.Take(ExamplesPerEdge)) message.AppendLine().Append("    ").Append(use);
                if (uses.Count > ExamplesPerEdge) message.AppendLine().Append($"    ... and {uses.Count - ExamplesPerEdge} more");
            }
        }
        Assert.Fail(message.ToString());
    }

    /// <summary>
    /// Koji hub methods are named by strings ("getTag"); a <c>new KojiCall("getTag", ...)</c> or a
    /// <c>CallAsync("getTag", ...)</c> outside Koji/ (the client) and Content/ (observe, plan,
    /// apply) is a raw call that bypasses the content plan and its applier.
    /// </summary>
    [Fact]
    public void Raw_hub_calls_appear_only_in_Koji_and_Content()
    {
        string[] allowed = ["Koji", "Content"];
        var raw = new List<string>();
        foreach (var file in _source.Files.Where(f => !allowed.Contains(f.Folder)))
        {
            foreach (var node in file.Tree.GetRoot().DescendantNodes())
            {
                var method = node switch
                {
                    BaseObjectCreationExpressionSyntax creation when IsKojiCall(file.Model.GetTypeInfo(creation).Type) =>
                        creation.ArgumentList?.Arguments.FirstOrDefault(),
                    InvocationExpressionSyntax invocation when IsCallByName(file.Model, invocation) =>
                        invocation.ArgumentList.Arguments.FirstOrDefault(),
                    _ => null,
                };
                if (method is not null) raw.Add($"{file.At(node)} {MethodName(file.Model, method)}");
            }
        }
        Assert.True(raw.Count == 0,
            $"{raw.Count} raw hub call(s) outside Koji/ and Content/:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", raw)}");
    }

    /// <summary>
    /// Docker's container settings are made in one place, so every container the farm runs is
    /// labelled, networked and limited the same way; DockerEngine only sends them.
    /// </summary>
    [Fact]
    public void One_file_builds_container_parameters()
    {
        var sites = _source.Files
            .SelectMany(f => f.Tree.GetRoot().DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>()
                .Where(c => f.Model.GetTypeInfo(c).Type?.ToDisplayString() == "Docker.DotNet.Models.CreateContainerParameters")
                .Select(c => (f.Path, At: f.At(c))))
            .ToList();
        var files = sites.Select(s => s.Path).Distinct().ToList();
        Assert.True(files.Count == 1,
            $"new CreateContainerParameters in {files.Count} files, expected exactly one:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", sites.Select(s => s.At)));
    }

    /// <summary>Folder A -> folder B, with every "file names type (declared in file)" that makes it.</summary>
    private Dictionary<(string From, string To), SortedSet<string>> FolderEdges()
    {
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var file in _source.Files)
        {
            // A qualified name (Docker.DotNet.Models.X) binds to the same type as its last simple name.
            foreach (var name in file.Tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (NamedType(file.Model, name) is not { } type) continue;
                // A partial type may be declared in several files, even in several folders.
                var declaredIn = Outermost(type).DeclaringSyntaxReferences
                    .Select(r => _source.FileOf(r.SyntaxTree))
                    .OfType<SourceFile>()
                    .Where(d => d.Folder != file.Folder)
                    .GroupBy(d => d.Folder);
                foreach (var folder in declaredIn)
                {
                    var key = (file.Folder, folder.Key);
                    if (!edges.TryGetValue(key, out var uses)) edges[key] = uses = new SortedSet<string>(StringComparer.Ordinal);
                    var files = string.Join(", ", folder.Select(d => d.Path).Order(StringComparer.Ordinal));
                    uses.Add($"{file.Path} names {TypeName(type)} (declared in {files})");
                }
            }
        }
        return edges;
    }

    /// <summary>The type declared in the product's source that a name refers to (an attribute name binds to its constructor).</summary>
    private static INamedTypeSymbol? NamedType(SemanticModel model, SimpleNameSyntax name)
    {
        var info = model.GetSymbolInfo(name);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        if (symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor) symbol = constructor.ContainingType;
        if (symbol is not INamedTypeSymbol type) return null;
        type = type.OriginalDefinition;
        return type.DeclaringSyntaxReferences.IsEmpty ? null : type;
    }

    /// <summary>A nested type lives where the type around it is declared.</summary>
    private static INamedTypeSymbol Outermost(INamedTypeSymbol type)
    {
        while (type.ContainingType is { } outer) type = outer.OriginalDefinition;
        return type;
    }

    /// <summary>The name as written after the namespace: <c>Outer.Inner</c> for a nested type.</summary>
    private static string TypeName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer ? $"{TypeName(outer)}.{type.Name}" : type.Name;

    private static string Names(int count) => count == 1 ? "1 name" : $"{count} names";

    private static bool IsKojiCall(ITypeSymbol? type) => type?.ToDisplayString() == "KojiProvisioner.Koji.KojiCall";

    /// <summary>A hub call by method name: <c>CallAsync("getTag", ...)</c> and the like, whose first parameter is the name.</summary>
    private static bool IsCallByName(SemanticModel model, InvocationExpressionSyntax invocation)
    {
        var info = model.GetSymbolInfo(invocation);
        if ((info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) is not IMethodSymbol method) return false;
        return method.Name.EndsWith("CallAsync", StringComparison.Ordinal)
            && method.Parameters.FirstOrDefault()?.Type.SpecialType == SpecialType.System_String;
    }

    /// <summary>The hub method a call names: the string's value, else the expression as written.</summary>
    private static string MethodName(SemanticModel model, ArgumentSyntax argument) =>
        model.GetConstantValue(argument.Expression) is { HasValue: true, Value: string value }
            ? $"\"{value}\""
            : argument.Expression.ToString();

    /// <summary>Tarjan's strongly connected components of the graph, each ordered by name.</summary>
    private static List<List<string>> StronglyConnected(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            var order = index.Count;
            index[node] = order;
            low[node] = order;
            stack.Push(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                component.Add(member);
            } while (member != node);
            components.Add([.. component.Order(StringComparer.Ordinal)]);
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n))) Visit(node);
        return components;
    }

    /// <summary>
    /// For each edge A -> B of a tangle, the shortest way back from B to A: the loops that
    /// removing an edge would break, each starting at its first folder by name.
    /// </summary>
    private static List<List<string>> ShortestLoops(IReadOnlyList<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var loops = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in edges)
        {
            if (ShortestPath(next, to, from) is not { } back) continue;
            List<string> loop = [from, .. back.SkipLast(1)];
            var start = loop.IndexOf(loop.Min(StringComparer.Ordinal)!);
            List<string> rotated = [.. loop.Skip(start), .. loop.Take(start)];
            rotated.Add(rotated[0]);
            loops.TryAdd(string.Join(" -> ", rotated), rotated);
        }
        return [.. loops.Values.OrderBy(l => l.Count)];
    }

    /// <summary>Breadth-first: the folders from <paramref name="start"/> to <paramref name="goal"/>, both included.</summary>
    private static List<string>? ShortestPath(Dictionary<string, List<string>> next, string start, string goal)
    {
        var cameFrom = new Dictionary<string, string> { [start] = start };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            if (node == goal)
            {
                var path = new List<string> { goal };
                while (path[^1] != start) path.Add(cameFrom[path[^1]]);
                path.Reverse();
                return path;
            }
            foreach (var to in next.GetValueOrDefault(node) ?? [])
                if (cameFrom.TryAdd(to, node)) queue.Enqueue(to);
        }
        return null;
    }

    /// <summary>Compile errors do not fail these tests, but are shown so nobody mistakes binding noise for findings.</summary>
    private void ReportCompileErrors()
    {
        var errors = _source.Errors;
        if (errors.Length == 0) return;
        _output.WriteLine($"The product source compiled here with {errors.Length} error(s); names near them may not bind:");
        foreach (var error in errors) _output.WriteLine($"  {error}");
    }
}
