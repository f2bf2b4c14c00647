using System.Collections;
using Scriban;
using Scriban.Runtime;
using Scriban.Parsing;
using Scriban.Syntax;

namespace KojiProvisioner.Templates;

/// <summary>
/// Renders the Scriban templates under templates/ with strict variables: a name the model does not
/// have fails the render with the template's file and line, instead of writing an empty value into
/// a config file that Koji would then silently misread.
/// </summary>
public sealed class TemplateRenderer(string templatesRoot)
{
    private readonly Dictionary<string, Template> _parsed = new(StringComparer.Ordinal);
    // Scriban's built-in functions, made once: a context made without them builds its own set.
    private static readonly ScriptObject Builtins = TemplateContext.GetDefaultBuiltinObject();

    public string TemplatesRoot => templatesRoot;

    /// <param name="relativePath">e.g. "hub/hub.conf.sbn"</param>
    /// <param name="model">nested dictionaries, lists and scalars; keys are the template's names</param>
    public string Render(string relativePath, IReadOnlyDictionary<string, object?> model)
    {
        var template = Parse(relativePath);
        var context = new TemplateContext(Builtins)
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            TemplateLoader = null,
            LoopLimit = 10_000,
        };
        var globals = (ScriptObject)ToScript(model)!;
        context.PushGlobal(globals);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new FarmException($"{Where(relativePath, e.Span)}: {e.OriginalMessage}");
        }
    }

    private Template Parse(string relativePath)
    {
        if (_parsed.TryGetValue(relativePath, out var cached))
            return cached;
        var path = Path.Combine(templatesRoot, relativePath);
        if (!File.Exists(path))
            throw new FarmException($"template {path} not found: is the templates folder complete?");
        var template = Template.Parse(File.ReadAllText(path), path);
        if (template.HasErrors)
            throw new FarmException(string.Join(Environment.NewLine, template.Messages.Select(m => $"{Where(relativePath, m.Span)}: {m.Message}")));
        _parsed[relativePath] = template;
        return template;
    }

    private string Where(string relativePath, SourceSpan span) =>
        $"{Path.Combine(Path.GetFileName(templatesRoot.TrimEnd('/')), relativePath)}:{span.Start.Line + 1}";

    private static object? ToScript(object? value)
    {
        switch (value)
        {
            case null or string or bool or int or long or double:
                return value;
            case IReadOnlyDictionary<string, object?> map:
            {
                var obj = new ScriptObject();
                foreach (var (k, v) in map)
                    obj.Add(k, ToScript(v));
                return obj;
            }
            case IReadOnlyDictionary<string, string> strings:
            {
                // A map rendered as a list of {key, value}, sorted for stable output.
                var list = new ScriptArray();
                foreach (var (k, v) in strings.OrderBy(p => p.Key, StringComparer.Ordinal))
                    list.Add(new ScriptObject { ["key"] = k, ["value"] = v });
                return list;
            }
            case IEnumerable items:
            {
                var list = new ScriptArray();
                foreach (var item in items)
                    list.Add(ToScript(item));
                return list;
            }
            default:
                throw new ArgumentException($"template models hold maps, lists and scalars, not {value.GetType().Name}");
        }
    }
}
