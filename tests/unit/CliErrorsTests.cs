using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// CliErrors.Map on what docker really prints. Most messages below were captured from docker
/// 28.2.2 on this machine (container ids are the captured ones); the few that need another setup
/// (a registry refusing a pull, Docker Desktop's pipe, a socket without permission, an older
/// CLI's missing context) are docker's texts as users report them.
/// </summary>
public class CliErrorsTests
{
    private const string Id = "f95561da5aabdee22c349224982fc239a95b4d87c704ca2d12ad28ff0acabf64";

    private static DockerVmException Map(string operation, string stderr, int exit = 1, string vm = "x") =>
        CliErrors.Map(operation, $"docker {operation} {vm}", exit, stderr, vm);

    [Theory]
    [InlineData("start", "Error response from daemon: No such container: x\n")]
    [InlineData("stop", "Error response from daemon: No such container: x\n")]
    [InlineData("rm", "Error response from daemon: No such container: x\n")]
    [InlineData("exec", "Error response from daemon: No such container: x\n")]
    [InlineData("inspect", "Error: No such object: x\n")]
    [InlineData("inspect", "Error response from daemon: No such container: x\n")]
    // docker start adds its own summary line after the daemon's
    [InlineData("start", "Error response from daemon: No such container: x\nError: failed to start containers: x\n")]
    public void No_such_container_is_NotFound(string operation, string stderr)
    {
        var e = Map(operation, stderr);
        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal("DockerVmNotFound", e.ErrorId);
        Assert.Equal("x", e.VmName);
        Assert.Contains("No such", e.Message);
        Assert.True(CliErrors.IsNoSuchContainer(stderr));
    }

    [Fact]
    public void The_loser_of_two_removes_at_once_finds_the_container_gone()
    {
        var e = Map("rm", $"Error response from daemon: removal of container {Id} is already in progress\n");
        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        // only for rm: another command that meets a removal is not told the container is gone
        Assert.Equal(DockerVmErrorKind.CommandFailed, Map("start", $"Error response from daemon: removal of container {Id} is already in progress\n").Kind);
    }

    [Theory]
    [InlineData("Error response from daemon: You cannot remove a running container " + Id + ". Stop the container before attempting removal or force remove\n")]
    public void A_plain_rm_of_a_running_container_is_recognised(string stderr) => Assert.True(CliErrors.IsRemoveOfRunning(stderr));

    [Theory]
    [InlineData("Error response from daemon: Container " + Id + " is already paused\n")]
    public void An_already_paused_container_is_recognised(string stderr) => Assert.True(CliErrors.IsAlreadyPaused(stderr));

    [Fact]
    public void A_name_in_use_is_NameConflict()
    {
        const string stderr = "Error response from daemon: Conflict. The container name \"/unitfix-x\" is already in use by container \"" + Id +
                              "\". You have to remove (or rename) that container to be able to reuse that name.\n";
        var e = Map("create", stderr, exit: 125, vm: "unitfix-x");
        Assert.Equal(DockerVmErrorKind.NameConflict, e.Kind);
        Assert.Equal("DockerVmNameConflict", e.ErrorId);
        Assert.Contains("unitfix-x", e.Message);
    }

    [Theory]
    // the registry cannot be reached: still the image's fault, not the engine's
    [InlineData("Unable to find image '127.0.0.1:1/nosuch:latest' locally\nError response from daemon: Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused\n")]
    [InlineData("Unable to find image 'dockervm/nosuch:latest' locally\nError response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host\n")]
    [InlineData("Unable to find image 'dockervm/nosuch:latest' locally\nError response from daemon: pull access denied for dockervm/nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n")]
    [InlineData("invalid reference format: repository name (library/Bad) must be lowercase\n")]
    public void A_missing_image_on_create_is_ImageNotFound(string stderr)
    {
        var e = Map("create", stderr, exit: 125);
        Assert.Equal(DockerVmErrorKind.ImageNotFound, e.Kind);
        Assert.Equal("DockerVmImageNotFound", e.ErrorId);
        Assert.False(e.IsFatal);
        Assert.Contains(stderr.Split('\n')[0], e.Message);
    }

