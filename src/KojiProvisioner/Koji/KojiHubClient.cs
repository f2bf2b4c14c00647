using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Polly;
using Polly.Retry;
using Serilog;

namespace KojiProvisioner.Koji;

/// <summary>
/// Koji hub client over HTTPS: XML-RPC calls, SSL login and session headers, multicall batches.
/// Reads are retried on transient network errors; writes never are, since a write that reached
/// the hub before the connection dropped must not run twice.
/// </summary>
public sealed class KojiHubClient : IKojiHub, IDisposable
{
    private readonly KojiHubClientOptions _options;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _readRetry;
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private KojiSession? _session;
    private long _callnum;

    private readonly ILogger _log;

    public KojiHubClient(KojiHubClientOptions options, ILogger? logger = null) : this(options, CreateHandler(options), logger) { }

    /// <summary>For tests and custom transports: the handler carries TLS settings itself.</summary>
    public KojiHubClient(KojiHubClientOptions options, HttpMessageHandler handler, ILogger? logger = null)
    {
        _options = options;
        _log = (logger ?? Serilog.Core.Logger.None).ForContext<KojiHubClient>();
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = options.Timeout };
        _readRetry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.ReadRetries),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<KojiConnectionException>(ex => IsTransient(ex.InnerException)),
                OnRetry = args =>
                {
                    _log.Warning("Koji hub read failed, retry {Attempt} in {Delay}: {Cause}",
                        args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        if (options.ReadRetries <= 0) _readRetry = ResiliencePipeline.Empty;
    }

    public Uri HubUrl => _options.HubUrl;
    public int BatchSize => _options.BatchSize;
    public bool IsLoggedIn => _session is not null;

    /// <summary>The next Koji-Session-Callnum to send (0 after login, one more per call).</summary>
    public long NextCallnum => Interlocked.Read(ref _callnum);

    public Task<object?> CallAsync(string method, params object?[] args) => CallAsync(new KojiCall(method, args));

    public async Task<object?> CallAsync(KojiCall call, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync(call, HubUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (KojiFaultException fault)
        {
            throw fault.WithMethod(call.Method);
        }
    }

    public async Task<IReadOnlyList<KojiCallResult>> MultiCallAsync(IReadOnlyList<KojiCall> calls, CancellationToken cancellationToken = default)
    {
        if (calls.Count == 0) return [];
        var payload = calls.Select(c => (object?)new Dictionary<string, object?>
        {
            ["methodName"] = c.Method,
            ["params"] = c.Args,
        }).ToList();
        var readOnly = calls.All(c => c.IsReadOnly);
        var response = await SendAsync(new KojiCall("multiCall", [payload]), HubUrl, cancellationToken, readOnly).ConfigureAwait(false);
        return MultiCallResults.Decode(calls, response);
    }

    /// <summary>SSL login with the client certificate; later calls carry the session headers.</summary>
    public async Task LoginAsync(CancellationToken cancellationToken = default)
    {
        if (_options.ClientCertificatePem is null)
            throw new KojiConnectionException(HubUrl, "SSL login needs a client certificate, and none is configured");
        await _loginLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _session = null;
            var loginUrl = new Uri(HubUrl.ToString().TrimEnd('/') + "/ssllogin");
            object? result;
            try
            {
                result = await SendAsync(new KojiCall("sslLogin"), loginUrl, cancellationToken, retry: false).ConfigureAwait(false);
            }
            catch (KojiFaultException fault)
            {
                throw fault.WithMethod("sslLogin");
            }
            if (result is not IReadOnlyDictionary<string, object?> info ||
                info.GetValueOrDefault("session-id") is not (int or long) ||
                info.GetValueOrDefault("session-key") is not string key)
                throw new KojiConnectionException(HubUrl, "sslLogin did not return session-id and session-key");
            _session = new KojiSession(Convert.ToInt64(info["session-id"], System.Globalization.CultureInfo.InvariantCulture), key);
            Interlocked.Exchange(ref _callnum, 0);
            _log.Debug("Logged in to Koji hub {Url}", HubUrl);
        }
        finally
        {
            _loginLock.Release();
        }
    }

    public async Task EnsureLoggedInAsync(CancellationToken cancellationToken = default)
    {
        if (_session is null) await LoginAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<object?> SendAsync(KojiCall call, Uri url, CancellationToken cancellationToken, bool? retry = null)
    {
        if (retry ?? call.IsReadOnly)
            return _readRetry.ExecuteAsync(async ct => await SendOnceAsync(call, url, ct).ConfigureAwait(false), cancellationToken).AsTask();
        return SendOnceAsync(call, url, cancellationToken);
    }

    private async Task<object?> SendOnceAsync(KojiCall call, Uri url, CancellationToken cancellationToken)
    {
        _log.Verbose("Koji call {Method} to {Url}", call.Method, url);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(XmlRpc.SerializeMethodCall(call.Method, call.Args)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml");
        request.Headers.UserAgent.ParseAdd("koji-farm/1");
        if (_session is { } session)
        {
            var callnum = Interlocked.Increment(ref _callnum) - 1;
            request.Headers.Add("Koji-Session-Id", session.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("Koji-Session-Key", session.Key);
            request.Headers.Add("Koji-Session-Callnum", callnum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or AuthenticationException)
        {
            throw new KojiConnectionException(url, Describe(ex), ex);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} for {call.Method}";
                throw new KojiConnectionException(url, status, new HttpRequestException(status, null, response.StatusCode));
            }
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new KojiConnectionException(url, Describe(ex), ex);
            }
            return XmlRpc.ReadMethodResponse(body);
        }
    }

    /// <summary>One line: the innermost cause, which names what actually failed.</summary>
    private static string Describe(Exception ex)
    {
        if (ex is TaskCanceledException) return "no answer within the timeout";
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Contains(e.Message)) messages.Add(e.Message.Trim());
        return string.Join(": ", messages).ReplaceLineEndings(" ");
    }

    private static bool IsTransient(Exception? ex) => ex switch
    {
        null => false,
        AuthenticationException => false,
        HttpRequestException { InnerException: AuthenticationException } => false,
        HttpRequestException { StatusCode: { } code } => code is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        HttpRequestException or IOException or TaskCanceledException => true,
        _ => false,
    };

    private static readonly Lazy<Task> TlsStoreRead = new(() => Task.Run(() =>
    {
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            using var certificate = new CertificateRequest("CN=koji-farm trust store warm-up", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.Build(certificate);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            // only a head start: the handshake reads the store itself
        }
    }));

    /// <summary>
    /// The first TLS handshake of a process has .NET read the machine's whole trust store (about
    /// 0.1 s; it builds a chain for the client certificate, even when only the farm CA is trusted).
    /// Commands that will talk to a hub call this first, so that the read runs on another thread
    /// while they load the stack and the content file, not in front of the first request.
    /// </summary>
    public static void PrepareTls() => _ = TlsStoreRead.Value;

    private static SocketsHttpHandler CreateHandler(KojiHubClientOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.CaCertificatePem is { } caPem)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(caPem);
            if (roots.Count == 0) throw new ArgumentException("CaCertificatePem holds no certificate", nameof(options));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ValidateAgainstRoots(certificate, errors, roots);
        }
        if (options.ClientCertificatePem is { } certPem)
        {
            // On Linux (the only platform koji-farm runs on) SslStream uses the PEM key as it is;
            // Windows would need a PKCS#12 round trip first, which costs every command 40 ms here.
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPem(certPem, options.ClientKeyPem ?? certPem)];
        }
        return handler;
    }

    /// <summary>Trusts exactly the farm's CA: a chain to a system root is not enough, and the
    /// host name must still match the certificate.</summary>
    internal static bool ValidateAgainstRoots(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null) return false;
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    public void Dispose()
    {
        _http.Dispose();
        _loginLock.Dispose();
    }

    private sealed record KojiSession(long Id, string Key);
}

/// <summary>Decodes a multiCall answer: per call a one-element array (the value) or a fault struct.</summary>
public static class MultiCallResults
{
    public static IReadOnlyList<KojiCallResult> Decode(IReadOnlyList<KojiCall> calls, object? response)
    {
        if (response is not IReadOnlyList<object?> items)
            throw new XmlRpcFormatException("multiCall did not return an array");
        if (items.Count != calls.Count)
            throw new XmlRpcFormatException($"multiCall returned {items.Count} results for {calls.Count} calls");
        var results = new KojiCallResult[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            results[i] = items[i] switch
            {
                IReadOnlyList<object?> { Count: 1 } one => new KojiCallResult(calls[i], one[0], null),
                IReadOnlyDictionary<string, object?> fault when fault.ContainsKey("faultCode") =>
                    new KojiCallResult(calls[i], null, new KojiFaultException(
                        fault["faultCode"] is int code ? code : Convert.ToInt32(fault["faultCode"], System.Globalization.CultureInfo.InvariantCulture),
                        fault.GetValueOrDefault("faultString") as string ?? "", calls[i].Method)),
                _ => throw new XmlRpcFormatException($"multiCall result {i} ({calls[i].Method}) is neither a value nor a fault"),
            };
        }
        return results;
    }
}
