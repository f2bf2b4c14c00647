using System.Text.Json;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>
/// `ls` and `gc` on the real engine, with farms of the sleeper image. The engine is shared, so every
/// assertion is about farms this test made, and `gc` runs with --match on this test's own prefix.
/// </summary>
public sealed class FarmInventoryTests : EngineTest, IDisposable
{
    private readonly ITestOutputHelper _log;

    public FarmInventoryTests(ITestOutputHelper log) : base(log) => _log = log;

    private readonly string _prefix = $"inv-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly string _dir = Directory.CreateTempSubdirectory("koji-farm-inventory-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A state folder as `up` leaves one (made by koji-farm: its marker, pki/ and secrets/), and a two-container farm labelled with it.</summary>
    private async Task<(string Stack, string State)> FarmAsync(string suffix, TimeSpan? ttl)
    {
        var stack = Purged($"{_prefix}-{suffix}");
        var state = Path.Combine(_dir, stack);
        new StateFolder(state).Create();
        Directory.CreateDirectory(Path.Combine(state, "pki"));
        var labels = new Dictionary<string, string> { [Labels.StateDir] = state, [Labels.PublicHost] = "localhost" };
        var plan = TestFarm.Plan(stack, builders: 0, web: false);
        plan = plan with
        {
            Labels = ttl is { } t ? FarmLabels.WithExpiry(labels, t, DateTimeOffset.UtcNow) : labels,
        };
        await Farm.UpAsync(plan, Events());
        return (stack, state);
    }

    private static async Task<Dictionary<string, JsonElement>> LsAsync()
    {
        var ls = await Support.Cli.RunAsync("ls", "--output", "json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        return JsonDocument.Parse(ls.Out).RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("stack").GetString()!);
    }

    [SkippableFact]
    public async Task Ls_lists_the_two_farms_made_here_with_state_folder_health_and_age_and_no_container_of_no_farm()
    {
        await StartAsync();
        var a = await FarmAsync("a", ttl: null);
        var b = await FarmAsync("b", ttl: TimeSpan.FromHours(1));
        var loose = $"{_prefix}-loose";
        var made = await Shell.RunAsync("docker", "create", "--name", loose, "--label", $"note={_prefix}", TestEngine.Sleeper.Reference, "db");
        Assert.True(made.ExitCode == 0, made.ToString());
        try
        {
            var farms = await LsAsync();

            var ours = farms.Keys.Where(k => k.StartsWith(_prefix, StringComparison.Ordinal)).Order().ToList();
            Assert.Equal([a.Stack, b.Stack], ours);
            foreach (var (stack, state) in new[] { a, b })
            {
                var f = farms[stack];
                Assert.Equal(state, f.GetProperty("stateDir").GetString());
                Assert.Equal(2, f.GetProperty("total").GetInt32());
                Assert.Equal(2, f.GetProperty("healthy").GetInt32());
                Assert.InRange(f.GetProperty("ageSeconds").GetDouble(), 0, 600);
                Assert.Equal([$"{stack}-db", $"{stack}-hub"], f.GetProperty("containers").EnumerateArray().Select(c => c.GetString()));
                Assert.False(f.GetProperty("expired").GetBoolean());
            }
            Assert.False(farms[a.Stack].TryGetProperty("expires", out _));
            Assert.True(farms[b.Stack].TryGetProperty("expires", out _));
            Assert.DoesNotContain(farms.Values, f => f.GetProperty("containers").EnumerateArray().Any(c => c.GetString() == loose));

            var table = await Support.Cli.RunAsync("ls");
            Assert.True(table.ExitCode == 0, table.ToString());
            Assert.Contains(a.Stack, table.Out);
            Assert.Contains(a.State, table.Out);
            Assert.Contains("never", table.Out);
        }
        finally
        {
            await Shell.RunAsync("docker", "rm", "-f", loose);
        }
    }

    [SkippableFact]
    public async Task Gc_removes_expired_farms_with_their_state_folders_keeps_a_live_one_and_finds_one_whose_state_folder_is_gone()
    {
        await StartAsync();
        var expired = await FarmAsync("expired", ttl: TimeSpan.FromSeconds(1));
        var busy = await FarmAsync("busy", ttl: TimeSpan.FromSeconds(1)); // expired, but a koji-farm run holds it
        var live = await FarmAsync("live", ttl: TimeSpan.FromHours(1));
        var orphan = await FarmAsync("orphan", ttl: TimeSpan.FromSeconds(1));
        Directory.Delete(orphan.State, recursive: true); // a CI job's workspace wiped before its `down`
        await Eventually.UntilAsync(async () =>
        {
            var farms = await LsAsync();
            return new[] { expired, busy, orphan }.All(f => farms.TryGetValue(f.Stack, out var farm) && farm.GetProperty("expired").GetBoolean());
        }, TimeSpan.FromMinutes(1), "`ls` to show the three farms made with a 1 s lifetime as expired", poll: TimeSpan.FromMilliseconds(500));
        var match = $"{_prefix}-*";

        var dry = await Support.Cli.RunAsync("gc", "--dry-run", "--match", match);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"would remove farm {expired.Stack}", dry.Out);
        Assert.Contains($"would remove farm {orphan.Stack}", dry.Out);
        Assert.DoesNotContain(live.Stack, dry.Out);
        Assert.True(Directory.Exists(expired.State));
        Assert.Equal(2, (await Engine.ListContainersAsync(expired.Stack, None)).Count);
        if (Support.Cli.Native is not null)
        {
            // The native koji-farm (scripts/install) writes the same document as the in-process build.
            string[] json = ["gc", "--dry-run", "--match", match, "--output", "json"];
            var native = await Support.Cli.RunNativeAsync(json);
            Assert.True(native.ExitCode == 0, native.ToString());
            Assert.Equal((await Support.Cli.RunAsync(json)).Out, native.Out);
            Assert.Equal(3, JsonDocument.Parse(native.Out).RootElement.GetProperty("farms").GetArrayLength());
        }

        CliResult gc;
        using (StateFolderLock.Acquire(new StateFolder(busy.State)))
            gc = await Support.Cli.RunAsync("gc", "--match", match);
        Assert.True(gc.ExitCode == 0, gc.ToString());
        _log.WriteLine(gc.Out);
        Assert.Contains($"left farm {busy.Stack}", gc.Out);
        Assert.Contains($"a koji-farm run (pid {Environment.ProcessId}) holds its state folder: left for the next gc", gc.Out);
        Assert.Equal(2, (await Engine.ListContainersAsync(busy.Stack, None)).Count);
        Assert.True(Directory.Exists(busy.State));
        Assert.Contains($"removed farm {expired.Stack}", gc.Out);
        Assert.Contains($"state folder {expired.State}: removed", gc.Out);
        Assert.Contains($"removed farm {orphan.Stack}", gc.Out);
        Assert.Contains($"state folder {orphan.State}: already gone", gc.Out);
        Assert.DoesNotContain(live.Stack, gc.Out);
        foreach (var gone in new[] { expired.Stack, orphan.Stack })
        {
            Assert.Empty(await Engine.ListContainersAsync(gone, None));
            Assert.Empty(await Engine.ListNetworksAsync(gone, None));
            Assert.Empty(await Engine.ListVolumesAsync(gone, None));
        }
        Assert.False(Directory.Exists(expired.State));

        Assert.Equal(2, (await Engine.ListContainersAsync(live.Stack, None)).Count);
        Assert.Single(await Engine.ListVolumesAsync(live.Stack, None));
        Assert.True(Directory.Exists(live.State));
        var farms = await LsAsync();
        Assert.Contains(live.Stack, farms.Keys);
        Assert.DoesNotContain(expired.Stack, farms.Keys);
        Assert.DoesNotContain(orphan.Stack, farms.Keys);

        // Once the run that held it is done, the next gc takes the busy farm too.
        var next = await Support.Cli.RunAsync("gc", "--match", match, "--output", "json");
        Assert.True(next.ExitCode == 0, next.ToString());
        var reaped = JsonDocument.Parse(next.Out).RootElement.GetProperty("farms").EnumerateArray().Single();
        Assert.Equal(busy.Stack, reaped.GetProperty("stack").GetString());
        Assert.False(reaped.TryGetProperty("inUse", out _));
        Assert.Empty(await Engine.ListContainersAsync(busy.Stack, None));
        Assert.False(Directory.Exists(busy.State));
    }

