using System.CommandLine;
using System.Text.Json;
using KojiProvisioner.Operations;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Docker;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>`koji-farm ls`: every farm on the engine, from labels alone (no stack file needed).</summary>
internal static class LsCommand
{
    public static Command Create(CliIO io)
    {
        var output = CommonOptions.Output();
        var command = new Command("ls", "List every farm on the engine: stack, state folder, age, healthy containers, hub URL, expiry") { output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var farms = await new ListFarms().RunAsync(ct);
            var now = DateTimeOffset.UtcNow;
            if (parse.GetValue(output) == "json")
            {
                io.Out.WriteLine(JsonOutput.Serialize(farms.Select(f => FarmJson(f, now))));
                return ExitCode.Ok;
            }
            if (farms.Count == 0)
            {
                io.Console.MarkupLine("no farms on this engine");
                return ExitCode.Ok;
            }
            var table = new Table().AddColumns("stack", "state folder", "age", "healthy", "hub", "expires");
            foreach (var f in farms)
                table.AddRow(Markup.Escape(f.Stack), Markup.Escape(f.StateDir ?? "-"), Age(f.AgeAt(now)),
                    f.Healthy == f.Total && f.Total > 0 ? $"{f.Healthy}/{f.Total}" : $"[yellow]{f.Healthy}/{f.Total}[/]",
                    Markup.Escape(f.HubUrl ?? "-"), Markup.Escape(Expiry(f, now)));
            io.Console.Write(table);
            return ExitCode.Ok;
        }));
        return command;
    }

    internal static object FarmJson(FarmSummary f, DateTimeOffset now) => new
    {
        stack = f.Stack,
        stateDir = f.StateDir,
        stateDirExists = f.StateDir is not null && Directory.Exists(f.StateDir),
        created = f.Created?.UtcDateTime,
        ageSeconds = f.AgeAt(now) is { } age ? Math.Round(age.TotalSeconds) : (double?)null,
        healthy = f.Healthy,
        total = f.Total,
        hub = f.HubUrl,
        expires = f.Expires?.UtcDateTime,
        expired = f.ExpiredAt(now),
        containers = f.Containers,
        networks = f.Networks,
        volumes = f.Volumes,
    };

    internal static string Age(TimeSpan? age) => age switch
    {
        null => "-",
        { TotalSeconds: < 90 } a => $"{Math.Max(0, a.TotalSeconds):0} s",
        { TotalMinutes: < 90 } a => $"{a.TotalMinutes:0} min",
        { TotalHours: < 48 } a => $"{a.TotalHours:0.#} h",
        var a => $"{a.Value.TotalDays:0.#} d",
    };

    internal static string Expiry(FarmSummary f, DateTimeOffset now) =>
        f.Expires is not { } t ? "never"
        : t <= now ? $"expired {Age(now - t)} ago"
        : $"in {Age(t - now)}";
}
