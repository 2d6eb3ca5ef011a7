using System.Text.Json;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// ContainerInfo against `docker inspect --type container` output captured from a real engine
/// (docker 28.2.2; see Fixtures/README.md for how each was made).
/// </summary>
public class InspectParsingTests
{
    private const string CreatedId = "3bf128544b8c15ddb5dfcdb26d6987a1cb89e1607ecdcee441f92d4594ed303c";
    private const string RunningId = "173d9d4326abcf64e224ab03969460bbfb0698219ae5f5ff647175671e0dbdfb";
    private const string PausedId = "b7ed2c38fa8df27efd9c37295beaf9b250921d76b8e2ebc01bc4930ccc1dc72e";
    private const string ExitedId = "44908395aad7b61b77791e7deba9798f412a71ee8148c339bf0ad011b5aae22c";
    private const string UserNetId = "079a2d3000017cfcaf0fc53eebeb12fa7d8b9d5e8387b0e94d5f6dc33ebecf45";

    private static readonly string[] TailCommand = { "tail", "-f", "/dev/null" };

    private static readonly Dictionary<string, string> CapturedLabels = new()
    {
        ["dockervm.command"] = "[\"tail\",\"-f\",\"/dev/null\"]",
        ["dockervm.image"] = "dockervm/busybox:latest",
        ["dockervm.managed"] = "true",
        ["dockervm.polling-interval"] = "200",
        ["dockervm.stop-timeout"] = "10",
        ["owner"] = "unit-tests",
    };

