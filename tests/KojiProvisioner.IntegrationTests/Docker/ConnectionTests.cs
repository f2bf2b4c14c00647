using KojiProvisioner.Docker;

namespace KojiProvisioner.IntegrationTests.Docker;

public class ConnectionTests
{
    [Theory]
    [InlineData("unix:///nonexistent.sock", "no socket at /nonexistent.sock")]
    [InlineData("tcp://127.0.0.1:1", "Connection refused")]
    public async Task An_engine_that_does_not_answer_is_one_clear_message(string dockerHost, string reason)
    {
        var e = await Assert.ThrowsAsync<FarmException>(() => DockerEngine.ConnectAsync(dockerHost));

        Assert.Equal($"cannot reach the Docker engine at {dockerHost}: {reason} (is dockerd running? set DOCKER_HOST to use another engine)",
            e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Equal(ExitCode.Failed, e.ExitCode);
    }

    [SkippableFact]
    public async Task The_local_engine_answers()
    {
        using var engine = await TestEngine.ConnectOrSkipAsync();

        Assert.NotNull(await engine.ImageIdAsync(TestEngine.BaseImage, CancellationToken.None));
    }
}
