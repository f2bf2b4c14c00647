using System.Text;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Koji;

/// <summary>A koji client config file that cannot be read as Koji reads it: exit code 2, naming the file.</summary>
public sealed class KojiConfigException(string message) : Exception(message);

/// <summary>
/// The koji client's config files as Python's <c>configparser.ConfigParser</c> reads them
/// (<c>koji.read_config_files</c>): files are read in order into one parser, so a later file
/// overrides an earlier one option by option; option names are lower-cased, section names are
/// not; <c>#</c> and <c>;</c> start full-line comments only; indented lines continue a value;
/// <c>[DEFAULT]</c> options apply to every section; <c>%(name)s</c> is interpolated and
/// <c>%%</c> is a percent sign. A section or option twice in one file is an error, as there.
/// </summary>
public sealed partial class KojiConfigFile
{
    public const string DefaultSection = "DEFAULT";

    private readonly Dictionary<string, Dictionary<string, Entry>> _sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _defaults = new(StringComparer.Ordinal);

    /// <summary>One option's raw value and where it was last set.</summary>
    public sealed record Entry(string Value, string File, int Line);

    public bool HasSection(string name) => _sections.ContainsKey(name);

    public IReadOnlyCollection<string> Sections => _sections.Keys;

    /// <summary>Reads one more file over what is already read (a later file wins per option).</summary>
    public void Read(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>The section's options with <c>[DEFAULT]</c> under them, interpolated, as <c>config.items(section)</c>.</summary>
    public IReadOnlyDictionary<string, Entry> Items(string section)
    {
        if (!_sections.TryGetValue(section, out var own))
            throw new KeyNotFoundException(section);
        var raw = new Dictionary<string, Entry>(_defaults, StringComparer.Ordinal);
        foreach (var (k, v) in own) raw[k] = v;
        return raw.ToDictionary(kv => kv.Key, kv => kv.Value with { Value = Interpolate(section, kv.Key, kv.Value, raw, 1) }, StringComparer.Ordinal);
    }

    public void Parse(string text, string file)
    {
        Dictionary<string, Entry>? current = null;
        string? sectionName = null;
        string? option = null;
        List<string>? value = null;
        int valueLine = 0;
        var indentOfOption = int.MaxValue;
        var added = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();

        void Flush()
        {
            if (current is not null && option is not null && value is not null)
                current[option] = new Entry(string.Join('\n', value).TrimEnd(), file, valueLine);
            option = null;
            value = null;
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var lineNo = i + 1;
            var stripped = line.Trim();
            var isComment = stripped.StartsWith('#') || stripped.StartsWith(';');
            if (stripped.Length == 0 || isComment)
            {
                // configparser keeps empty lines inside a value (trimmed at the end), skips comments
                if (!isComment && value is not null) value.Add("");
                continue;
            }
            var indent = line.Length - line.TrimStart().Length;
            if (current is not null && option is not null && indent > indentOfOption)
            {
                value!.Add(stripped);
                continue;
            }
            indentOfOption = indent;
            var header = SectionHeader().Match(stripped);
            if (header.Success)
            {
                Flush();
                sectionName = header.Groups["header"].Value;
                if (sectionName != DefaultSection && !added.Add("[" + sectionName))
                    throw new KojiConfigException($"{file}:{lineNo}: section [{sectionName}] appears twice in this file");
                if (sectionName == DefaultSection)
                    current = _defaults;
                else if (!_sections.TryGetValue(sectionName, out current))
                    _sections[sectionName] = current = new Dictionary<string, Entry>(StringComparer.Ordinal);
                continue;
            }
            if (current is null)
                throw new KojiConfigException($"{file}:{lineNo}: a koji config file must start with a [section] header");
            var opt = OptionLine().Match(stripped);
            if (!opt.Success || opt.Groups["option"].Value.TrimEnd().Length == 0)
            {
                errors.Add($"{file}:{lineNo}: not an option line (`key = value`)");
                Flush();
                continue;
            }
            Flush();
            option = opt.Groups["option"].Value.TrimEnd().ToLowerInvariant();
            if (!added.Add(sectionName + "\0" + option))
                throw new KojiConfigException($"{file}:{lineNo}: option '{option}' appears twice in section [{sectionName}]");
            value = [opt.Groups["value"].Value.Trim()];
            valueLine = lineNo;
        }
        Flush();
        if (errors.Count > 0)
            throw new KojiConfigException(string.Join("; ", errors));
    }

    // configparser's SECTCRE and OPTCRE (delimiters '=' and ':', the first one wins)
    [GeneratedRegex(@"^\[(?<header>.+)\]")]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"^(?<option>.*?)\s*(?:=|:)\s*(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex OptionLine();

    [GeneratedRegex(@"^\(([^)]+)\)s")]
    private static partial Regex Reference();

    /// <summary>configparser's BasicInterpolation: <c>%%</c> and <c>%(name)s</c>, at most 10 levels deep.</summary>
    private static string Interpolate(string section, string option, Entry entry, IReadOnlyDictionary<string, Entry> vars, int depth)
    {
        if (depth > 10)
            throw new KojiConfigException($"{entry.File}:{entry.Line}: [{section}] {option}: interpolation nested more than 10 levels (a %(name)s loop?)");
        var text = entry.Value;
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%') { result.Append(text[i]); continue; }
            var rest = text[(i + 1)..];
            if (rest.StartsWith('%')) { result.Append('%'); i++; continue; }
            var m = Reference().Match(rest);
            if (!m.Success)
                throw new KojiConfigException($"{entry.File}:{entry.Line}: [{section}] {option}: '%' must be followed by '%' or '(name)s' (write %% for a percent sign)");
            var name = m.Groups[1].Value.ToLowerInvariant();
            if (!vars.TryGetValue(name, out var referenced))
                throw new KojiConfigException($"{entry.File}:{entry.Line}: [{section}] {option}: %({name})s names no option of the section");
            result.Append(Interpolate(section, name, referenced, vars, depth + 1));
            i += m.Length;
        }
        return result.ToString();
    }
}
