using System.Collections;
using System.Globalization;
using System.Text;
using System.Xml;

namespace KojiProvisioner.Koji;

/// <summary>
/// XML-RPC with Koji's extensions (<c>&lt;nil/&gt;</c>, <c>&lt;i8&gt;</c>). Values are plain .NET
/// objects: null, bool, int, long, double, string, DateTime, byte[], lists and string-keyed
/// dictionaries. Streaming reader and writer: a 2,000-package listing must not build a DOM.
/// </summary>
public static class XmlRpc
{
    /// <summary>Koji sends dates without separators in the date part (xmlrpc.client's format).</summary>
    public const string DateFormat = "yyyyMMdd'T'HH:mm:ss";

    private static readonly string[] DateFormats =
        [DateFormat, "yyyy-MM-dd'T'HH:mm:ss", "yyyyMMdd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ssK"];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static XmlWriterSettings WriterSettings => new()
    {
        Encoding = Utf8, Indent = false, OmitXmlDeclaration = false, CloseOutput = false,
    };

    private static XmlReaderSettings ReaderSettings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true,
        IgnoreProcessingInstructions = true, CloseInput = false,
    };

    // ---- writing ----

    public static byte[] SerializeMethodCall(string method, IReadOnlyList<object?> args)
    {
        using var stream = new MemoryStream();
        WriteMethodCall(stream, method, args);
        return stream.ToArray();
    }

    public static void WriteMethodCall(Stream output, string method, IReadOnlyList<object?> args)
    {
        using var w = XmlWriter.Create(output, WriterSettings);
        w.WriteStartDocument();
        w.WriteStartElement("methodCall");
        w.WriteElementString("methodName", method);
        WriteParams(w, args);
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static void WriteMethodResponse(Stream output, object? value)
    {
        using var w = XmlWriter.Create(output, WriterSettings);
        w.WriteStartDocument();
        w.WriteStartElement("methodResponse");
        WriteParams(w, [value]);
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static void WriteFault(Stream output, int faultCode, string faultString)
    {
        using var w = XmlWriter.Create(output, WriterSettings);
        w.WriteStartDocument();
        w.WriteStartElement("methodResponse");
        w.WriteStartElement("fault");
        WriteValue(w, new Dictionary<string, object?> { ["faultCode"] = faultCode, ["faultString"] = faultString });
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void WriteParams(XmlWriter w, IReadOnlyList<object?> args)
    {
        w.WriteStartElement("params");
        foreach (var arg in args)
        {
            w.WriteStartElement("param");
            WriteValue(w, arg);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void WriteValue(XmlWriter w, object? value)
    {
        w.WriteStartElement("value");
        switch (value)
        {
            case null:
                w.WriteElementString("nil", "");
                break;
            case bool b:
                w.WriteElementString("boolean", b ? "1" : "0");
                break;
            case int or short or byte or sbyte or ushort:
                w.WriteElementString("int", Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                // plain servers only know <int>; Koji reads <i8> too, but only needs it past 32 bits
                w.WriteElementString(l is >= int.MinValue and <= int.MaxValue ? "int" : "i8", l.ToString(CultureInfo.InvariantCulture));
                break;
            case uint u:
                w.WriteElementString(u <= int.MaxValue ? "int" : "i8", u.ToString(CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d)) throw new ArgumentException($"XML-RPC cannot carry the double {d}");
                w.WriteElementString("double", d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case string s:
                w.WriteElementString("string", s);
                break;
            case DateTime dt:
                w.WriteElementString("dateTime.iso8601", dt.ToString(DateFormat, CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                w.WriteStartElement("base64");
                w.WriteBase64(bytes, 0, bytes.Length);
                w.WriteEndElement();
                break;
            case KojiKwargs kwargs:
                WriteStruct(w, kwargs.Append(new KeyValuePair<string, object?>(KojiKwargs.Marker, true)));
                break;
            case IReadOnlyDictionary<string, object?> map:
                WriteStruct(w, map);
                break;
            case IDictionary dict:
                WriteStruct(w, dict.Cast<DictionaryEntry>().Select(e =>
                    new KeyValuePair<string, object?>(e.Key as string ?? throw new ArgumentException("XML-RPC struct keys must be strings"), e.Value)));
                break;
            case IEnumerable list:
                w.WriteStartElement("array");
                w.WriteStartElement("data");
                foreach (var item in list) WriteValue(w, item);
                w.WriteEndElement();
                w.WriteEndElement();
                break;
            default:
                throw new ArgumentException($"XML-RPC cannot carry a value of type {value.GetType().Name}");
        }
        w.WriteEndElement();
    }

    private static void WriteStruct(XmlWriter w, IEnumerable<KeyValuePair<string, object?>> members)
    {
        w.WriteStartElement("struct");
        foreach (var (key, member) in members)
        {
            w.WriteStartElement("member");
            w.WriteElementString("name", key);
            WriteValue(w, member);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    // ---- reading ----

    /// <summary>Reads a methodResponse: its value, or a <see cref="KojiFaultException"/>.</summary>
    public static object? ReadMethodResponse(Stream input)
    {
        try
        {
            using var r = XmlReader.Create(input, ReaderSettings);
            MoveToContent(r);
            ExpectStart(r, "methodResponse");
            Read(r);
            SkipWhitespace(r);
            if (r.NodeType == XmlNodeType.Element && r.LocalName == "fault")
            {
                Read(r);
                SkipWhitespace(r);
                var fault = ReadValue(r) as IReadOnlyDictionary<string, object?>
                    ?? throw Error(r, "fault does not hold a struct");
                var code = fault.GetValueOrDefault("faultCode") switch
                {
                    int i => i,
                    long l => (int)l,
                    _ => throw Error(r, "fault has no integer faultCode"),
                };
                var text = fault.GetValueOrDefault("faultString") as string ?? "";
                ExpectEnd(r, "fault");
                ExpectEnd(r, "methodResponse");
                ExpectEndOfDocument(r);
                throw new KojiFaultException(code, text);
            }
            var values = ReadParams(r);
            if (values.Count != 1) throw Error(r, $"a response holds one value, this one holds {values.Count}");
            ExpectEnd(r, "methodResponse");
            ExpectEndOfDocument(r);
            return values[0];
        }
        catch (XmlException ex)
        {
            throw new XmlRpcFormatException($"malformed XML-RPC response: {ex.Message}", ex);
        }
    }

    public static object? ReadMethodResponse(byte[] body) => ReadMethodResponse(new MemoryStream(body, writable: false));

    /// <summary>Reads a methodCall (used by test doubles that play the hub).</summary>
    public static (string Method, IReadOnlyList<object?> Params) ReadMethodCall(Stream input)
    {
        try
        {
            using var r = XmlReader.Create(input, ReaderSettings);
            MoveToContent(r);
            ExpectStart(r, "methodCall");
            Read(r);
            SkipWhitespace(r);
            ExpectStart(r, "methodName");
            var method = r.ReadElementContentAsString().Trim();
            if (method.Length == 0) throw Error(r, "empty methodName");
            SkipWhitespace(r);
            IReadOnlyList<object?> values = r.NodeType == XmlNodeType.Element && r.LocalName == "params" ? ReadParams(r) : [];
            ExpectEnd(r, "methodCall");
            ExpectEndOfDocument(r);
            return (method, values);
        }
        catch (XmlException ex)
        {
            throw new XmlRpcFormatException($"malformed XML-RPC call: {ex.Message}", ex);
        }
    }

    private static List<object?> ReadParams(XmlReader r)
    {
        ExpectStart(r, "params");
        var values = new List<object?>();
        if (r.IsEmptyElement) { Read(r); SkipWhitespace(r); return values; }
        Read(r);
        SkipWhitespace(r);
        while (r.NodeType == XmlNodeType.Element)
        {
            ExpectStart(r, "param");
            Read(r);
            SkipWhitespace(r);
            values.Add(ReadValue(r));
            ExpectEnd(r, "param");
        }
        ExpectEnd(r, "params");
        return values;
    }

    /// <summary>Reader is on &lt;value&gt;; leaves it after &lt;/value&gt; and any whitespace.</summary>
    private static object? ReadValue(XmlReader r)
    {
        ExpectStart(r, "value");
        if (r.IsEmptyElement) { Read(r); SkipWhitespace(r); return ""; }
        Read(r);
        if (r.NodeType == XmlNodeType.EndElement)
        {
            ExpectEnd(r, "value");
            return "";
        }
        if (r.NodeType is XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA)
        {
            // untyped text is a string, unless it only surrounds a typed element
            var text = new StringBuilder();
            while (r.NodeType is XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA)
            {
                text.Append(r.Value);
                Read(r);
            }
            if (r.NodeType == XmlNodeType.EndElement)
            {
                ExpectEnd(r, "value");
                return text.ToString();
            }
            if (!string.IsNullOrWhiteSpace(text.ToString())) throw Error(r, "text mixed with a typed value");
        }
        if (r.NodeType != XmlNodeType.Element) throw Error(r, "expected a typed value");
        var result = ReadTyped(r);
        SkipWhitespace(r);
        ExpectEnd(r, "value");
        return result;
    }

    private static object? ReadTyped(XmlReader r)
    {
        var name = r.LocalName;
        switch (name)
        {
            case "nil":
                SkipEmpty(r);
                return null;
            case "struct":
                return ReadStruct(r);
            case "array":
                return ReadArray(r);
            case "base64":
            {
                var text = ReadScalarText(r).Trim();
                try { return Convert.FromBase64String(text); }
                catch (FormatException) { throw Error(r, "invalid base64"); }
            }
        }
        var raw = ReadScalarText(r);
        var s = raw.Trim();
        switch (name)
        {
            case "string":
                return raw;
            case "int" or "i4":
                return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? i : throw Error(r, $"invalid <{name}> '{s}'");
            case "i8":
                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? l : throw Error(r, $"invalid <i8> '{s}'");
            case "boolean":
                return s switch { "1" => true, "0" => false, _ => throw Error(r, $"invalid <boolean> '{s}'") };
            case "double":
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d : throw Error(r, $"invalid <double> '{s}'");
            case "dateTime.iso8601":
                return DateTime.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt)
                    ? dt : throw Error(r, $"invalid <dateTime.iso8601> '{s}'");
            default:
                throw Error(r, $"unknown value type <{name}>");
        }
    }

    private static Dictionary<string, object?> ReadStruct(XmlReader r)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (r.IsEmptyElement) { Read(r); return map; }
        Read(r);
        SkipWhitespace(r);
        while (r.NodeType == XmlNodeType.Element)
        {
            ExpectStart(r, "member");
            Read(r);
            SkipWhitespace(r);
            ExpectStart(r, "name");
            var key = r.IsEmptyElement ? ReadEmptyAsString(r) : r.ReadElementContentAsString();
            SkipWhitespace(r);
            map[key] = ReadValue(r);
            ExpectEnd(r, "member");
        }
        if (r.NodeType != XmlNodeType.EndElement || r.LocalName != "struct") throw Error(r, "expected </struct>");
        Read(r);
        return map;
    }

    private static List<object?> ReadArray(XmlReader r)
    {
        var list = new List<object?>();
        if (r.IsEmptyElement) throw Error(r, "<array> without <data>");
        Read(r);
        SkipWhitespace(r);
        ExpectStart(r, "data");
        if (r.IsEmptyElement) { Read(r); SkipWhitespace(r); }
        else
        {
            Read(r);
            SkipWhitespace(r);
            while (r.NodeType == XmlNodeType.Element) list.Add(ReadValue(r));
            ExpectEnd(r, "data");
        }
        if (r.NodeType != XmlNodeType.EndElement || r.LocalName != "array") throw Error(r, "expected </array>");
        Read(r);
        return list;
    }

    private static string ReadScalarText(XmlReader r)
    {
        if (r.IsEmptyElement) return ReadEmptyAsString(r);
        var name = r.LocalName;
        Read(r);
        var text = new StringBuilder();
        while (r.NodeType is XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA)
        {
            text.Append(r.Value);
            Read(r);
        }
        if (r.NodeType != XmlNodeType.EndElement || r.LocalName != name) throw Error(r, $"<{name}> holds markup");
        Read(r);
        return text.ToString();
    }

    private static string ReadEmptyAsString(XmlReader r)
    {
        Read(r);
        return "";
    }

    private static void SkipEmpty(XmlReader r)
    {
        if (r.IsEmptyElement) { Read(r); return; }
        var name = r.LocalName;
        Read(r);
        SkipWhitespace(r);
        if (r.NodeType != XmlNodeType.EndElement || r.LocalName != name) throw Error(r, $"<{name}> must be empty");
        Read(r);
    }

    private static void MoveToContent(XmlReader r)
    {
        if (r.MoveToContent() != XmlNodeType.Element) throw Error(r, "no root element");
    }

    private static void Read(XmlReader r)
    {
        if (!r.Read() && r.ReadState != ReadState.EndOfFile) throw Error(r, "unexpected end of document");
    }

    private static void SkipWhitespace(XmlReader r)
    {
        while (r.NodeType is XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace) Read(r);
    }

    private static void ExpectStart(XmlReader r, string name)
    {
        if (r.NodeType != XmlNodeType.Element || r.LocalName != name)
            throw Error(r, $"expected <{name}>, found {Describe(r)}");
    }

    private static void ExpectEnd(XmlReader r, string name)
    {
        SkipWhitespace(r);
        if (r.NodeType != XmlNodeType.EndElement || r.LocalName != name)
            throw Error(r, $"expected </{name}>, found {Describe(r)}");
        Read(r);
        SkipWhitespace(r);
    }

    private static void ExpectEndOfDocument(XmlReader r)
    {
        SkipWhitespace(r);
        if (!r.EOF && r.NodeType != XmlNodeType.None) throw Error(r, $"content after the document: {Describe(r)}");
    }

    private static string Describe(XmlReader r) => r.NodeType switch
    {
        XmlNodeType.Element => $"<{r.LocalName}>",
        XmlNodeType.EndElement => $"</{r.LocalName}>",
        XmlNodeType.None => "end of document",
        _ => r.NodeType.ToString().ToLowerInvariant(),
    };

    private static XmlRpcFormatException Error(XmlReader r, string message)
    {
        var where = r is IXmlLineInfo info && info.HasLineInfo() ? $" (line {info.LineNumber}, position {info.LinePosition})" : "";
        return new XmlRpcFormatException($"malformed XML-RPC: {message}{where}");
    }

    /// <summary>Python-like rendering of a value for one-line summaries and logs.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s => "'" + s + "'",
        DateTime dt => dt.ToString(DateFormat, CultureInfo.InvariantCulture),
        byte[] bytes => $"<{bytes.Length} bytes>",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        KojiKwargs kw => kw.ToString(),
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"'{kv.Key}': {Describe(kv.Value)}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? "",
    };
}
