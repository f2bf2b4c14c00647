using System.Net;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Koji;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>
/// A person's view of a farm: the folder `user add NAME` wrote (STACKDIR/NAME-koji) used to log in
/// at the hub's API and at kojiweb, each answering whether the farm let NAME in.
/// </summary>
public static class UserLogins
{
    /// <summary>An API client logged in with the certificate from NAME's folder.</summary>
    public static async Task<KojiHubClient> LoggedInAsync(TestStack stack, string name)
    {
        var client = Client(stack, name);
        try
        {
            await client.LoginAsync();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>An API client with the certificate from NAME's folder, not logged in yet.</summary>
    public static KojiHubClient Client(TestStack stack, string name)
    {
        var pem = File.ReadAllText(Path.Combine(stack.Directory, name + "-koji", name + ".pem"));
        var keyAt = pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal);
        return new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri($"https://localhost:{stack.HubPort}/kojihub"),
            CaCertificatePem = File.ReadAllText(Path.Combine(stack.Directory, name + "-koji", "ca.crt")),
            ClientCertificatePem = pem[..keyAt],
            ClientKeyPem = pem[keyAt..],
            ReadRetries = 0,
            Timeout = TimeSpan.FromSeconds(20),
        });
    }

    /// <summary>Whether the hub logs NAME in and names them (getLoggedInUser).</summary>
    public static async Task<bool> HubLoginAsync(TestStack stack, string name)
    {
        using var client = Client(stack, name);
        try
        {
            await client.LoginAsync();
            return (await client.CallAsync(new KojiCall("getLoggedInUser"))) is IReadOnlyDictionary<string, object?> me && me["name"] as string == name;
        }
        catch (Exception e) when (e is KojiException or HttpRequestException or IOException)
        {
            return false;
        }
    }

    /// <summary>Whether kojiweb's /koji/login, with NAME's certificate, answers with a redirect that sets its user cookie.</summary>
    public static async Task<bool> WebLoginAsync(TestStack stack, string name)
    {
        var folder = Path.Combine(stack.Directory, name + "-koji");
        var pem = File.ReadAllText(Path.Combine(folder, name + ".pem"));
        using var certificate = X509Certificate2.CreateFromPem(pem, pem);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "ca.crt")));
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        handler.ClientCertificates.Add(certificate);
        handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(cert);
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync($"https://localhost:{stack.WebPort}/koji/login");
            return response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently
                && response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("user=", StringComparison.Ordinal));
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
