using System.Diagnostics;

namespace KojiProvisioner;

/// <summary>
/// `KOJI_FARM_TIMINGS=1`: every command prints, on standard error, where its time went — one line
/// per phase with the milliseconds since the process started and since the previous line. It is
/// how the start-up cost of a no-op `up` or `content apply` is taken apart (bench/ci-farm prints
/// it); without the variable a mark costs one field read.
/// </summary>
public static class Timings
{
    private static readonly bool On = Environment.GetEnvironmentVariable("KOJI_FARM_TIMINGS") == "1";
    private static readonly object Gate = new();
    private static TimeSpan _last;

    /// <summary>Time since the process started (the runtime's own start included).</summary>
    private static TimeSpan SinceStart() => DateTime.Now - Process.GetCurrentProcess().StartTime;

    public static void Mark(string phase)
    {
        if (!On)
            return;
        lock (Gate)
        {
            var now = SinceStart();
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            Console.Error.WriteLine($"timing {now.TotalMilliseconds,7:0} ms  +{(now - _last).TotalMilliseconds,6:0} ms  " +
                $"(jit {System.Runtime.JitInfo.GetCompiledMethodCount(),5} methods, {jit.TotalMilliseconds,5:0} ms)  {phase}");
            _last = now;
        }
    }
}