    [SkippableFact]
    public async Task Down_by_name_removes_a_farm_whose_stack_file_is_gone_keeps_its_data_until_purge_and_touches_no_other()
    {
        await StartAsync();
        var gone = await FarmAsync("gone", ttl: null);
        var other = await FarmAsync("other", ttl: null);

        var down = await Support.Cli.RunAsync("down", "--name", gone.Stack);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"removed 2 containers and 1 networks of stack {gone.Stack}", down.Out);
        Assert.Empty(await Engine.ListContainersAsync(gone.Stack, None));
        var volume = Assert.Single(await Engine.ListVolumesAsync(gone.Stack, None));   // the data stays without --purge
        Assert.True(Directory.Exists(gone.State));

        var refused = await Support.Cli.RunAsync("down", "--name", gone.Stack, "--purge");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"down --purge of stack '{gone.Stack}' deletes volume {volume}, folder {gone.State}: add --yes", refused.Error);

        var purge = await Support.Cli.RunAsync("down", "--name", gone.Stack, "--purge", "--yes", "--output", "json");
        Assert.True(purge.ExitCode == 0, purge.ToString());
        var json = JsonDocument.Parse(purge.Out).RootElement;
        Assert.True(json.GetProperty("found").GetBoolean());
        Assert.Equal([volume], json.GetProperty("removedVolumes").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("removed", json.GetProperty("stateDirOutcome").GetString());
        Assert.Empty(await Engine.ListVolumesAsync(gone.Stack, None));
        Assert.False(Directory.Exists(gone.State));

        var again = await Support.Cli.RunAsync("down", "--name", gone.Stack, "--purge", "--yes");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"no farm of stack {gone.Stack} on the engine: nothing to remove", again.Out);

        Assert.Equal(2, (await Engine.ListContainersAsync(other.Stack, None)).Count);
        Assert.True(Directory.Exists(other.State));

        var both = await Support.Cli.RunAsync("down", "--name", other.Stack, "--stack", Path.Combine(_dir, "x.yaml"));
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("cannot go with --stack", both.Error);
        var bad = await Support.Cli.RunAsync("down", "--name", "Not_A_Stack");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'Not_A_Stack' is not a stack name", bad.Error);
    }
}
