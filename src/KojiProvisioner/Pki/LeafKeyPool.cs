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
    private readonly ConcurrentQueue<Task<AsymmetricAlgorithm>> _keys = new();
    private readonly KeyAlgorithm _algorithm;

    /// <param name="count">Keys to make ahead: RSA ones only; an ECDSA key is made when it is taken, in microseconds.</param>
    public LeafKeyPool(KeyAlgorithm algorithm, int count)
    {
        _algorithm = algorithm;
        if (algorithm != KeyAlgorithm.Rsa)
            return;
        for (var i = 0; i < count; i++)
            _keys.Enqueue(Task.Run(() => Keys.Create(algorithm, forCa: false)));
    }

    /// <summary>A key made ahead, or a new one when the pool is empty. The caller owns it.</summary>
    public AsymmetricAlgorithm Take() => _keys.TryDequeue(out var key) ? key.GetAwaiter().GetResult() : Keys.Create(_algorithm, forCa: false);

    public void Dispose()
    {
        while (_keys.TryDequeue(out var key))
            key.ContinueWith(k => k.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
    }
}
