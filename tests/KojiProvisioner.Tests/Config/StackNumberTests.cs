using System.Reflection;
using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>Every number of the stack has bounds: nan, inf, negative or absurd values are bad input naming the key and its range.</summary>
public sealed class StackNumberTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every int or double property reachable from StackSpec, as a `--set` key (a remote builder as index 0).</summary>
    public static TheoryData<string> NumericKeys() => new(Keys());

    private static List<string> Keys()
    {
        var keys = new List<string>();
        void Walk(Type type, string path)
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var key = path + char.ToLowerInvariant(p.Name[0]) + p.Name[1..];
                var t = p.PropertyType;
                if (t == typeof(int) || t == typeof(double))
                    keys.Add(key);
                else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && t.GetGenericArguments()[0].IsClass && t.GetGenericArguments()[0] != typeof(string))
                    Walk(t.GetGenericArguments()[0], key + ".0.");
                else if (t.IsClass && t != typeof(string) && !t.IsGenericType)
                    Walk(t, key + ".");
            }
        }
        Walk(typeof(StackSpec), "");
        return keys;
    }

    [Fact]
    public void The_walk_finds_the_numbers_of_every_part_of_the_stack()
    {
        var keys = Keys();
        Assert.Contains("hub.port", keys);
        Assert.Contains("builders.capacity", keys);
        Assert.Contains("builders.remote.0.maxJobs", keys);
        Assert.Contains("health.interval", keys);
    }

    [Theory]
    [MemberData(nameof(NumericKeys))]
    public void Nan_infinity_negative_and_huge_values_name_the_key_and_its_range(string key)
    {
        var file = _dir.File("stack.yaml", "name: acme\nkoji:\n  from: packages\n");
        var shown = System.Text.RegularExpressions.Regex.Replace(key, @"\.(\d+)\.", "[$1].");
        foreach (var value in new[] { "nan", "NaN", ".nan", "inf", "Infinity", "-Infinity", "-1", "1e300", "99999999999" })
        {
            var e = Assert.Throws<InputException>(() => StackLoader.Load(file, [$"{key}={value}"], new Dictionary<string, string>()));
            Assert.Equal(ExitCode.BadInput, e.ExitCode);
            Assert.Contains($": {shown}: ", e.Message);
            Assert.Matches(@"(from -?\d+ to \d+|more than \d+ and at most \d+)", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void Nan_in_the_stack_file_is_bad_input_not_a_crash()
    {
        var file = _dir.File("stack.yaml", "name: acme\nkoji:\n  from: packages\nbuilders:\n  capacity: nan\n");
        var e = Assert.Throws<InputException>(() => StackLoader.Load(file, environment: new Dictionary<string, string>()));
        Assert.StartsWith($"{file}: builders.capacity: must be more than 0 and at most", e.Message);
    }

    [Fact]
    public async Task The_cli_says_one_line_and_exits_2_for_nan_capacity()
    {
        var file = _dir.File("stack.yaml", "name: acme\nkoji:\n  from: packages\n");
        var run = await CliRun.RunAsync("render", "--stack", file, "--set", "builders.capacity=nan", "--out", Path.Combine(_dir.Path, "out"));
        Assert.Equal(2, run.ExitCode);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Contains("builders.capacity", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }
}
