using KojiProvisioner.Docker;

namespace KojiProvisioner.Tests.Docker;

public class DockerEndpointTests
{
    [Theory]
    [InlineData(null, "unix:///var/run/docker.sock")]
    [InlineData("", "unix:///var/run/docker.sock")]
    [InlineData("unix:///run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock")]
    [InlineData("tcp://10.0.0.5:2375", "tcp://10.0.0.5:2375/")]
    public void Docker_host_picks_the_engine(string? dockerHost, string expected)
    {
        Assert.Equal(expected, DockerEngine.EndpointFrom(dockerHost).ToString());
    }

    [Theory]
    [InlineData("localhost:2375")]
    [InlineData("ssh://build@host")]
    [InlineData("npipe:////./pipe/docker_engine")]
    public void An_unusable_docker_host_is_one_clear_message(string dockerHost)
    {
        var e = Assert.Throws<FarmException>(() => DockerEngine.EndpointFrom(dockerHost));

        Assert.Contains($"DOCKER_HOST={dockerHost}", e.Message);
        Assert.Equal(ExitCode.Failed, e.ExitCode);
    }
}
