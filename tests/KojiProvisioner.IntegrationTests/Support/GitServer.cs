namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>
/// A git daemon serving /srv/git on a farm's network, in a container of the builder image (which has
/// git). It is no farm container: the image's HEALTHCHECK (the builder's role check) is turned off,
/// or Docker would show it unhealthy ("no role given") for the whole test.
/// </summary>
public static class GitServer
{
    public static async Task StartAsync(TestStack stack, string name, string image)
    {
        var start = await Shell.RunAsync("docker", "run", "-d", "--name", name, "--network", $"koji-farm-{stack.Name}",
            "--no-healthcheck", "--entrypoint", "sh", image, "-c",
            "mkdir -p /srv/git && exec git daemon --reuseaddr --base-path=/srv/git --export-all /srv/git");
        Assert.True(start.ExitCode == 0, start.ToString());
    }
}
