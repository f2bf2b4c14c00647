using KojiProvisioner.Farm;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>The koji CLI of the farm's own koji image, as a person runs it against the farm.</summary>
public static class KojiCli
{
    /// <summary>
    /// Runs `koji ARGS` in the farm's koji image on the host's network (so it reaches the hub's
    /// published port on localhost), with <paramref name="folder"/> mounted read-only at the same
    /// path (a profile names its certificate and CA by full path) and <paramref name="home"/>, when
    /// given, as HOME: the koji CLI reads ~/.koji/config.d from there.
    /// </summary>
    public static Task<Shell.Result> RunAsync(FarmDefinition definition, string folder, string? home, params string[] args)
    {
        var image = definition.Plan.Images.Single(i => i.Recipe.StartsWith("koji", StringComparison.Ordinal)).Reference;
        string[] env = home is null ? [] : ["-e", $"HOME={home}"];
        return Shell.RunAsync("docker", ["run", "--rm", "--network", "host", "-v", $"{folder}:{folder}:ro", .. env, image, "koji", .. args]);
    }
}
