using System.Net;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Koji;

public class KojiHubClientTests
{
    private static readonly Uri Hub = new("https://localhost:8443/kojihub");

    private static KojiHubClient Client(RecordingHandler handler, int retries = 2) =>
        new(new KojiHubClientOptions
        {
            HubUrl = Hub, ClientCertificatePem = "unused: the handler stands in for TLS",
            ReadRetries = retries, RetryDelay = TimeSpan.FromMilliseconds(1),
        }, handler);

    private static HttpResponseMessage LoginOrEcho(RecordedRequest r) => r.Method switch
    {
        "sslLogin" => RecordingHandler.Value(new Dictionary<string, object?>
        {
            ["session-id"] = 77, ["session-key"] = "77-secret", ["header-auth"] = true,
        }),
        "multiCall" => RecordingHandler.Value(new List<object?> { new List<object?> { "ok" } }),
        _ => RecordingHandler.Value(r.Method),
    };

    [Fact]
    public async Task Calls_before_login_carry_no_session_headers()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Value(1));
        using var client = Client(handler);
        Assert.Equal(1, await client.CallAsync("getAPIVersion"));
        Assert.False(handler.Requests[0].Headers.ContainsKey("Koji-Session-Id"));
        Assert.Equal(Hub, handler.Requests[0].Url);
    }

    [Fact]
    public async Task Login_posts_sslLogin_to_ssllogin_then_sends_session_headers_with_growing_callnum()
    {
        var handler = new RecordingHandler(LoginOrEcho);
        using var client = Client(handler);
        await client.LoginAsync();
        await client.CallAsync("getLoggedInUser");
        await client.CallAsync("createTag", "t1");
        await client.MultiCallAsync([new KojiCall("getTag", "t1")]);

        Assert.Equal("sslLogin", handler.Requests[0].Method);
        Assert.Equal(new Uri("https://localhost:8443/kojihub/ssllogin"), handler.Requests[0].Url);
        Assert.False(handler.Requests[0].Headers.ContainsKey("Koji-Session-Id"));
        var later = handler.Requests.Skip(1).ToList();
        Assert.All(later, r =>
        {
            Assert.Equal(Hub, r.Url);
            Assert.Equal("77", r.Headers["Koji-Session-Id"]);
            Assert.Equal("77-secret", r.Headers["Koji-Session-Key"]);
        });
        Assert.Equal(["0", "1", "2"], later.Select(r => r.Headers["Koji-Session-Callnum"]));
        Assert.Equal(3, client.NextCallnum);
    }

    [Fact]
    public async Task Multicall_results_hold_values_and_faults_in_order()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Value(new List<object?>
        {
            new List<object?> { 5 },
            new Dictionary<string, object?> { ["faultCode"] = 1000, ["faultString"] = "A tag with the name 't' already exists" },
            new List<object?> { null },
        }));
        using var client = Client(handler);
        var calls = new[] { new KojiCall("createTag", "a"), new KojiCall("createTag", "t"), new KojiCall("getTag", "zz") };
        var results = await client.MultiCallAsync(calls);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("multiCall", request.Method);
        var sent = Assert.IsAssignableFrom<IReadOnlyList<object?>>(request.Args[0]);
        var first = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(sent[0]);
        Assert.Equal("createTag", first["methodName"]);
        Assert.Equal(["a"], Assert.IsAssignableFrom<IReadOnlyList<object?>>(first["params"]));

        Assert.Equal(5, results[0].Value);
        Assert.True(results[1].IsFault);
        Assert.Equal("koji.GenericError", results[1].Fault!.ErrorClass);
        Assert.Equal("createTag", results[1].Fault!.Method);
        Assert.Throws<KojiFaultException>(() => results[1].GetValueOrThrow());
        Assert.False(results[2].IsFault);
        Assert.Null(results[2].Value);
    }

    [Fact]
    public async Task Multicall_with_wrong_result_count_is_a_format_error()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Value(new List<object?>()));
        using var client = Client(handler);
        await Assert.ThrowsAsync<XmlRpcFormatException>(() => client.MultiCallAsync([new KojiCall("getTag", "x")]));
    }

    [Fact]
    public async Task Batching_splits_calls_into_multicalls_of_batch_size()
    {
        var handler = new RecordingHandler(r => RecordingHandler.Value(
            Assert.IsAssignableFrom<IReadOnlyList<object?>>(r.Args[0]).Select(_ => (object?)new List<object?> { 1 }).ToList()));
        using var client = new KojiHubClient(new KojiHubClientOptions { HubUrl = Hub, BatchSize = 40 }, handler);
        var calls = Enumerable.Range(0, 100).Select(i => new KojiCall("getTag", $"t{i}")).ToList();
        var results = await client.BatchCallAsync(calls);
        Assert.Equal(100, results.Count);
        Assert.Equal([40, 40, 20], handler.Requests.Select(r => ((IReadOnlyList<object?>)r.Args[0]!).Count));
    }

    [Fact]
    public async Task Fault_names_method_and_koji_class()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Fault(1004, "tag permission required"));
        using var client = Client(handler);
        var ex = await Assert.ThrowsAsync<KojiFaultException>(() => client.CallAsync("createTag", "x"));
        Assert.Equal("koji.ActionNotAllowed", ex.ErrorClass);
        Assert.Equal("createTag: koji.ActionNotAllowed: tag permission required", ex.Message);
    }

    [Fact]
    public async Task Unreachable_hub_is_one_line_naming_url_and_cause()
    {
        var handler = new RecordingHandler(_ => throw new HttpRequestException("Connection refused (localhost:8443)"));
        using var client = Client(handler, retries: 0);
        var ex = await Assert.ThrowsAsync<KojiConnectionException>(() => client.CallAsync("getAPIVersion"));
        Assert.Equal("cannot reach Koji hub https://localhost:8443/kojihub: Connection refused (localhost:8443)", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Reads_are_retried_on_transient_errors()
    {
        var attempts = 0;
        var handler = new RecordingHandler(_ => ++attempts < 3 ? throw new HttpRequestException("reset") : RecordingHandler.Value(1));
        using var client = Client(handler, retries: 3);
        Assert.Equal(1, await client.CallAsync("getAPIVersion"));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Writes_are_never_retried()
    {
        var handler = new RecordingHandler(_ => throw new HttpRequestException("reset"));
        using var client = Client(handler, retries: 3);
        await Assert.ThrowsAsync<KojiConnectionException>(() => client.CallAsync("createTag", "x"));
        await Assert.ThrowsAsync<KojiConnectionException>(() =>
            client.MultiCallAsync([new KojiCall("getTag", "x"), new KojiCall("packageListAdd", "x", "p", "o")]));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Http_error_status_is_reported_with_the_url()
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Forbidden) { ReasonPhrase = "Forbidden" });
        using var client = Client(handler, retries: 0);
        var ex = await Assert.ThrowsAsync<KojiConnectionException>(() => client.LoginAsync());
        Assert.Contains("https://localhost:8443/kojihub/ssllogin", ex.Message);
        Assert.Contains("HTTP 403", ex.Message);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Value(1));
        using var client = Client(handler);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync(new KojiCall("getAPIVersion"), cts.Token));
    }

    [Theory]
    [InlineData("getTag", true)]
    [InlineData("listPackages", true)]
    [InlineData("getInheritanceData", true)]
    [InlineData("createTag", false)]
    [InlineData("packageListAdd", false)]
    [InlineData("setInheritanceData", false)]
    [InlineData("getaway", false)]
    public void Read_only_methods_are_known_by_name(string method, bool readOnly) =>
        Assert.Equal(readOnly, KojiMethods.IsReadOnly(method));
}
