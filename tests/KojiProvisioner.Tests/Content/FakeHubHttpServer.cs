using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// The in-memory hub served over plain HTTP on a loopback port, so the koji-farm command runs
/// against it exactly as it runs against a real hub named by <c>--hub URL --cert PEM</c>:
/// its own client, codec, login and session headers. Logging in makes the caller <see cref="LoginUser"/>.
/// </summary>
internal sealed class FakeHubHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public FakeHubHttpServer(FakeKojiHub hub, string loginUser = "kojiadmin")
    {
        Hub = hub;
        LoginUser = loginUser;
        for (var attempt = 0; ; attempt++)
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/kojihub/");
                _listener.Start();
                Url = $"http://127.0.0.1:{port}/kojihub";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public FakeKojiHub Hub { get; }
    public string LoginUser { get; }
    public string Url { get; private set; } = "";
    public List<string> Methods { get; } = [];

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            var (method, args) = XmlRpc.ReadMethodCall(context.Request.InputStream);
            lock (Methods) Methods.Add(method);
            var session = context.Request.Headers["Koji-Session-Id"] is not null;
            try
            {
                object? result = method switch
                {
                    "sslLogin" => await Login(),
                    "multiCall" => MultiCall((IReadOnlyList<object?>)args[0]!, session),
                    _ => Dispatch(method, args, session),
                };
                XmlRpc.WriteMethodResponse(body, result);
            }
            catch (KojiFaultException fault)
            {
                body.SetLength(0);
                XmlRpc.WriteFault(body, fault.FaultCode, fault.FaultString);
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/xml";
            await context.Response.OutputStream.WriteAsync(body.ToArray());
            context.Response.Close();
        }
    }

    private async Task<object?> Login()
    {
        await Hub.EnsureLoggedInAsync();
        return new Dictionary<string, object?> { ["session-id"] = 7, ["session-key"] = "7-key", ["header-auth"] = true };
    }

    private object? Dispatch(string method, IReadOnlyList<object?> args, bool session)
    {
        if (method == "getLoggedInUser")
            return session ? new Dictionary<string, object?> { ["name"] = LoginUser, ["id"] = 1 } : null;
        if (!session && !KojiMethods.IsReadOnly(method)) throw new KojiFaultException(1002, "not logged in");
        return Hub.Dispatch(method, args);
    }

    private List<object?> MultiCall(IReadOnlyList<object?> calls, bool session) => MultiCall(calls, (m, a) => Dispatch(m, a, session));

    /// <summary>A multicall as the hub answers it: each result in a one-element list, each fault as a fault struct.</summary>
    internal static List<object?> MultiCall(IReadOnlyList<object?> calls, Func<string, IReadOnlyList<object?>, object?> dispatch) => calls.Select(c =>
    {
        var call = (IReadOnlyDictionary<string, object?>)c!;
        try
        {
            return (object?)new List<object?> { dispatch((string)call["methodName"]!, (IReadOnlyList<object?>)call["params"]!) };
        }
        catch (KojiFaultException fault)
        {
            return new Dictionary<string, object?> { ["faultCode"] = fault.FaultCode, ["faultString"] = fault.FaultString };
        }
    }).ToList();

    /// <summary>A self-signed client certificate with its key in one PEM, as a koji profile's cert file holds them.</summary>
    public static string ClientPem(string cn)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}
