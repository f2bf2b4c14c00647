using KojiProvisioner.Docker;
using Spectre.Console;

namespace KojiProvisioner.Cli.Output;

/// <summary>Progress lines with elapsed time for people; nothing at all for JSON output.</summary>
internal sealed class ProgressView(CliIO io, bool quiet) : IProgress<FarmEvent>
{
    private readonly object _lock = new();

    public void Report(FarmEvent e)
    {
        if (quiet && !e.IsWarning)
            return;
        // An image build prints hundreds of lines; its steps are what people follow, one line each.
        if (e.Step == FarmStep.Build && e.Message is not ("exists" or "built") && !e.Message.StartsWith("building", StringComparison.Ordinal))
        {
            if (LogOutput.BuildStep(e.Message) is not { } step)
                return;
            e = e with { Message = step };
        }
        lock (_lock)
        {
            if (quiet)
            {
                io.Error.WriteLine($"warning: {e.Resource}: {e.Message}");
                return;
            }
            var color = e.IsWarning ? "yellow" : e.Step is FarmStep.Healthy ? "green" : "grey";
            io.Console.MarkupLine($"[{color}]{Markup.Escape($"[{e.Elapsed.TotalSeconds,6:0.0}s]")}[/] {Markup.Escape(e.Step.ToString().ToLowerInvariant()),-12} {Markup.Escape(e.Resource)}: {Markup.Escape(e.Message)}");
        }
    }
}
