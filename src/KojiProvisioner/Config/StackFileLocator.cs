namespace KojiProvisioner.Config;

/// <summary>
/// Finds the stack file the way docker compose finds its file: the one named on the command
/// line, else the one <c>KOJIFARM_STACK</c> names, else <c>koji-farm.yaml</c> in the current
/// folder.
/// </summary>
public static class StackFileLocator
{
    public const string Variable = "KOJIFARM_STACK";
    public const string DefaultFileName = "koji-farm.yaml";

    /// <summary>The stack file to use, or null when none is named and none is found.</summary>
    public static string? Find(string? given, IReadOnlyDictionary<string, string>? environment = null, string? currentDirectory = null)
    {
        if (!string.IsNullOrEmpty(given)) return given;
        var fromVariable = environment is null ? Environment.GetEnvironmentVariable(Variable) : environment.GetValueOrDefault(Variable);
        if (!string.IsNullOrEmpty(fromVariable)) return fromVariable;
        var local = Path.Combine(currentDirectory ?? Directory.GetCurrentDirectory(), DefaultFileName);
        return File.Exists(local) ? local : null;
    }

    /// <summary>The stack file to use; without one, an error that says every way to name one.</summary>
    public static string Require(string? given, IReadOnlyDictionary<string, string>? environment = null, string? currentDirectory = null) =>
        Find(given, environment, currentDirectory)
        ?? throw new InputException($"no stack file: pass --stack FILE, set {Variable}, or put a {DefaultFileName} in the current folder ({currentDirectory ?? Directory.GetCurrentDirectory()})");
}