    private static DateTime Utc(string iso) =>
        DateTime.SpecifyKind(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), DateTimeKind.Utc);

    [Fact]
    public void Created_container()
    {
        var c = Fixtures.One("created.json");

        Assert.Equal(CreatedId, c.Id);
        Assert.Equal("unitfix-created", c.Name);
        Assert.Equal("created", c.State.StatusText);
        Assert.Equal(VmState.Stopped, c.VmState);
        Assert.False(c.State.Running);
        Assert.Equal(0, c.State.ExitCode);
        Assert.Equal(0, c.State.Pid);
        Assert.Null(c.State.StartedAt);   // "0001-01-01T00:00:00Z": never
        Assert.Null(c.State.FinishedAt);
        Assert.Equal("", c.IPAddress);
        var net = Assert.Single(c.Networks);
        Assert.Equal("bridge", net.Name);
        Assert.Equal("", net.IPAddress);
        Assert.Equal(CapturedLabels, c.Labels);
        Assert.Equal(TailCommand, c.Command);
        Assert.Equal("dockervm/busybox:latest", c.Image);
        Assert.StartsWith("sha256:a8886d653767", c.ImageId);
        Assert.Equal("3bf128544b8c", c.Hostname);
        Assert.Equal(new DateTime(2026, 11, 29, 10, 51, 50, DateTimeKind.Utc).AddTicks(604885), c.Created);
        Assert.Equal(DateTimeKind.Utc, c.Created!.Value.Kind);
        Assert.Empty(c.Ports);
    }

    [Fact]
    public void Running_container()
    {
        var c = Fixtures.One("running.json");

        Assert.Equal(RunningId, c.Id);
        Assert.Equal("unitfix-running", c.Name);
        Assert.Equal("running", c.State.StatusText);
        Assert.Equal(VmState.Running, c.VmState);
        Assert.True(c.State.Running);
        Assert.False(c.State.Paused);
        Assert.Equal(6690, c.State.Pid);
        Assert.Equal(0, c.State.ExitCode);
        // 2026-11-29T10:51:50.476780228Z: nanoseconds, cut to .NET's 100 ns ticks
        Assert.Equal(new DateTime(2026, 11, 29, 10, 51, 50, DateTimeKind.Utc).AddTicks(4767802), c.State.StartedAt);
        Assert.Null(c.State.FinishedAt);
        Assert.Equal("172.17.0.2", c.IPAddress);
        var net = Assert.Single(c.Networks);
        Assert.Equal("bridge", net.Name);
        Assert.Equal("172.17.0.2", net.IPAddress);
        Assert.Equal("172.17.0.1", net.Gateway);
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", net.MacAddress);
        Assert.Equal("bridge=172.17.0.2", net.ToString());
        Assert.Equal(CapturedLabels, c.Labels);
        Assert.Equal(TailCommand, c.Command);
    }

    [Fact]
    public void Paused_container()
    {
        var c = Fixtures.One("paused.json");

        Assert.Equal(PausedId, c.Id);
        Assert.Equal("unitfix-paused", c.Name);
        Assert.Equal("paused", c.State.StatusText);
        Assert.Equal(VmState.Suspended, c.VmState);
        Assert.True(c.State.Paused);
        Assert.True(c.State.Running); // docker reports a paused container as running too
        Assert.NotNull(c.State.StartedAt);
        Assert.Null(c.State.FinishedAt);
        Assert.Equal("172.17.0.3", c.IPAddress);
        Assert.Equal(CapturedLabels, c.Labels);
    }

    [Fact]
    public void Exited_container()
    {
        var c = Fixtures.One("exited.json");

        Assert.Equal(ExitedId, c.Id);
        Assert.Equal("unitfix-exited", c.Name);
        Assert.Equal("exited", c.State.StatusText);
        Assert.Equal(VmState.Stopped, c.VmState);
        Assert.False(c.State.Running);
        Assert.Equal(3, c.State.ExitCode);
        Assert.Equal(0, c.State.Pid);
        Assert.Equal(Utc("2026-11-29T10:51:50.8797375Z"), c.State.StartedAt);
        Assert.Equal(Utc("2026-11-29T10:51:50.8808427Z"), c.State.FinishedAt);
        Assert.True(c.State.FinishedAt > c.State.StartedAt);
        Assert.Equal("", c.IPAddress);
        Assert.Equal(new[] { "sh", "-c", "exit 3" }, c.Command);
        Assert.Equal(CapturedLabels, c.Labels);
    }

    [Fact]
    public void Container_on_a_user_network_takes_that_networks_address()
    {
        // Off the default bridge, NetworkSettings.IPAddress is empty: the address is the network's.
        var c = Fixtures.One("usernet.json");

        Assert.Equal(UserNetId, c.Id);
        Assert.Equal("unitfix-usernet", c.Name);
        Assert.Equal(VmState.Running, c.VmState);
        var net = Assert.Single(c.Networks);
        Assert.Equal("unitfix-net", net.Name);
        Assert.Equal("172.18.0.2", net.IPAddress);
        Assert.Equal("172.18.0.2", c.IPAddress);
    }

    [Fact]
    public void Several_containers_in_one_array_keep_their_order()
    {
        var all = ContainerInfo.ParseArray(Fixtures.Read("two.json"));

        Assert.Equal(new[] { "unitfix-running", "unitfix-exited" }, all.Select(c => c.Name));
        Assert.Equal(new[] { VmState.Running, VmState.Stopped }, all.Select(c => c.VmState));
        Assert.Equal(new[] { 0, 3 }, all.Select(c => c.State.ExitCode));
    }

    [Fact]
    public void Inspect_of_a_found_and_a_missing_name_prints_the_found_one()
    {
        // `docker inspect --type container unitfix-running unitfix-nosuch` (exit code 1)
        var c = Fixtures.One("partial.json");
        Assert.Equal(RunningId, c.Id);
    }

    [Theory]
    [InlineData("running", VmState.Running)]
    [InlineData("paused", VmState.Suspended)]
    [InlineData("created", VmState.Stopped)]
    [InlineData("exited", VmState.Stopped)]
    [InlineData("dead", VmState.ErrorUnknown)]
    [InlineData("removing", VmState.Deleting)]
    [InlineData("restarting", VmState.Starting)]
    public void Docker_status_maps_to_the_contracts_state(string status, VmState state)
    {
        Assert.Equal(state, StateMachine.StateOf(ContainerStateInfo.Parse(status)));

        // and through a whole inspect document
        var json = Fixtures.Read("running.json").Replace("\"Status\": \"running\"", $"\"Status\": \"{status}\"");
        Assert.Equal(state, Assert.Single(ContainerInfo.ParseArray(json)).VmState);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Running")]
    [InlineData("stopped")]
    public void An_unknown_status_is_ErrorUnknown(string status)
    {
        Assert.Equal(VmState.ErrorUnknown, StateMachine.StateOf(ContainerStateInfo.Parse(status)));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[]\n")]
    [InlineData("")]
    [InlineData("  \n")]
    public void Empty_output_is_no_containers(string json)
    {
        Assert.Empty(ContainerInfo.ParseArray(json));
    }

    [Theory]
    [InlineData("[")]
    [InlineData("not json")]
    [InlineData("[{\"Id\": \"abc\"")]
    [InlineData("Error: No such object: x")]
    public void Malformed_output_is_a_json_error(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ContainerInfo.ParseArray(json));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"x\"")]
    [InlineData("42")]
    public void Output_that_is_not_an_array_is_a_format_error(string json)
    {
        Assert.Throws<FormatException>(() => ContainerInfo.ParseArray(json));
    }

    [Fact]
    public void A_sparse_entry_gets_defaults()
    {
        var c = Assert.Single(ContainerInfo.ParseArray("[{\"Id\":\"abc\",\"Name\":\"/x1\",\"State\":{\"Status\":\"dead\",\"ExitCode\":137}}]"));

        Assert.Equal("abc", c.Id);
        Assert.Equal("x1", c.Name);
        Assert.Equal(VmState.ErrorUnknown, c.VmState);
        Assert.Equal(137, c.State.ExitCode);
        Assert.Empty(c.Networks);
        Assert.Empty(c.Labels);
        Assert.Empty(c.Command);
        Assert.Equal("", c.IPAddress);
        Assert.Null(c.Created);
    }

    [Fact]
    public void Null_labels_and_command_are_empty()
    {
        var c = Assert.Single(ContainerInfo.ParseArray("[{\"Id\":\"abc\",\"Name\":\"/x1\",\"Config\":{\"Labels\":null,\"Cmd\":null}}]"));
        Assert.Empty(c.Labels);
        Assert.Empty(c.Command);
    }

    [Fact]
    public void Published_ports_are_read()
    {
        const string json = "[{\"Id\":\"abc\",\"Name\":\"/x1\",\"NetworkSettings\":{\"Ports\":{" +
                            "\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"::\",\"HostPort\":\"8080\"}]," +
                            "\"53/udp\":null}}}]";
        var c = Assert.Single(ContainerInfo.ParseArray(json));

        Assert.Equal(new[] { "0.0.0.0:8080->80/tcp", ":::8080->80/tcp", "53/udp" }, c.Ports.Select(p => p.ToString()));
    }

    [Fact]
    public void An_instance_rebuilt_from_a_container_takes_its_options_from_the_labels()
    {
        using var fake = new FakeDocker();
        var vm = DockerVmInstance.FromContainer(fake.Cli(), Fixtures.One("running.json"));

        Assert.Equal("unitfix-running", vm.Name);
        Assert.Equal("dockervm/busybox:latest", vm.Image);
        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal("172.17.0.2", vm.IPAddress);
        Assert.Equal(RunningId, vm.ContainerId);
        Assert.Equal(10, vm.StopTimeoutSec);
        Assert.Equal(200, vm.PollingIntervalMs);
        Assert.Equal(TailCommand, vm.ContainerCommand);
        Assert.Equal(new[] { VmAction.Stop, VmAction.Suspend }, vm.ValidActions);
        Assert.Equal("image=dockervm/busybox:latest name=unitfix-running", vm.CloneInfo.ToString());
        Assert.True(fake.NeverCalled);
    }

    [Fact]
    public void A_suspended_instance_shows_no_address()
    {
        using var fake = new FakeDocker();
        var vm = DockerVmInstance.FromContainer(fake.Cli(), Fixtures.One("paused.json"));

        Assert.Equal(VmState.Suspended, vm.State);
        Assert.Equal("", vm.IPAddress); // empty unless Running
    }
}
