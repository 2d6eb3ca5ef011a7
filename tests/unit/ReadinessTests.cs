using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DockerVm.Engine;
using DockerVm.Readiness;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The readiness strategies, one question each, against the in-memory engine (and real sockets
/// for the port), and the wait that runs them: order, one budget, DockerVmNotReady naming what
/// was last seen, at once for what can never be.
/// </summary>
public class ReadinessTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<(FakeEngine Engine, FakeContainer Container, DockerVmInstance Vm)> RunningAsync(Action<FakeContainer>? setUp = null)
    {
        var engine = new FakeEngine();
        var c = engine.Add("web1", "running");
        c.Labels[DockerVm.Labels.PollingInterval] = "10";
        setUp?.Invoke(c);
        var info = Assert.Single(await engine.InspectAsync(new[] { c.Id }, None));
        return (engine, c, DockerVmInstance.FromContainer(engine, info));
    }

    private static async Task<ContainerInfo> SeenAsync(FakeEngine engine, FakeContainer c) =>
        Assert.Single(await engine.InspectAsync(new[] { c.Id }, None));

    // ---- UntilLogMatches ---------------------------------------------------------------------

    [Fact]
    public async Task Log_only_lines_written_since_the_last_start_count()
    {
        var (engine, c, _) = await RunningAsync();
        c.Log("ready (from the previous run)", at: c.StartedAt!.Value.AddSeconds(-5));
        c.Log("starting up", at: c.StartedAt!.Value.AddMilliseconds(1));
        var check = new UntilLogMatches("ready");
        var vm = new ReadinessTarget(engine, c.Id, "web1");

        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.Contains("'starting up' (stdout", check.LastSeen);
        var request = Assert.IsType<LogRequest>(engine.Calls.Last(x => x.Operation == "logs").Detail);
        Assert.Equal(c.StartedAt, request.Since);
        Assert.False(request.Follow);

        c.Log("Server READY on :80", LogStream.Stderr);
        Assert.True(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None)); // case-insensitive, either stream
    }

    [Fact]
    public async Task Log_each_round_reads_from_the_last_line_seen_on()
    {
        var (engine, c, _) = await RunningAsync();
        var t1 = c.StartedAt!.Value.AddMilliseconds(5);
        c.Log("one", at: t1);
        var check = new UntilLogMatches("two");
        var vm = new ReadinessTarget(engine, c.Id, "web1");

        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));

        var requests = engine.Calls.Where(x => x.Operation == "logs").Select(x => (LogRequest)x.Detail!).ToList();
        Assert.Equal(new DateTime?[] { c.StartedAt, t1 }, requests.Select(r => r.Since));
        Assert.Contains("'one'", check.LastSeen); // still the last line seen, though the round read nothing new
    }

    [Fact]
    public async Task Log_the_last_line_is_the_latest_written_and_the_next_read_starts_at_the_earlier_streams_last()
    {
        var (engine, c, _) = await RunningAsync();
        var t = c.StartedAt!.Value;
        // Two pipes: the stderr line written later comes first.
        c.Log("late", LogStream.Stderr, t.AddMilliseconds(20)).Log("early", at: t.AddMilliseconds(10));
        var check = new UntilLogMatches("never");
        var vm = new ReadinessTarget(engine, c.Id, "web1");

        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.Contains("'late' (stderr", check.LastSeen);
        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.Equal(t.AddMilliseconds(10), ((LogRequest)engine.Calls.Last(x => x.Operation == "logs").Detail!).Since);
    }

    [Fact]
    public async Task Log_with_nothing_written_says_so()
    {
        var (engine, c, _) = await RunningAsync();
        var check = new UntilLogMatches("ready");

        Assert.False(await check.IsReadyAsync(new ReadinessTarget(engine, c.Id, "web1"), await SeenAsync(engine, c), None));
        Assert.StartsWith("no log line since the VM started at ", check.LastSeen);
    }

    [Fact]
    public async Task Log_a_restart_starts_over_from_the_new_start()
    {
        var (engine, c, _) = await RunningAsync();
        var check = new UntilLogMatches("ready");
        var vm = new ReadinessTarget(engine, c.Id, "web1");
        c.Log("one", at: c.StartedAt!.Value.AddMilliseconds(5));
        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));

        c.StartedAt = c.StartedAt.Value.AddSeconds(30);
        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));

        Assert.Equal(c.StartedAt, ((LogRequest)engine.Calls.Last(x => x.Operation == "logs").Detail!).Since);
        Assert.StartsWith("no log line since", check.LastSeen);
    }

    [Fact]
    public void Log_an_invalid_pattern_is_refused_when_made()
    {
        Assert.ThrowsAny<ArgumentException>(() => new UntilLogMatches("(unclosed"));
    }

    // ---- UntilHealthy ------------------------------------------------------------------------

    [Fact]
    public async Task Healthy_without_a_healthcheck_is_NotReady_at_once()
    {
        var (engine, c, _) = await RunningAsync();

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            new UntilHealthy().IsReadyAsync(new ReadinessTarget(engine, c.Id, "web1"), Assert.Single(engine.InspectAsync(new[] { c.Id }, None).Result), None));

        Assert.Equal(DockerVmErrorKind.NotReady, e.Kind);
        Assert.Contains("no healthcheck", e.Message);
        Assert.Contains("--health-cmd", e.RecommendedAction);
    }

    [Fact]
    public void Healthy_the_health_report_is_read_from_inspect()
    {
        var c = Fixtures.One("health.json");
        Assert.True(c.HasHealthcheck);
        Assert.Equal(new[] { "CMD-SHELL", "echo checked" }, c.HealthcheckTest);
        Assert.True(c.State.Health!.IsHealthy);
        Assert.Equal(0, c.State.Health.FailingStreak);
        var last = c.State.Health.Log.Last();
        Assert.Equal(0, last.ExitCode);
        Assert.Equal("checked\n", last.Output);
        Assert.True(last.End >= last.Start);

        var plain = Fixtures.One("running.json");
        Assert.False(plain.HasHealthcheck);
        Assert.Null(plain.State.Health);
    }

    [Fact]
    public async Task Healthy_an_image_healthcheck_turned_off_is_none()
    {
        var (engine, c, _) = await RunningAsync(x => x.HealthcheckTest.Add("NONE"));

        Assert.False((await SeenAsync(engine, c)).HasHealthcheck);
    }

    [Fact]
    public async Task Healthy_reports_the_status_and_the_last_checks_output_until_healthy()
    {
        var (engine, c, _) = await RunningAsync(x => x.HealthcheckTest.AddRange(new[] { "CMD-SHELL", "test -e /ready" }));
        var check = new UntilHealthy();
        var vm = new ReadinessTarget(engine, c.Id, "web1");

        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.Equal("no health report yet", check.LastSeen);

        c.Health = new ContainerHealth
        {
            Status = "unhealthy",
            FailingStreak = 3,
            Log = new[] { new HealthCheckRun { ExitCode = 1, Output = "no /ready yet\n" } },
        };
        Assert.False(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
        Assert.Equal("health status 'unhealthy' (failing streak 3); the last check exited 1 with output 'no /ready yet'", check.LastSeen);

        c.Health = new ContainerHealth { Status = "healthy" };
        Assert.True(await check.IsReadyAsync(vm, await SeenAsync(engine, c), None));
    }

    // ---- UntilPortAccepts --------------------------------------------------------------------

    private static ContainerInfo Info(string ip, params PortBinding[] ports) => new()
    {
        State = new ContainerStateInfo { StatusText = "running", Running = true },
        Networks = ip.Length == 0 ? Array.Empty<ContainerNetwork>() : new[] { new ContainerNetwork { Name = "bridge", IPAddress = ip } },
        Ports = ports,
    };

    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1:32768")]
    [InlineData("", "127.0.0.1:32768")]
    [InlineData("127.0.0.1", "127.0.0.1:32768")]
    [InlineData("192.168.5.4", "192.168.5.4:32768")]
    [InlineData("::", "[::1]:32768")]
    public void Port_a_published_port_is_reached_on_the_host(string hostIp, string expected)
    {
        var (endPoint, published, _) = UntilPortAccepts.EndPointOf(
            Info("172.17.0.5", new PortBinding { ContainerPort = "8080/tcp", HostIp = hostIp, HostPort = "32768" }), 8080);

        Assert.True(published);
        Assert.Equal(expected, endPoint!.ToString());
    }

    [Fact]
    public void Port_IPv4_binding_first_and_udp_or_unpublished_go_to_the_VM_address()
    {
        var both = Info("172.17.0.5",
            new PortBinding { ContainerPort = "8080/tcp", HostIp = "::", HostPort = "32769" },
            new PortBinding { ContainerPort = "8080/tcp", HostIp = "0.0.0.0", HostPort = "32768" });
        Assert.Equal("127.0.0.1:32768", UntilPortAccepts.EndPointOf(both, 8080).EndPoint!.ToString());

        var udpOnly = Info("172.17.0.5", new PortBinding { ContainerPort = "8080/udp", HostIp = "0.0.0.0", HostPort = "32768" },
            new PortBinding { ContainerPort = "8080/tcp" }); // exposed, not published
        var (endPoint, published, _) = UntilPortAccepts.EndPointOf(udpOnly, 8080);
        Assert.False(published);
        Assert.Equal("172.17.0.5:8080", endPoint!.ToString());
    }

    [Fact]
    public void Port_from_the_captured_inspect_of_a_published_port()
    {
        var (endPoint, published, _) = UntilPortAccepts.EndPointOf(Fixtures.One("health.json"), 8080);
        Assert.True(published);
        Assert.Equal("127.0.0.1:32769", endPoint!.ToString());
        Assert.Equal("172.17.0.2:22", UntilPortAccepts.EndPointOf(Fixtures.One("health.json"), 22).EndPoint!.ToString());
    }

    [Fact]
    public void Port_host_network_and_no_address()
    {
        var host = new ContainerInfo { Networks = new[] { new ContainerNetwork { Name = "host" } } };
        Assert.Equal("127.0.0.1:8080", UntilPortAccepts.EndPointOf(host, 8080).EndPoint!.ToString());

        var none = UntilPortAccepts.EndPointOf(Info(""), 8080);
        Assert.Null(none.EndPoint);
        Assert.Contains("no IP address", none.Why);
    }

    [Fact]
    public async Task Port_a_listener_on_the_VM_address_is_ready_and_a_closed_port_is_refused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var check = new UntilPortAccepts(port);
        var vm = new ReadinessTarget(new FakeEngine(), "id", "web1");

        Assert.True(await check.IsReadyAsync(vm, Info("127.0.0.1"), None));
        Assert.Equal($"127.0.0.1:{port} accepted a connection", check.LastSeen);

        listener.Stop();
        Assert.False(await check.IsReadyAsync(vm, Info("127.0.0.1"), None));
        Assert.StartsWith($"connecting to 127.0.0.1:{port}: ", check.LastSeen);
        Assert.Contains("refused", check.LastSeen, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Port_through_a_published_port_a_connection_closed_at_once_is_docker_proxy_not_the_service()
    {
        // What docker's port proxy does with nothing listening in the container: accept, then close.
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var port = ((IPEndPoint)proxy.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        // A thread of its own: a busy thread pool (the whole suite runs in parallel) must not delay the close.
        var closed = new TaskCompletionSource();
        var closerThread = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var client = proxy.AcceptTcpClient();
                    client.Close();
                }
            }
            catch (Exception e)
            {
                closed.TrySetException(e);
            }
        }) { IsBackground = true };
        closerThread.Start();
        var closer = closed.Task;
        var published = Info("172.17.0.9", new PortBinding { ContainerPort = "80/tcp", HostIp = "0.0.0.0", HostPort = port.ToString() });
        var check = new UntilPortAccepts(80);
        var vm = new ReadinessTarget(new FakeEngine(), "id", "web1");

        Assert.False(await check.IsReadyAsync(vm, published, None));
        Assert.Contains("closed it at once", check.LastSeen);
        Assert.Contains("docker's port proxy", check.LastSeen);
        stop.Cancel();
        proxy.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => closer);
    }

    [Fact]
    public async Task Port_through_a_published_port_a_service_that_waits_for_a_request_is_ready()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var published = Info("172.17.0.9", new PortBinding { ContainerPort = "80/tcp", HostIp = "127.0.0.1", HostPort = port.ToString() });
        var check = new UntilPortAccepts(80);

        Assert.True(await check.IsReadyAsync(new ReadinessTarget(new FakeEngine(), "id", "web1"), published, None));
        Assert.Equal($"published port 127.0.0.1:{port} accepted a connection", check.LastSeen);
    }

    [Fact]
    public void Port_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UntilPortAccepts(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UntilPortAccepts(65536));
    }

    // ---- the wait ----------------------------------------------------------------------------

    [Fact]
    public async Task Wait_a_match_ends_the_wait()
    {
        var (engine, c, vm) = await RunningAsync();
        _ = Task.Run(async () =>
        {
            await Task.Delay(100);
            c.Log("listening");
        });

        await vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("^listen") }, TimeSpan.FromSeconds(20), None);

        Assert.Equal(VmState.Running, vm.State);
    }

    [Fact]
    public async Task Wait_past_the_timeout_is_NotReady_naming_the_last_line()
    {
        var (_, c, vm) = await RunningAsync();
        c.Log("still starting", LogStream.Stderr);
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.FromMilliseconds(300), None));

        Assert.Equal(DockerVmErrorKind.NotReady, e.Kind);
        Assert.Equal("DockerVmNotReady", e.ErrorId);
        Assert.Contains("within 0.3 s", e.Message);
        Assert.Contains("a log line matching 'ready'", e.Message);
        Assert.Contains("'still starting' (stderr", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Wait_checks_run_in_order_and_all_must_hold()
    {
        var (engine, c, vm) = await RunningAsync(x => x.HealthcheckTest.Add("CMD"));
        c.Log("ready");
        c.Health = new ContainerHealth { Status = "starting" };

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready"), new UntilHealthy() }, TimeSpan.FromMilliseconds(300), None));

        Assert.Contains("its healthcheck to report healthy", e.Message);
        Assert.Contains("health status 'starting'", e.Message);

        c.Health = new ContainerHealth { Status = "healthy" };
        await vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready"), new UntilHealthy() }, TimeSpan.FromSeconds(5), None);
    }

    [Fact]
    public async Task Wait_a_VM_that_stops_meanwhile_is_NotReady_at_once_with_its_exit_code()
    {
        var (engine, c, vm) = await RunningAsync();
        c.Log("fatal: no config", LogStream.Stderr);
        _ = Task.Run(async () =>
        {
            await Task.Delay(150);
            c.Status = "exited";
            c.ExitCode = 2;
        });
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.FromSeconds(60), None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(DockerVmErrorKind.NotReady, e.Kind);
        Assert.Contains("it stopped (exit code 2)", e.Message);
        Assert.Contains("'fatal: no config'", e.Message);
        Assert.Equal(2, e.ExitCode);
        Assert.Equal(VmState.Stopped, vm.State);
    }

    [Fact]
    public async Task Wait_a_VM_that_never_reaches_the_state_is_NotReady_saying_so()
    {
        var engine = new FakeEngine();
        var c = engine.Add("web1", "exited");
        var vm = DockerVmInstance.FromContainer(engine, Assert.Single(await engine.InspectAsync(new[] { c.Id }, None)));

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilPortAccepts(80) }, TimeSpan.FromMilliseconds(300), None));

        Assert.Equal(DockerVmErrorKind.NotReady, e.Kind);
        Assert.Contains("the VM is Stopped, never Running", e.Message);
        Assert.DoesNotContain("logs", engine.Operations);
    }

    [Fact]
    public async Task Wait_timeout_zero_is_one_look_at_each()
    {
        var (engine, c, vm) = await RunningAsync();
        c.Log("booting");
        engine.Calls.ToList();
        var before = engine.Calls.Count(x => x.Operation == "logs");

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.Zero, None));

        Assert.Equal(DockerVmErrorKind.NotReady, e.Kind);
        Assert.Equal(before + 1, engine.Calls.Count(x => x.Operation == "logs"));

        c.Log("ready");
        await vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.Zero, None);
    }

    [Fact]
    public async Task Wait_cancellation_is_not_a_timeout()
    {
        var (_, _, vm) = await RunningAsync();
        using var cts = new CancellationTokenSource(200);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.FromSeconds(60), cts.Token));
    }

    [Fact]
    public async Task Wait_a_removed_container_is_NotFound()
    {
        var (engine, c, vm) = await RunningAsync();
        engine.Before("logs", _ => engine.Containers.Remove(c)); // removed elsewhere, mid-wait

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.WaitUntilReadyAsync(VmState.Running, new ReadinessCheck[] { new UntilLogMatches("ready") }, TimeSpan.FromSeconds(5), None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, vm.State);
    }

    // ---- logs through the instance -----------------------------------------------------------

    private sealed class Lines : ILogObserver
    {
        public List<string> Texts { get; } = new();
        public void OnLine(LogStream stream, DateTime? timestamp, string text)
        {
            lock (Texts)
            {
                Texts.Add(stream + ":" + text);
            }
        }
    }

    [Fact]
    public async Task Logs_tail_and_since_select_and_follow_ends_when_the_container_stops()
    {
        var (engine, c, vm) = await RunningAsync();
        var t0 = DateTime.UtcNow.AddSeconds(-10);
        c.Log("a", at: t0).Log("b", LogStream.Stderr, t0.AddSeconds(1)).Log("c", at: t0.AddSeconds(2));

        var tail = new Lines();
        await vm.StreamLogsAsync(new LogRequest { Tail = 2 }, tail, None);
        Assert.Equal(new[] { "Stderr:b", "Stdout:c" }, tail.Texts);

        var since = new Lines();
        await vm.StreamLogsAsync(new LogRequest { Since = t0.AddSeconds(1) }, since, None);
        Assert.Equal(new[] { "Stderr:b", "Stdout:c" }, since.Texts);

        var follow = new Lines();
        var following = vm.StreamLogsAsync(new LogRequest { Follow = true, Tail = 0 }, follow, None);
        await Task.Delay(50);
        c.Log("d");
        await Task.Delay(50);
        Assert.False(following.IsCompleted);
        c.Status = "exited";
        await following.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { "Stdout:d" }, follow.Texts);
    }

    [Fact]
    public async Task Logs_of_a_VM_never_created_or_removed_is_NotFound()
    {
        var engine = new FakeEngine();
        var fresh = new DockerVmInstance(engine, "never", "fake/image");
        var e = await Assert.ThrowsAsync<DockerVmException>(() => fresh.StreamLogsAsync(new LogRequest(), new Lines(), None));
        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Empty(engine.Calls);

        var (engine2, c, vm) = await RunningAsync();
        engine2.Containers.Remove(c);
        e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StreamLogsAsync(new LogRequest(), new Lines(), None));
        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Contains("VM 'web1'", e.Message);
        Assert.Equal(VmState.Deleted, vm.State);
    }
}
