using System.Net;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Koji;

/// <summary>Plays an XML-RPC server: records each request and answers through a function.</summary>
internal sealed class RecordingHandler(Func<RecordedRequest, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<RecordedRequest> Requests { get; } = [];

    public static HttpResponseMessage Value(object? value)
    {
        using var stream = new MemoryStream();
        XmlRpc.WriteMethodResponse(stream, value);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(stream.ToArray()) };
    }

    public static HttpResponseMessage Fault(int code, string text)
    {
        using var stream = new MemoryStream();
        XmlRpc.WriteFault(stream, code, text);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(stream.ToArray()) };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStreamAsync(cancellationToken);
        var (method, args) = XmlRpc.ReadMethodCall(body);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        var recorded = new RecordedRequest(request.RequestUri!, method, args, headers);
        Requests.Add(recorded);
        return answer(recorded);
    }
}

internal sealed record RecordedRequest(Uri Url, string Method, IReadOnlyList<object?> Args, IReadOnlyDictionary<string, string> Headers);
