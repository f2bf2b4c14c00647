namespace KojiProvisioner.Tests.Support;

/// <summary>The repository checkout the tests run from.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "KojiProvisioner.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("tests must run inside the repository");
    }
}
