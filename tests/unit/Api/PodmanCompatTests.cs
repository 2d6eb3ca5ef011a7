using DockerVm.Engine;
using DockerVm.Engine.Api;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// The Engine API transport against Podman's Docker-compatible API (podman system service 4.3.1): the
/// answers below are podman's, as it wrote them on this machine (trimmed to the fields that matter).
/// </summary>
public class PodmanCompatTests
{
    private const string Id = DockerApiTests.Id;

    /// <summary>GET /containers/{id}/json as podman 4.3.1 answers it.</summary>
    internal static string Inspect(string status, string restartPolicy = "", int maxRetries = 0, int exitCode = 5, int restartCount = 0, string health = "") =>
        "{\"Id\":\"" + Id + "\",\"Created\":\"2026-11-30T14:57:30.9Z\",\"Path\":\"sh\",\"Args\":[\"-c\",\"exit 5\"]," +
        "\"State\":{\"Status\":\"" + status + "\",\"Running\":" + (status == "running" ? "true" : "false") + ",\"Paused\":false,\"Restarting\":false," +
        "\"OOMKilled\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":" + exitCode + ",\"Error\":\"\",\"StartedAt\":\"2026-11-30T14:57:31.260179141Z\"," +
        "\"FinishedAt\":\"2026-11-30T14:57:31.259916917Z\",\"Health\":{\"Status\":\"" + health + "\",\"FailingStreak\":0,\"Log\":null}}," +
        "\"Image\":\"4688c50a5bff\",\"Name\":\"vm1\",\"RestartCount\":" + restartCount + ",\"Driver\":\"overlay\"," +
        "\"HostConfig\":{\"NetworkMode\":\"bridge\",\"RestartPolicy\":{\"Name\":\"" + restartPolicy + "\",\"MaximumRetryCount\":" + maxRetries + "}}," +
        "\"Config\":{\"Hostname\":\"e9e909eb1c92\",\"Image\":\"dockervm/busybox:latest\",\"Labels\":{\"dockervm.managed\":\"true\"}}," +
        "\"NetworkSettings\":{\"Networks\":{\"podman\":{\"IPAddress\":\"10.231.0.3\"}}}}";

    private static async Task<ContainerInfo> InspectThroughApi(string json)
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/[^/]+/json$", (_, c) => c.Json(200, json));
        return Assert.Single(await server.Engine().InspectAsync(new[] { Id }, default));
    }

    [Fact]
    public async Task Stopped_without_a_restart_policy_is_exited()
    {
        var info = await InspectThroughApi(Inspect("stopped"));
        Assert.Equal(ContainerStatus.Exited, info.State.Status);
        Assert.Equal("exited", info.State.StatusText);
        Assert.Equal(VmState.Stopped, info.VmState);
        Assert.Equal(5, info.State.ExitCode);
    }

    [Theory]
    [InlineData("always", 0, 0, 3)]
    [InlineData("unless-stopped", 0, 0, 0)]
    [InlineData("on-failure", 0, 5, 9)]
    [InlineData("on-failure", 3, 5, 2)]
    public async Task Stopped_that_the_restart_policy_brings_back_is_restarting(string policy, int max, int exitCode, int restarts)
    {
        var info = await InspectThroughApi(Inspect("stopped", policy, max, exitCode, restarts));
        Assert.Equal(ContainerStatus.Restarting, info.State.Status);
        Assert.True(info.State.Restarting);
        Assert.Equal(VmState.Starting, info.VmState);
    }

    [Theory]
    [InlineData("on-failure", 0, 0, 0)]   // a clean exit is not a failure
    [InlineData("on-failure", 2, 5, 2)]   // the retries are spent
    [InlineData("no", 0, 5, 0)]
    public async Task Stopped_that_the_restart_policy_leaves_alone_is_exited(string policy, int max, int exitCode, int restarts)
    {
        var info = await InspectThroughApi(Inspect("stopped", policy, max, exitCode, restarts));
        Assert.Equal(ContainerStatus.Exited, info.State.Status);
        Assert.False(info.State.Restarting);
    }

    [Fact]
    public async Task Stopping_is_running_as_docker_says_until_the_stop_ends()
    {
        var info = await InspectThroughApi(Inspect("stopping"));
        Assert.Equal(ContainerStatus.Running, info.State.Status);
    }

    [Fact]
    public async Task The_empty_health_podman_writes_on_every_container_is_no_healthcheck()
    {
        var info = await InspectThroughApi(Inspect("running"));
        Assert.Null(info.State.Health);
        Assert.False(info.HasHealthcheck);
        Assert.Equal(ContainerStatus.Running, info.State.Status);
        Assert.Equal("10.231.0.3", info.IPAddress);
    }

    [Fact]
    public async Task A_real_healthcheck_is_kept()
    {
        var info = await InspectThroughApi(Inspect("running", health: "healthy"));
        Assert.NotNull(info.State.Health);
        Assert.True(info.State.Health!.IsHealthy);
    }

    [Fact]
    public async Task A_name_in_use_is_NameConflict_in_podmans_words()
    {
        // podman 4.3.1: 500, and the message below (with a "cause" field docker does not write).
        const string message = "container create: creating container storage: the container name \"vm1\" is already in use by " + Id +
            ". You have to remove that container to be able to reuse that name: that name is already in use";
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Json(500,
            "{\"cause\":\"that name is already in use\",\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + ",\"response\":500}"));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CreateAsync(DockerApiTests.Spec(), default));
        Assert.Equal("DockerVmNameConflict", e.ErrorId);
        Assert.Equal(message, e.StandardError);
    }

    [Theory]
    [InlineData("exited")]
    [InlineData("created")]
    [InlineData("paused")]
    public void Docker_words_pass_through_untouched(string status)
    {
        var docker = Inspect(status).Replace("\"Health\":{\"Status\":\"\",\"FailingStreak\":0,\"Log\":null}", "\"Health\":null");
        Assert.Same(docker, PodmanCompat.Inspect(docker));
    }
}
