using System.Diagnostics;
using System.Globalization;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Docker;

/// <summary>
/// The builder's health check (`koji-farm health builder` in the images), run with Python against a
/// hub that answers as told. Docker marks a container unhealthy on its verdict, and `up` fails
/// on that, so the verdicts that matter are pinned here: a builder held back only by the
/// machine's load is alive, one that stopped talking to the hub is not.
/// </summary>
public sealed class BuilderHealthCheckTests
{
    private const string Harness = """
        import importlib.machinery, importlib.util, json, os, sys, time, types
        script, case = sys.argv[1], json.loads(sys.argv[2])
        koji = types.ModuleType('koji')
        koji.TASK_STATES = {'OPEN': 1}
        sys.modules['koji'] = koji
        loader = importlib.machinery.SourceFileLoader('kojifarm', script)
        m = importlib.util.module_from_spec(importlib.util.spec_from_loader('kojifarm', loader))
        loader.exec_module(m)
        class Hub:
            def getHost(self, name):
                return {'id': 7, 'name': name, 'enabled': True, 'ready': case['ready']}
            def getLastHostUpdate(self, host_id, ts=False):
                return time.time() - case['age']
            def listTasks(self, opts, queryOpts):
                return [{'id': 1}] if case['busy'] else []
        m.daemon_session = lambda role: (Hub(), {'user': 'demo-builder-1'})
        os.getloadavg = lambda: (case['loadPerCpu'] * os.sysconf('SC_NPROCESSORS_ONLN'), 0.0, 0.0)
        try:
            print('healthy: ' + m.health_builder())
        except m.Failure as e:
            print('unhealthy: ' + str(e))
        """;

    [SkippableTheory]
    [InlineData(true, false, 0.5, 5, "healthy: host 'demo-builder-1' ready")]
    [InlineData(false, true, 0.5, 5, "healthy: host 'demo-builder-1' busy")]
    [InlineData(false, false, 5.0, 5, "healthy: host 'demo-builder-1' alive, not taking tasks: load average")]
    [InlineData(false, false, 0.5, 5, "unhealthy: host 'demo-builder-1' is not ready and runs no task")]
    [InlineData(false, false, 5.0, 120, "unhealthy: host 'demo-builder-1' last contacted the hub 120 s ago")]
    [InlineData(true, false, 0.5, 120, "unhealthy: host 'demo-builder-1' last contacted the hub 120 s ago")]
    public void Verdict(bool ready, bool busy, double loadPerCpu, int secondsSinceUpdate, string expected)
    {
        var harness = Path.Combine(Path.GetTempPath(), $"koji-farm-health-{Guid.NewGuid():N}.py");
        File.WriteAllText(harness, Harness);
        try
        {
            var c = CultureInfo.InvariantCulture;
            var json = $$"""{"ready": {{(ready ? "true" : "false")}}, "busy": {{(busy ? "true" : "false")}}, "loadPerCpu": {{loadPerCpu.ToString(c)}}, "age": {{secondsSinceUpdate.ToString(c)}}}""";
            var output = Python(harness, Path.Combine(RepoRoot.Path, "infra", "images", "common", "koji-farm"), json);
            Assert.StartsWith(expected, output);
        }
        finally
        {
            File.Delete(harness);
        }
    }

    private static string Python(params string[] arguments)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip.If(true, "python3 is not installed");
            throw;
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"python3 exited {process.ExitCode}: {error.Result}");
            return output.Trim();
        }
    }
}
