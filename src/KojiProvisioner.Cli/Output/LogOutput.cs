using System.Text.RegularExpressions;
using Spectre.Console;

namespace KojiProvisioner.Cli.Output;

/// <summary>
/// Output read in logs (standard output not a terminal, as in CI): no line wrapped at a made-up
/// width, and an image build shown as one line per Dockerfile step rather than the Dockerfile's text.
/// </summary>
public static partial class LogOutput
{
    /// <summary>Wide enough that no line is ever wrapped; tables still take only the width they need.</summary>
    public const int UnwrappedWidth = 100_000;

    /// <summary>Spectre wraps at 80 columns when it cannot ask a terminal for its width: not in logs.</summary>
    public static void Unwrap(IAnsiConsole console, bool outputIsTerminal)
    {
        if (!outputIsTerminal)
            console.Profile.Width = UnwrappedWidth;
    }

    /// <summary>
    /// `Step 5/12 : RUN set -eux; apt-get ...` → `step 5/12: RUN`; short arguments of other
    /// instructions stay (`step 1/12: FROM koji-farm/debian-base:bookworm`). Null for lines that
    /// are not a step (command output, `---> Running in`), which are not shown.
    /// </summary>
    public static string? BuildStep(string line)
    {
        var m = StepLine().Match(line);
        if (!m.Success)
            return null;
        var instruction = m.Groups["instr"].Value.ToUpperInvariant();
        var args = Regex.Replace(m.Groups["args"].Value, @"\s+", " ").Trim();
        var showArgs = instruction is not ("RUN" or "HEALTHCHECK") && args.Length is > 0 and <= 60;
        return $"step {m.Groups["n"].Value}/{m.Groups["of"].Value}: {instruction}{(showArgs ? " " + args : "")}";
    }

    [GeneratedRegex(@"^Step (?<n>\d+)/(?<of>\d+) : (?<instr>[A-Za-z]+)\s*(?<args>.*)$", RegexOptions.Singleline)]
    private static partial Regex StepLine();
}
