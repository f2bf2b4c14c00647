using System.CommandLine;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`--ttl`, `--wait` and their timeouts: what `up` takes for throwaway (CI) farms.</summary>
internal static class WaitOptions
{
    public static Option<string> Ttl() => new("--ttl")
    {
        Description = "Label the farm to expire after this long (90s, 30m, 2h, 1d): `koji-farm gc` removes it after that",
    };

    public static Option<bool> Wait() => new("--wait")
    {
        Description = "Return only when the hub answers, every builder is ready in Koji and kojira runs",
    };

    public static Option<string> Timeout(string name, string defaultValue, string what) => new(name)
    {
        Description = $"How long to wait for {what} before failing with what is not ready (90s, 5m)",
        DefaultValueFactory = _ => defaultValue,
    };

    public static TimeSpan? ParseTtl(string? text) => string.IsNullOrWhiteSpace(text) ? null : FarmLabels.ParseTtl(text);

    public static TimeSpan ParseTimeout(string name, string text)
    {
        try
        {
            return FarmLabels.ParseTtl(text);
        }
        catch (InputException)
        {
            throw new InputException($"{name} {text}: give a duration such as 90s or 5m");
        }
    }
}
