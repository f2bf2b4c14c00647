using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KojiProvisioner.Koji;

/// <summary>A hub address the user gave that cannot be used as given: exit code 2, naming the file or option.</summary>
public sealed class HubTargetException(string message) : Exception(message);

/// <summary>
/// The hub a content command talks to, however it was named (a stack's state folder, a koji
/// client profile, or <c>--hub URL --cert --ca</c>), and how to log in to it. Reading never logs
/// in; <see cref="CanLogIn"/> says whether writing can.
/// </summary>
public sealed record HubTarget
{
    /// <summary>For messages: "stack 'demo'", "profile 'fedora' (~/.koji/config)", "hub https://...".</summary>
    public required string Description { get; init; }
    public required KojiHubClientOptions Options { get; init; }
    /// <summary>Why this target cannot log in (anonymous, Kerberos, ...), or null when it can.</summary>
    public string? CannotLogIn { get; init; }
    /// <summary>The Koji user the client certificate logs in as, by its CN (the hub's usual
    /// <c>DNUsernameComponent</c>); the hub's own answer after login wins over it.</summary>
    public string? CertificateUser { get; init; }

    public bool CanLogIn => CannotLogIn is null;

    /// <summary>Overrides the multicall batch size (a positive number), for measuring it
    /// (bench/content-apply). Not KOJIFARM_*: those variables are stack settings.</summary>
    public const string BatchSizeVariable = "KOJI_FARM_BATCH_SIZE";

    public KojiHubClient Connect()
    {
        var options = Options;
        if (int.TryParse(Environment.GetEnvironmentVariable(BatchSizeVariable), out var size) && size > 0)
            options = options with { BatchSize = size };
        return new KojiHubClient(options);
    }

    /// <summary>Throws the reason this target cannot write, naming the command that needed it.</summary>
    public void RequireLogin(string command)
    {
        if (CannotLogIn is { } why)
            throw new HubTargetException($"{command} must log in to {Description}, but {why}");
    }

    /// <summary>A hub from a koji client profile. Reads work with any authtype (the koji CLI's
    /// read commands do not log in either); logging in needs <c>authtype = ssl</c>.</summary>
    public static HubTarget FromProfile(KojiProfile profile)
    {
        var where = $"profile '{profile.Name}' ({profile.Where})";
        if (!Uri.TryCreate(profile.Server, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            throw new HubTargetException($"{where}: server '{profile.Server}' is not an http(s) URL");
        if (profile.ServerCaSource is { } caAt && !File.Exists(profile.ServerCa))
            throw new HubTargetException($"{where}: serverca {profile.ServerCa} (set at {caAt}): no such file");
        if (profile.CertSource is { } certAt && !File.Exists(profile.Cert))
            throw new HubTargetException($"{where}: cert {profile.Cert} (set at {certAt}): no such file");

        string? cannot = profile.Auth switch
        {
            KojiAuth.Ssl when profile.Cert.Length == 0 =>
                $"{where} has authtype = ssl and no cert (set cert = a PEM file with the certificate and its key)",
            KojiAuth.Ssl => null,
            KojiAuth.None => $"{where} has authtype = noauth",
            KojiAuth.Kerberos => $"{where} logs in with authtype {profile.AuthType ?? "kerberos (the koji default when no cert file exists)"}, " +
                "which koji-farm cannot do: it logs in with SSL certificates only (authtype = ssl, cert, serverca), or use --hub URL --cert PEM --ca PEM",
            _ => $"{where} has authtype {profile.AuthType}, which koji-farm cannot do: it logs in with SSL certificates only (authtype = ssl, cert, serverca)",
        };
        (string Pem, string? User)? cert = cannot is null ? ReadPem(profile.Cert, $"{where}: cert") : null;
        return new HubTarget
        {
            Description = where,
            Options = new KojiHubClientOptions
            {
                HubUrl = url,
                CaCertificatePem = profile.ServerCa.Length > 0 ? ReadCa(profile.ServerCa, $"{where}: serverca") : null,
                ClientCertificatePem = cert?.Pem,
                ClientKeyPem = cert?.Pem,
            },
            CannotLogIn = cannot,
            CertificateUser = cert?.User,
        };
    }

    /// <summary>A hub named by URL, with an optional client certificate (PEM with its key) and CA.</summary>
    public static HubTarget FromUrl(string hubUrl, string? certFile, string? caFile)
    {
        if (!Uri.TryCreate(hubUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            throw new HubTargetException($"--hub {hubUrl}: not an http(s) URL (e.g. https://koji.example.com/kojihub)");
        (string Pem, string? User)? cert = certFile is null ? null : ReadPem(certFile, "--cert");
        return new HubTarget
        {
            Description = $"hub {url}",
            Options = new KojiHubClientOptions
            {
                HubUrl = url,
                CaCertificatePem = caFile is null ? null : ReadCa(caFile, "--ca"),
                ClientCertificatePem = cert?.Pem,
                ClientKeyPem = cert?.Pem,
            },
            CannotLogIn = cert is null ? "no client certificate was given (add --cert PEM: the certificate and its key)" : null,
            CertificateUser = cert?.User,
        };
    }

    private static string ReadFile(string path, string what)
    {
        if (!File.Exists(path))
            throw new HubTargetException($"{what} {path}: no such file");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HubTargetException($"{what} {path}: cannot be read ({e.Message})");
        }
    }

    private static string ReadCa(string path, string what)
    {
        var pem = ReadFile(path, what);
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
        }
        return roots.Count > 0 ? pem : throw new HubTargetException($"{what} {path}: holds no PEM certificate");
    }

    private static (string Pem, string? User) ReadPem(string path, string what)
    {
        var pem = ReadFile(path, what);
        try
        {
            using var cert = X509Certificate2.CreateFromPem(pem, pem);
            return (pem, cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }
        catch (CryptographicException)
        {
            throw new HubTargetException($"{what} {path}: not a PEM file holding a certificate and its private key (the koji client's cert file holds both)");
        }
    }
}
