using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KojiProvisioner.Pki;

/// <summary>
/// Distinguished names as mod_ssl puts them in SSL_CLIENT_S_DN (OpenSSL's XN_FLAG_RFC2253 without
/// ESC_MSB): most specific RDN first, comma separated, RFC 2253 escapes, non-ASCII left as UTF-8.
/// Koji compares ProxyDNs with that string exactly, so it must match byte for byte.
/// </summary>
public static class Rfc2253
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.11"] = "OU",
        ["2.5.4.10"] = "O",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "street",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        ["1.2.840.113549.1.9.1"] = "emailAddress",
    };

    public static string Format(X500DistinguishedName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = new List<string>();
        // reversed: the last encoded RDN (the most specific) comes first, as RFC 2253 wants
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            if (rdn.HasMultipleElements)
                throw new NotSupportedException("multi-valued RDNs are not supported");
            var oid = rdn.GetSingleElementType().Value ?? "";
            var value = rdn.GetSingleElementValue()
                ?? throw new NotSupportedException($"RDN {oid} does not hold a string value");
            parts.Add((ShortNames.TryGetValue(oid, out var shortName) ? shortName : oid) + "=" + EscapeValue(value));
        }
        return string.Join(',', parts);
    }

    /// <summary>Escapes one attribute value the way OpenSSL does for RFC 2253 output.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var first = i == 0;
            var last = i == value.Length - 1;
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';'
                || (first && c is '#' or ' ')
                || (last && c == ' '))
                sb.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7F)
                sb.Append('\\').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
