using System.Diagnostics;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>
/// Waits on the condition itself instead of sleeping for a guessed time: polls until it holds and
/// fails, naming what it waited for, once a generous deadline has passed.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(250);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null) =>
        await ValueAsync(condition, ok => ok, timeout, what, poll);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for what it returns, and returns that.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}" + (value is bool ? "" : $"; last seen: {value}"));
            await Task.Delay(poll ?? DefaultPoll);
        }
    }
}
