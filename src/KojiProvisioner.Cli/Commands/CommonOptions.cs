using System.CommandLine;
using KojiProvisioner.Config;

namespace KojiProvisioner.Cli.Commands;

/// <summary>Options every stack command shares, and the one place user errors become exit codes.</summary>
internal static class CommonOptions
{
    public static Option<string> Stack() => new("--stack", "-s")
    {
        Description = $"The stack file (YAML); default: ${StackFileLocator.Variable}, else ./{StackFileLocator.DefaultFileName}",
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a stack setting: --set hub.port=9443 (repeatable; wins over KOJIFARM_ variables and the file)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string> Output() => new Option<string>("--output", "-o")
    {
        Description = "table (for people) or json (for machines)",
        DefaultValueFactory = _ => "table",
    }.AcceptOnlyFromAmong("table", "json");

    /// <summary>The stack of a command (without a Koji or mock source set, the farm's recorded ones stand in: Farm/FarmInputs).</summary>
    public static Stack LoadStack(ParseResult parse, Option<string> stack, Option<string[]> set) =>
        StackLoader.Load(StackFileLocator.Require(parse.GetValue(stack)), parse.GetValue(set) ?? []);

    /// <summary>Runs a verb: errors koji-farm raises on purpose print one line and return their exit code; bugs keep their stack trace.</summary>
    public static async Task<int> Guard(CliIO io, Func<Task<ExitCode>> action)
    {
        Timings.Mark("command line parsed");
        try
        {
            return ExitCodes.Process(await action());
        }
        catch (Exception e) when (ExitCodes.IsExpected(e))
        {
            return Report(io, e);
        }
    }

    public static Task<int> Guard(CliIO io, Func<ExitCode> action) => Guard(io, () => Task.FromResult(action()));

    /// <summary>The one line a user sees for an error or an interruption, and the exit code it means.</summary>
    public static int Report(CliIO io, Exception e)
    {
        io.Error.WriteLine(e is OperationCanceledException
            ? "koji-farm: stopped; run the same command again to finish the job"
            : $"koji-farm: {e.Message}");
        return ExitCodes.Process(ExitCodes.Of(e));
    }
}

/// <summary>--stack and --set, which every stack verb takes, and --output for those that print a report.</summary>
internal sealed class StackOptions(bool output = true)
{
    public Option<string> Stack { get; } = CommonOptions.Stack();
    public Option<string[]> Set { get; } = CommonOptions.Set();
    public Option<string> Output { get; } = output ? CommonOptions.Output() : null!;

    public Stack Load(ParseResult parse) => CommonOptions.LoadStack(parse, Stack, Set);

    public bool Json(ParseResult parse) => output && parse.GetValue(Output) == "json";
}
