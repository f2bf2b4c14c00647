using System.Net;
using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

/// <summary>The fake hub served over HTTP: the same plan and apply code, through the real client,
/// codec, login and session headers. A real hub replaces only the handler.</summary>
public class HubClientEndToEndTests
{
    private sealed class FakeHubServer(FakeKojiHub hub) : HttpMessageHandler
    {
        public List<(string Path, string Method, string? Callnum)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (method, args) = XmlRpc.ReadMethodCall(await request.Content!.ReadAsStreamAsync(cancellationToken));
            var callnum = request.Headers.TryGetValues("Koji-Session-Callnum", out var v) ? v.Single() : null;
            Requests.Add((request.RequestUri!.AbsolutePath, method, callnum));
            using var body = new MemoryStream();
            try
            {
                object? result = method switch
                {
                    "sslLogin" when request.RequestUri.AbsolutePath.EndsWith("/ssllogin") =>
                        await Login(),
                    "multiCall" => MultiCall((IReadOnlyList<object?>)args[0]!, callnum is not null),
                    _ => Dispatch(method, args, callnum is not null),
                };
                XmlRpc.WriteMethodResponse(body, result);
            }
            catch (KojiFaultException fault)
            {
                body.SetLength(0);
                XmlRpc.WriteFault(body, fault.FaultCode, fault.FaultString);
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body.ToArray()) };
        }

        private async Task<object?> Login()
        {
            await hub.EnsureLoggedInAsync();
            return new Dictionary<string, object?> { ["session-id"] = 5, ["session-key"] = "5-key", ["header-auth"] = true };
        }

        private object? Dispatch(string method, IReadOnlyList<object?> args, bool session)
        {
            if (!session && !KojiMethods.IsReadOnly(method)) throw new KojiFaultException(1002, "not logged in");
            return hub.Dispatch(method, args);
        }

        private List<object?> MultiCall(IReadOnlyList<object?> calls, bool session) =>
            FakeHubHttpServer.MultiCall(calls, (m, a) => Dispatch(m, a, session));
    }

    [Fact]
    public async Task Plan_apply_and_export_work_through_the_http_client()
    {
        var hub = new FakeKojiHub();
        var server = new FakeHubServer(hub);
        using var client = new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri("https://hub.test:8443/kojihub"), ClientCertificatePem = "stands in for the PEM", BatchSize = 10,
        }, server);

        var plan = await ContentPlanner.PlanAsync(client, TestContent.Load(), prune: false);
        Assert.False(client.IsLoggedIn);
        Assert.All(server.Requests, r => Assert.Null(r.Callnum));

        var result = await ContentApplier.ApplyAsync(client, plan);
        Assert.Equal(plan.WriteCount, result.Writes);
        Assert.True(client.IsLoggedIn);
        var login = server.Requests.FindIndex(r => r.Method == "sslLogin");
        Assert.Equal("/kojihub/ssllogin", server.Requests[login].Path);
        var afterLogin = server.Requests.Skip(login + 1).Select(r => r.Callnum).ToList();
        Assert.Equal(Enumerable.Range(0, afterLogin.Count).Select(i => i.ToString()), afterLogin);

        Assert.True((await ContentPlanner.PlanAsync(client, TestContent.Load(), prune: true)).IsEmpty);
        var exported = ContentLoader.LoadText(await ContentExporter.ExportAsync(client), "exported.yaml");
        Assert.True((await ContentPlanner.PlanAsync(client, exported, prune: true)).IsEmpty);
    }
}