    [Fact]
    public void Image_text_outside_create_is_not_ImageNotFound()
    {
        var e = Map("exec", "Error response from daemon: No such image: dockervm/nosuch:latest\n");
        Assert.NotEqual(DockerVmErrorKind.ImageNotFound, e.Kind);
    }

    [Theory]
    [InlineData("ps", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")]
    [InlineData("create", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")]
    [InlineData("inspect", "Cannot connect to the Docker daemon at unix:///tmp/nosock.sock. Is the docker daemon running?\n")]
    [InlineData("start", "error during connect: Get \"http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.47/containers/json\": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.\n")]
    [InlineData("ps", "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.47/containers/json\": dial unix /var/run/docker.sock: connect: permission denied\n")]
    [InlineData("ps", "Failed to initialize: unable to resolve docker endpoint: context \"gone\" does not exist\n")]
    public void An_unreachable_engine_is_EngineUnavailable(string operation, string stderr)
    {
        var e = Map(operation, stderr);
        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.Equal("DockerEngineUnavailable", e.ErrorId);
        Assert.True(e.IsFatal);
    }

    [Theory]
    [InlineData("exec", "Error response from daemon: Container " + Id + " is not running\n")]
    [InlineData("pause", "Error response from daemon: Container " + Id + " is not running\n")]
    [InlineData("stop", "Error response from daemon: Container " + Id + " is not running\n")]
    [InlineData("exec", "Error response from daemon: Container unitfix-paused is paused, unpause the container before exec\n")]
    [InlineData("exec", "Error response from daemon: Container " + Id + " is restarting, wait until the container is running\n")]
    public void A_stopped_container_is_NotRunning(string operation, string stderr)
    {
        var e = Map(operation, stderr);
        Assert.Equal(DockerVmErrorKind.NotRunning, e.Kind);
        Assert.Equal("DockerVmNotRunning", e.ErrorId);
        Assert.True(CliErrors.IsNotRunning(stderr));
    }

    [Fact]
    public void A_name_docker_rejects_is_InvalidName()
    {
        var e = Map("create", "Error response from daemon: Invalid container name (unitfix bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n", 125, "unitfix bad");
        Assert.Equal(DockerVmErrorKind.InvalidName, e.Kind);
        Assert.Equal("DockerVmInvalidName", e.ErrorId);
    }

    [Theory]
    [InlineData("rm", "Error response from daemon: You cannot remove a running container " + Id + ". Stop the container before attempting removal or force remove\n")]
    [InlineData("rm", "Error response from daemon: You cannot remove a paused container " + Id + ". Unpause and then stop the container before attempting removal or force remove\n")]
    [InlineData("unpause", "Error response from daemon: Container " + Id + " is not paused\n")]
    [InlineData("pause", "Error response from daemon: Container " + Id + " is already paused\n")]
    [InlineData("create", "Error response from daemon: No command specified\n")]
    [InlineData("start", "")]
    public void Anything_else_is_CommandFailed_with_command_and_stderr(string operation, string stderr)
    {
        var commandLine = $"docker {operation} x";
        var e = CliErrors.Map(operation, commandLine, 125, stderr, "x");

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal("DockerCommandFailed", e.ErrorId);
        Assert.Contains(commandLine, e.Message);
        Assert.Contains("125", e.Message);
        Assert.Contains(stderr.Length == 0 ? "(no error output)" : stderr.TrimEnd('\n'), e.Message);
        Assert.Equal(commandLine, e.CommandLine);
        Assert.Equal(stderr, e.StandardError);
        Assert.Equal(125, e.ExitCode);
        Assert.False(e.IsFatal);
    }

    [Fact]
    public void Every_mapped_error_keeps_command_stderr_and_exit_code()
    {
        const string stderr = "Error response from daemon: No such container: x\n";
        var e = CliErrors.Map("rm", "docker rm --force x", 1, stderr, "x");
        Assert.Equal("docker rm --force x", e.CommandLine);
        Assert.Equal(stderr, e.StandardError);
        Assert.Equal(1, e.ExitCode);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
    }

    [Fact]
    public void Tail_keeps_the_last_non_empty_lines()
    {
        Assert.Equal("c | d", Failures.Tail("a\n\nb\r\nc\n  \nd\n", 2));
        Assert.Equal("(no error output)", Failures.Tail(" \n\n"));
    }
}
