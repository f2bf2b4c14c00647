using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Pki;

/// <summary>The subject-alt-names of the server certificate: DNS names (lower case) and IP addresses.</summary>
internal sealed partial class ServerNames
{
    private ServerNames(IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> ipAddresses)
    {
        DnsNames = dnsNames;
        IpAddresses = ipAddresses;
    }

    public IReadOnlyList<string> DnsNames { get; }
    public IReadOnlyList<IPAddress> IpAddresses { get; }

    /// <summary>Sorts requested names into IPs and DNS names, dropping duplicates, keeping order.</summary>
    public static ServerNames Parse(IReadOnlyList<string> names)
    {
        if (names is null || names.Count == 0)
            throw new ArgumentException("the server certificate needs at least one name", nameof(names));
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var raw in names)
        {
            var name = raw?.Trim() ?? "";
            if (LooksLikeIp(name) && IPAddress.TryParse(name, out var ip))
            {
                // a scope id (fe80::1%eth0) cannot be put in a certificate
                ip = new IPAddress(ip.GetAddressBytes());
                if (!ips.Contains(ip))
                    ips.Add(ip);
                continue;
            }
            // DNS names compare case-insensitively and a trailing dot means the same name
            name = name.TrimEnd('.').ToLowerInvariant();
            if (name.Length > 253 || !DnsName().IsMatch(name))
                throw new ArgumentException($"'{raw}' is neither an IP address nor a valid DNS name", nameof(names));
            if (!dns.Contains(name))
                dns.Add(name);
        }
        return new ServerNames(dns, ips);
    }

    public static ServerNames FromCertificate(X509Certificate2 certificate)
    {
        var raw = certificate.Extensions["2.5.29.17"];
        if (raw is null)
            return new ServerNames([], []);
        var san = raw as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(raw.RawData, raw.Critical);
        return new ServerNames(
            san.EnumerateDnsNames().Select(n => n.ToLowerInvariant()).Distinct().ToList(),
            san.EnumerateIPAddresses().Distinct().ToList());
    }

    /// <summary>Order does not matter: the same names in another order need no new certificate.</summary>
    public bool SameNamesAs(ServerNames other) =>
        DnsNames.ToHashSet(StringComparer.Ordinal).SetEquals(other.DnsNames)
        && IpAddresses.ToHashSet().SetEquals(other.IpAddresses);

    public X509Extension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in DnsNames)
            builder.AddDnsName(name);
        foreach (var ip in IpAddresses)
            builder.AddIpAddress(ip);
        return builder.Build(critical: false);
    }

    // IPAddress.TryParse also takes "10" or "127.1"; only the usual full forms count as addresses.
    private static bool LooksLikeIp(string name) => name.Contains(':') || DottedQuad().IsMatch(name);

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex DottedQuad();

    // Labels of letters, digits, '-' and '_' (container names use it); a leading "*." wildcard is allowed.
    [GeneratedRegex(@"^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")]
    private static partial Regex DnsName();
}
