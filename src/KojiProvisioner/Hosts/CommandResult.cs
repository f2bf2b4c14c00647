namespace KojiProvisioner.Hosts;

/// <summary>
/// One command run on a remote host. <see cref="Command"/> is what may be shown: commands that
/// carry secrets are recorded as a description, never as their text.
/// </summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last <paramref name="count"/> lines of the output, stderr after stdout, for error messages.</summary>
    public string Tail(int count = 15)
    {
        var lines = (Stdout + "\n" + Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("\n", lines.TakeLast(count).Select(l => "  | " + l));
    }

    public override string ToString() => $"`{Command}` exited with {ExitCode}\n{Tail()}".TrimEnd();
}
