using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace KojiProvisioner.Pki;

/// <summary>
/// New leaf keys, made ahead on the thread pool: a new farm needs a CA key and a key for the
/// server and every client, and RSA key generation is the slowest part of a cold `up` after the
/// containers themselves (0.15-0.5 s a key here). Made side by side, and beside the CA's, they
/// take about half the time on two cores. A key not taken is disposed with the pool.
/// </summary>
internal sealed class LeafKeyPool : IDisposable
{
    private readonly ConcurrentQueue<Task<RSA>> _keys = new();

    public LeafKeyPool(int count)
    {
        for (var i = 0; i < count; i++)
            _keys.Enqueue(Task.Run(Generate));
    }

    /// <summary>RSA.Create only sizes a key; OpenSSL makes it on first use, so the pool uses it once.</summary>
    private static RSA Generate()
    {
        var key = RSA.Create(CertificateAuthority.LeafKeySize);
        key.ExportSubjectPublicKeyInfo();
        return key;
    }

    /// <summary>A key made ahead, or a new one when the pool is empty. The caller owns it.</summary>
    public RSA Take() => _keys.TryDequeue(out var key) ? key.GetAwaiter().GetResult() : RSA.Create(CertificateAuthority.LeafKeySize);

    public void Dispose()
    {
        while (_keys.TryDequeue(out var key))
            key.ContinueWith(k => k.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
    }
}
