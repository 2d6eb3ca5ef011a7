using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// The Engine API transport against a fake engine on a unix socket: what it sends, how it reads
/// the answers (status codes → the contract's errors, idempotent 304s, chunked bodies, hijacked
/// exec streams), version negotiation, keep-alive, and a hung or missing engine.
/// </summary>
public class DockerApiTests
{
    internal const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    internal static CreateSpec Spec(string name = "vm1", params string[] args) => new()
    {
        Name = name,
        Image = "img:1",
        Labels = new Dictionary<string, string> { ["dockervm.managed"] = "true", ["b"] = "2" },
        Environment = new Dictionary<string, string> { ["SECRET"] = "s3cret", ["A"] = "1" },
        CreateArguments = args,
        ContainerCommand = new[] { "tail", "-f", "/dev/null" },
    };

    // ---- version negotiation ----------------------------------------------------------------------

    [Theory]
    [InlineData("1.41", "1.41")]
    [InlineData("1.43", "1.43")]
    [InlineData("1.47", "1.43")]
    [InlineData("1.40", "1.40")]
    [InlineData("2.0", "1.43")]
    public void Negotiates_the_older_of_the_two_versions(string server, string spoken) =>
        Assert.Equal(spoken, DockerApi.Negotiate(server));

    [Fact]
    public async Task Negotiates_once_and_prefixes_every_path()
    {
        using var server = new FakeApiServer { ApiVersion = "1.41" };
        server.On("POST", "^/containers/.*/start$", (_, c) => c.Empty(204));
        var api = server.Engine();
        await api.StartAsync(Id, default);
        await api.StartAsync(Id, default);
        Assert.Single(server.Requests, r => r.Target == "/version");
        Assert.All(server.Requests.Where(r => r.Target != "/version"), r => Assert.StartsWith("/v1.41/containers/", r.RawTarget));
        Assert.Contains("(API 1.41)", api.Transport);
        Assert.StartsWith("api: unix://", api.Transport);
    }

    [Fact]
    public async Task Speaks_its_own_highest_version_to_a_newer_engine()
    {
        using var server = new FakeApiServer { ApiVersion = "1.47" };
        server.On("POST", "^/containers/.*/start$", (_, c) => c.Empty(204));
        await server.Engine().StartAsync(Id, default);
        Assert.Contains(server.Requests, r => r.RawTarget.StartsWith("/v" + DockerApi.HighestVersion + "/containers/"));
    }

    [Fact]
    public async Task An_engine_too_old_is_refused_with_a_pointer_to_the_cli()
    {
        using var server = new FakeApiServer { ApiVersion = "1.24" };
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().StartAsync(Id, default));
        Assert.Equal("DockerEngineUnavailable", e.ErrorId);
        Assert.Contains("1.24", e.Message);
        Assert.Contains("DOCKERVM_TRANSPORT", e.RecommendedAction);
    }

    // ---- create -----------------------------------------------------------------------------------

    [Fact]
    public async Task Create_sends_image_command_environment_labels_and_init()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Json(201, $"{{\"Id\":\"{Id}\",\"Warnings\":[]}}"));
        var id = await server.Engine().CreateAsync(Spec(), default);
        Assert.Equal(Id, id);
        var create = server.Requests.Single(r => r.Target.StartsWith("/containers/create"));
        Assert.Equal("/containers/create?name=vm1", create.Target);
        using var body = JsonDocument.Parse(create.Body);
        var root = body.RootElement;
        Assert.Equal("img:1", root.GetProperty("Image").GetString());
        Assert.Equal(new[] { "tail", "-f", "/dev/null" }, root.GetProperty("Cmd").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(new[] { "A=1", "SECRET=s3cret" }, root.GetProperty("Env").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("true", root.GetProperty("Labels").GetProperty("dockervm.managed").GetString());
        Assert.True(root.GetProperty("HostConfig").GetProperty("Init").GetBoolean());
    }

    [Fact]
    public async Task Create_of_a_missing_image_pulls_it_once_then_creates()
    {
        using var server = new FakeApiServer();
        var creates = 0;
        server.On("POST", "^/containers/create", (_, c) =>
        {
            if (Interlocked.Increment(ref creates) == 1)
            {
                c.Error(404, "No such image: img:1");
            }
            else
            {
                c.Json(201, $"{{\"Id\":\"{Id}\"}}");
            }
        });
        server.On("POST", "^/images/create", (_, c) => c.Chunked(200,
            "1f\r\n{\"status\":\"Pulling from img\"}\r\n\r\n", "13\r\n{\"status\":\"Done\"}\r\n\r\n", "0\r\n\r\n"));
        Assert.Equal(Id, await server.Engine().CreateAsync(Spec(), default));
        Assert.Equal(new[] { "POST /containers/create?name=vm1", "POST /images/create?fromImage=img&tag=1", "POST /containers/create?name=vm1" }, server.Seen);
    }

    [Fact]
    public async Task A_pull_that_fails_in_its_stream_is_ImageNotFound()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Error(404, "No such image: img:1"));
        server.On("POST", "^/images/create", (_, c) => c.Chunked(200,
            "20\r\n{\"error\":\"pull access denied\"}\r\n\r\n", "0\r\n\r\n"));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CreateAsync(Spec(), default));
        Assert.Equal("DockerVmImageNotFound", e.ErrorId);
        Assert.Contains("pull access denied", e.Message);
    }

    [Fact]
    public async Task A_pull_refused_by_the_engine_is_ImageNotFound()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Error(404, "No such image: 127.0.0.1:1/x:latest"));
        server.On("POST", "^/images/create", (_, c) => c.Error(500, "Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused"));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CreateAsync(Spec(), default));
        Assert.Equal("DockerVmImageNotFound", e.ErrorId);
        Assert.Contains("connection refused", e.StandardError);
    }

    [Theory]
    [InlineData(409, "Conflict. The container name \"/vm1\" is already in use by container \"abc\".", "DockerVmNameConflict")]
    [InlineData(400, "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", "DockerVmInvalidName")]
    [InlineData(400, "invalid reference format", "DockerVmImageNotFound")]
    [InlineData(500, "something broke", "DockerCommandFailed")]
    public async Task Create_errors_are_the_contracts(int status, string message, string errorId)
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Error(status, message));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CreateAsync(Spec(), default));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(message, e.StandardError);
        Assert.StartsWith("api POST /v1.41/containers/create", e.CommandLine);
        Assert.DoesNotContain("s3cret", e.Message + e.CommandLine);
    }

    [Fact]
    public async Task Create_translates_cli_flags_into_the_body()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/create", (_, c) => c.Json(201, $"{{\"Id\":\"{Id}\"}}"));
        await server.Engine().CreateAsync(Spec("vm1", "--memory", "64m", "--cpus=1.5", "-p", "127.0.0.1:8080:80", "-p", "53/udp",
            "-v", "/data", "-v", "vol:/v:ro", "--hostname", "h1", "-e", "X=y", "-l", "team=a", "--restart", "on-failure:3",
            "--cap-add", "NET_ADMIN", "--tmpfs", "/run:size=1m", "--add-host", "db:10.0.0.1", "--privileged", "-w", "/tmp",
            "--entrypoint", "", "--health-cmd", "true", "--health-interval", "1m30s", "--network", "none", "--init=false"), default);
        using var body = JsonDocument.Parse(server.Requests.Single(r => r.Target.StartsWith("/containers/create")).Body);
        var root = body.RootElement;
        var host = root.GetProperty("HostConfig");
        Assert.Equal(64L << 20, host.GetProperty("Memory").GetInt64());
        Assert.Equal(1_500_000_000L, host.GetProperty("NanoCpus").GetInt64());
        Assert.Equal("127.0.0.1", host.GetProperty("PortBindings").GetProperty("80/tcp")[0].GetProperty("HostIp").GetString());
        Assert.Equal("8080", host.GetProperty("PortBindings").GetProperty("80/tcp")[0].GetProperty("HostPort").GetString());
        Assert.Equal("", host.GetProperty("PortBindings").GetProperty("53/udp")[0].GetProperty("HostPort").GetString());
        Assert.True(root.GetProperty("ExposedPorts").TryGetProperty("53/udp", out _));
        Assert.True(root.GetProperty("Volumes").TryGetProperty("/data", out _));
        Assert.Equal("vol:/v:ro", host.GetProperty("Binds")[0].GetString());
        Assert.Equal("h1", root.GetProperty("Hostname").GetString());
        Assert.Contains("X=y", root.GetProperty("Env").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("a", root.GetProperty("Labels").GetProperty("team").GetString());
        Assert.Equal("on-failure", host.GetProperty("RestartPolicy").GetProperty("Name").GetString());
        Assert.Equal(3, host.GetProperty("RestartPolicy").GetProperty("MaximumRetryCount").GetInt32());
        Assert.Equal("NET_ADMIN", host.GetProperty("CapAdd")[0].GetString());
        Assert.Equal("size=1m", host.GetProperty("Tmpfs").GetProperty("/run").GetString());
        Assert.Equal("db:10.0.0.1", host.GetProperty("ExtraHosts")[0].GetString());
        Assert.True(host.GetProperty("Privileged").GetBoolean());
        Assert.Equal("/tmp", root.GetProperty("WorkingDir").GetString());
        Assert.Equal(new[] { "" }, root.GetProperty("Entrypoint").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(new[] { "CMD-SHELL", "true" }, root.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(90_000_000_000L, root.GetProperty("Healthcheck").GetProperty("Interval").GetInt64());
        Assert.Equal("none", host.GetProperty("NetworkMode").GetString());
        Assert.False(host.GetProperty("Init").GetBoolean());
    }

    [Fact]
    public async Task An_untranslated_flag_without_a_cli_is_a_clear_error_naming_it()
    {
        using var server = new FakeApiServer();
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CreateAsync(Spec("vm1", "--memory", "64m", "--device", "/dev/fuse"), default));
        Assert.Equal("DockerCliNotFound", e.ErrorId);
        Assert.Contains("'--device'", e.Message);
        Assert.Contains("--memory", e.RecommendedAction);
        Assert.Empty(server.Seen); // nothing reached the engine
    }

    [Fact]
    public void Describe_is_the_cli_transports_docker_command()
    {
        using var server = new FakeApiServer();
        var api = server.Engine(new DockerCli("ctx"));
        var cli = new DockerCli("ctx");
        foreach (EngineRequest r in new EngineRequest[]
                 {
                     new CreateRequest(Spec("vm1", "-p", "80")), new StartRequest(Id), new StopRequest(Id, 7), new PauseRequest(Id),
                     new UnpauseRequest(Id), new RemoveRequest(Id, true), new RemoveRequest(Id, false),
                 })
        {
            Assert.Equal(cli.Describe(r), api.Describe(r));
        }
        Assert.DoesNotContain("s3cret", api.Describe(new CreateRequest(Spec())));
    }

    // ---- changes: idempotency and errors ----------------------------------------------------------

    [Fact]
    public async Task Start_of_a_started_and_stop_of_a_stopped_container_succeed()
    {
        using var server = new FakeApiServer();
        server.On("POST", "/start$", (_, c) => c.Empty(304));
        server.On("POST", "/stop", (_, c) => c.Empty(304));
        var api = server.Engine();
        await api.StartAsync(Id, default);
        await api.StopAsync(Id, 5, default);
        Assert.Contains($"POST /containers/{Id}/stop?t=5", server.Seen);
    }

    [Fact]
    public async Task Pause_of_a_paused_container_succeeds_and_of_a_stopped_one_is_NotRunning()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/paused/pause$", (_, c) => c.Error(409, "Container paused is already paused"));
        server.On("POST", "^/containers/stopped/pause$", (_, c) => c.Error(409, "Container stopped is not running"));
        var api = server.Engine();
        await api.PauseAsync("paused", default);
        var e = await Assert.ThrowsAsync<DockerVmException>(() => api.PauseAsync("stopped", default));
        Assert.Equal("DockerVmNotRunning", e.ErrorId);
    }

    [Theory]
    [InlineData(404, "No such container: x", "DockerVmNotFound")]
    [InlineData(409, "removal of container x is already in progress", "DockerVmNotFound")]
    [InlineData(409, "You cannot remove a running container x. Stop the container before attempting removal or force remove", "DockerVmInvalidTransition")]
    [InlineData(500, "driver failed", "DockerCommandFailed")]
    public async Task Remove_errors_are_the_contracts(int status, string message, string errorId)
    {
        using var server = new FakeApiServer();
        server.On("DELETE", "^/containers/x", (_, c) => c.Error(status, message));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().RemoveAsync("x", false, default));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Contains("DELETE /containers/x?force=0", server.Seen);
    }

    [Fact]
    public async Task A_failed_start_is_CommandFailed_with_the_status_and_the_engines_words()
    {
        using var server = new FakeApiServer();
        server.On("POST", "/start$", (_, c) => c.Error(500, "OCI runtime create failed: exec: \"nope\": executable file not found"));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().StartAsync("vm1", default));
        Assert.Equal("DockerCommandFailed", e.ErrorId);
        Assert.Contains("HTTP 500", e.Message);
        Assert.Contains("executable file not found", e.StandardError);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
    }

    // ---- queries ----------------------------------------------------------------------------------

    [Fact]
    public async Task Inspect_leaves_missing_containers_out_and_keeps_the_order_asked()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/a/json$", (_, c) => c.Json(200, Inspect("aaa", "a", "running")));
        server.On("GET", "^/containers/b/json$", (_, c) => c.Json(200, Inspect("bbb", "b", "exited")));
        server.On("GET", "^/containers/gone/json$", (_, c) => c.Error(404, "No such container: gone"));
        var infos = await server.Engine().InspectAsync(new[] { "b", "gone", "a" }, default);
        Assert.Equal(new[] { "b", "a" }, infos.Select(i => i.Name));
        Assert.Equal(ContainerStatus.Exited, infos[0].State.Status);
        Assert.Equal("172.17.0.9", infos[1].IPAddress);
    }

    [Fact]
    public async Task List_is_one_request_with_the_label_filters_and_reads_a_chunked_answer()
    {
        using var server = new FakeApiServer();
        var json = "[" + Summary("id1", "vm1", "running", "172.17.0.2") + "," + Summary("id2", "vm2", "paused", "") + "]";
        // cut anywhere, even inside the chunk framing
        var chunked = $"{json.Length:x}\r\n{json}\r\n0\r\n\r\n";
        server.On("GET", "^/containers/json", (_, c) => c.Chunked(200, chunked.Substring(0, 3), chunked.Substring(3, 40), chunked.Substring(43)));
        var infos = await server.Engine().ListAsync(new[] { "dockervm.managed=true", "team=a b" }, default);
        var request = server.Requests.Single(r => r.Target.StartsWith("/containers/json"));
        Assert.Equal("/containers/json?all=1&filters=" + Uri.EscapeDataString("{\"label\":[\"dockervm.managed=true\",\"team=a b\"]}"), request.Target);
        Assert.Equal(new[] { "vm1", "vm2" }, infos.Select(i => i.Name));
        Assert.Equal(VmState.Running, infos[0].VmState);
        Assert.Equal("172.17.0.2", infos[0].IPAddress);
        Assert.Equal(VmState.Suspended, infos[1].VmState);
        Assert.True(infos[0].IsManaged);
    }

    [Fact]
    public async Task Logs_demultiplex_stdout_then_stderr()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/x/logs", (_, c) =>
        {
            var frames = FakeConnection.Frame(1, "out1\n").Concat(FakeConnection.Frame(2, "err1\n")).Concat(FakeConnection.Frame(1, "out2\n")).ToArray();
            c.Raw($"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nContent-Length: {frames.Length}\r\n\r\n");
            c.Raw(frames);
        });
        Assert.Equal("out1\nout2\nerr1", await server.Engine().LogsAsync("x", 20, default));
        Assert.Contains("GET /containers/x/logs?stdout=1&stderr=1&tail=20", server.Seen);
    }

    [Fact]
    public async Task Logs_of_a_tty_container_are_one_raw_stream()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/x/logs", (_, c) => c.Raw("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nplain text\r\n"));
        Assert.Equal("plain text", await server.Engine().LogsAsync("x", 5, default));
    }

    // ---- connections ------------------------------------------------------------------------------

    [Fact]
    public async Task Requests_share_a_kept_connection()
    {
        using var server = new FakeApiServer();
        server.On("POST", "/start$", (_, c) => c.Empty(204));
        var api = server.Engine();
        for (var i = 0; i < 5; i++)
        {
            await api.StartAsync(Id, default);
        }
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_kept_connection_the_engine_closed_is_replaced_without_an_error()
    {
        using var server = new FakeApiServer();
        // answers keep-alive, then closes the connection behind the client's back
        server.On("POST", "/start$", (_, c) =>
        {
            c.Empty(204);
            c.CloseAfter = true;
        });
        var api = server.Engine();
        await api.StartAsync(Id, default);
        await Task.Delay(100);
        await api.StartAsync(Id, default);
        await api.StartAsync(Id, default);
        Assert.Equal(3, server.Seen.Count);
    }

    [Fact]
    public async Task A_missing_socket_is_EngineUnavailable_at_once()
    {
        var api = new DockerApi("", () => Engine.Api.ApiTarget.Unix("/tmp/dockervm-no-such-dir/docker.sock"), null);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DockerVmException>(() => api.StartAsync(Id, default));
        Assert.Equal("DockerEngineUnavailable", e.ErrorId);
        Assert.True(e.IsFatal);
        Assert.Contains("/tmp/dockervm-no-such-dir/docker.sock", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_hung_engine_is_reported_dead_within_the_probe_bounds()
    {
        using var server = new FakeApiServer(answer: false);
        var api = server.Engine();
        api.PingDeadline = TimeSpan.FromMilliseconds(700);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DockerVmException>(() => api.StopAsync(Id, 10, default));
        Assert.Equal("DockerEngineUnavailable", e.ErrorId);
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("does not answer", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_slow_engine_that_answers_pings_is_waited_for()
    {
        using var server = new FakeApiServer();
        server.On("POST", "/stop", (_, c) =>
        {
            Thread.Sleep(2000); // past ProbeAfter and a few probes
            c.Empty(204);
        });
        await server.Engine().StopAsync(Id, 1, default);
        Assert.Contains(server.Requests, r => r.Target == "/_ping");
    }

    [Fact]
    public async Task Cancellation_ends_a_request_to_a_hung_engine_at_once()
    {
        using var server = new FakeApiServer(answer: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Engine().StartAsync(Id, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_cancelled_create_gives_the_engine_the_clis_grace_then_reports_the_cancellation()
    {
        using var server = new FakeApiServer();
        var answered = new TaskCompletionSource();
        server.On("POST", "^/containers/create", (_, c) =>
        {
            Thread.Sleep(400); // the engine is making it
            answered.TrySetResult(); // before the answer leaves: the client cannot see the answer before this is set
            c.Json(201, $"{{\"Id\":\"{Id}\"}}");
        });
        var api = server.Engine();
        await api.StartAsync("warm-up", default).ContinueWith(_ => { }); // negotiate first
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.CreateAsync(Spec(), cts.Token));
        // the answer was waited for (the caller's clean-up will find the container), and no longer than the grace
        Assert.True(answered.Task.IsCompleted);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task A_cancelled_create_on_a_hung_engine_ends_after_the_grace()
    {
        using var server = new FakeApiServer(answer: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Engine().CreateAsync(Spec(), cts.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public async Task Every_request_is_traced_with_the_transport_the_path_and_the_status()
    {
        using var server = new FakeApiServer();
        server.On("POST", "/start$", (_, c) => c.Empty(204));
        var events = new List<CommandTraceEvent>();
        using (CommandTrace.Begin(e => { lock (events) events.Add(e); }))
        {
            await server.Engine().StartAsync(Id, default);
        }
        var lines = events.Select(e => e.ToString()).ToList();
        Assert.Contains("> api GET /version", lines);
        Assert.Contains($"> api POST /v1.41/containers/{Id}/start", lines);
        Assert.Contains(lines, l => l.StartsWith("< ") && l.Contains("HTTP 204: api POST /v1.41/containers/"));
    }

    // ---- exec -------------------------------------------------------------------------------------

    // An engine whose image has sh: a wrapped exec (ExecRoot) first reports its pid on stderr, as the wrapper does.
    private static void ServeExec(FakeApiServer server, Func<FakeRequest, byte[][]> frames, int exitCode, Action<byte[]>? stdin = null)
    {
        string? preamble = null;
        server.On("POST", "^/containers/.*/exec$", (r, c) =>
        {
            preamble = WrapperPrefix(r);
            c.Json(201, "{\"Id\":\"e1\"}");
        });
        server.On("POST", "^/exec/e1/start$", (r, c) =>
        {
            c.Hijacked = true;
            c.Raw("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            if (preamble is not null)
            {
                c.Raw(FakeConnection.Frame(2, preamble + "42 777\n"));
            }
            if (stdin is not null)
            {
                stdin(c.ReadToEnd());
            }
            foreach (var f in frames(r))
            {
                c.Raw(f);
                Thread.Sleep(3); // separate reads
            }
            c.Close();
        });
        server.On("GET", "^/exec/e1/json$", (_, c) => c.Json(200, $"{{\"Running\":false,\"ExitCode\":{exitCode}}}"));
    }

    /// <summary>The preamble prefix of an exec create request that runs the wrapper; null when it runs the command as given.</summary>
    private static string? WrapperPrefix(FakeRequest create)
    {
        using var doc = JsonDocument.Parse(create.Body);
        var cmd = doc.RootElement.GetProperty("Cmd").EnumerateArray().Select(x => x.GetString()!).ToList();
        var m = System.Text.RegularExpressions.Regex.Match(cmd.Count > 2 ? cmd[2] : "", "DOCKERVM_EXEC [0-9a-f]{32} ");
        return cmd[0] == "sh" && m.Success ? m.Value : null;
    }

    private sealed class Observer : IExecObserver
    {
        public List<string> Lines { get; } = new();
        public void OnStandardOutput(string line) => Lines.Add("out:" + line);
        public void OnStandardError(string line) => Lines.Add("err:" + line);
    }

    [Fact]
    public async Task Exec_demultiplexes_frames_split_anywhere_into_lines()
    {
        using var server = new FakeApiServer();
        var all = FakeConnection.Frame(1, "héllo\nwor").Concat(FakeConnection.Frame(2, "oops\n")).Concat(FakeConnection.Frame(1, "ld\r\nlast")).ToArray();
        // every split point: header bytes, mid-payload, mid-UTF-8 character
        ServeExec(server, _ => all.Select(b => new[] { b }).ToArray(), 0);
        var observer = new Observer();
        var outcome = await server.Engine().ExecAsync("x", new ExecSpec { Command = "sh" }, observer, default);
        Assert.Equal(new[] { "out:héllo", "err:oops", "out:world", "out:last" }, observer.Lines);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.StandardOutput); // streamed: not kept
        Assert.Equal("oops\n", outcome.StandardError);
    }

    [Fact]
    public async Task Exec_without_observer_keeps_the_exact_text_and_the_exit_code()
    {
        using var server = new FakeApiServer();
        ServeExec(server, _ => new[] { FakeConnection.Frame(1, "a\r\nb"), FakeConnection.Frame(2, "e\n") }, 3);
        var outcome = await server.Engine().ExecAsync("x", new ExecSpec { Command = "sh" }, null, default);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("a\r\nb", outcome.StandardOutput);
        Assert.Equal("e\n", outcome.StandardError);
    }

    [Fact]
    public async Task Exec_sends_the_marker_environment_user_workdir_and_command()
    {
        using var server = new FakeApiServer();
        ServeExec(server, _ => Array.Empty<byte[]>(), 0);
        await server.Engine().ExecAsync("x", new ExecSpec
        {
            Command = "sh",
            Arguments = new[] { "-c", "echo $B" },
            Environment = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" },
            User = "nobody",
            WorkingDirectory = "/tmp",
        }, null, default);
        using var body = JsonDocument.Parse(server.Requests.Single(r => r.Target == "/containers/x/exec").Body);
        var root = body.RootElement;
        var env = root.GetProperty("Env").EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.StartsWith(DockerCommands.ExecMarkerVariable + "=", env[0]);
        Assert.Equal(new[] { "A=1", "B=2" }, env.Skip(1));
        Assert.Equal("nobody", root.GetProperty("User").GetString());
        Assert.Equal("/tmp", root.GetProperty("WorkingDir").GetString());
        // The command runs through the wrapper (ExecRoot): sh -c SCRIPT sh COMMAND ARGS..., the command's argv unchanged.
        var cmd = root.GetProperty("Cmd").EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.Equal(new[] { "sh", "-c" }, cmd.Take(2));
        Assert.Equal(new[] { "sh", "sh", "-c", "echo $B" }, cmd.Skip(3));
        Assert.Contains("DOCKERVM_EXEC " + env[0].Substring(DockerCommands.ExecMarkerVariable.Length + 1) + " ", cmd[2]);
        Assert.Contains("unset " + DockerCommands.ExecMarkerVariable + "; exec \"$@\"", cmd[2]);
        Assert.False(root.GetProperty("AttachStdin").GetBoolean());
        var start = server.Requests.Single(r => r.Target == "/exec/e1/start");
        Assert.Equal("Upgrade", start.Headers["Connection"]);
        Assert.Equal("tcp", start.Headers["Upgrade"]);
    }

    [Fact]
    public async Task Exec_writes_standard_input_then_half_closes()
    {
        using var server = new FakeApiServer();
        byte[]? received = null;
        ServeExec(server, _ => new[] { FakeConnection.Frame(1, "got it\n") }, 0, bytes => received = bytes);
        var outcome = await server.Engine().ExecAsync("x", new ExecSpec { Command = "cat", StandardInput = "line 1\nünï\n" }, null, default);
        Assert.Equal("line 1\nünï\n", Encoding.UTF8.GetString(received!)); // the server saw the end of input
        Assert.Equal("got it\n", outcome.StandardOutput);
        using var body = JsonDocument.Parse(server.Requests.Single(r => r.Target == "/containers/x/exec").Body);
        Assert.True(body.RootElement.GetProperty("AttachStdin").GetBoolean());
    }

    [Fact]
    public async Task The_engines_own_exec_failure_goes_to_stderr()
    {
        using var server = new FakeApiServer();
        ServeExec(server, _ => new[] { FakeConnection.Frame(1, "OCI runtime exec failed: exec: \"nope\": executable file not found\r\n") }, 126);
        var observer = new Observer();
        var streamed = await server.Engine().ExecAsync("x", new ExecSpec { Command = "nope" }, observer, default);
        Assert.Equal(126, streamed.ExitCode);
        Assert.Single(observer.Lines, l => l.StartsWith("err:OCI runtime exec failed"));
        var kept = await server.Engine().ExecAsync("x", new ExecSpec { Command = "nope" }, null, default);
        Assert.Equal("", kept.StandardOutput);
        Assert.StartsWith("OCI runtime exec failed", kept.StandardError);
    }

    [Theory]
    [InlineData(409, "Container x is not running", "DockerVmNotRunning")]
    [InlineData(409, "Container x is paused, unpause the container before exec", "DockerVmNotRunning")]
    [InlineData(404, "No such container: x", "DockerVmNotFound")]
    public async Task An_exec_the_engine_refuses_is_the_cli_paths_error(int status, string message, string errorId)
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/containers/x/exec$", (_, c) => c.Error(status, message));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().ExecAsync("x", new ExecSpec { Command = "true" }, null, default));
        Assert.Equal(errorId, e.ErrorId);
    }

    [Fact]
    public async Task Cancelling_an_exec_closes_the_stream_and_kills_the_process_in_the_container()
    {
        using var server = new FakeApiServer();
        var execs = 0;
        string? preamble = null;
        server.On("POST", "^/containers/x/exec$", (r, c) =>
        {
            if (Interlocked.Increment(ref execs) == 1)
            {
                preamble = WrapperPrefix(r);
                c.Json(201, "{\"Id\":\"e1\"}");
            }
            else
            {
                c.Json(201, "{\"Id\":\"kill1\"}");
            }
        });
        var closed = new TaskCompletionSource();
        server.On("POST", "^/exec/e1/start$", (_, c) =>
        {
            c.Hijacked = true;
            c.Raw("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            c.Raw(FakeConnection.Frame(2, preamble + "42 777\n")); // the wrapper: the exec's pid in the container, its start time
            c.Raw(FakeConnection.Frame(1, "started\n"));
            c.ReadToEnd(); // until the client closes its side
            closed.TrySetResult();
        });
        server.On("POST", "^/exec/kill1/start$", (_, c) => c.Json(200, "{}"));
        server.On("GET", "^/exec/kill1/json$", (_, c) => c.Json(200, "{\"Running\":false,\"ExitCode\":0}"));
        using var cts = new CancellationTokenSource();
        var run = server.Engine().ExecAsync("x", new ExecSpec { Command = "sleep", Arguments = new[] { "600" } }, new CancelOnFirstLine(cts), cts.Token);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var kill = server.Requests.Where(r => r.Target == "/containers/x/exec").Skip(1).Single();
        using var body = JsonDocument.Parse(kill.Body);
        var cmd = body.RootElement.GetProperty("Cmd").EnumerateArray().Select(x => x.GetString()!).ToList();
        var marker = JsonDocument.Parse(server.Requests.First(r => r.Target == "/containers/x/exec").Body).RootElement
            .GetProperty("Env")[0].GetString()!;
        Assert.Equal("0", body.RootElement.GetProperty("User").GetString()); // root: it may end any user's process
        Assert.Equal(new[] { "sh", "-c" }, cmd.Take(2));
        Assert.Contains("r=42; t=777", cmd[2]); // the session of the pid the wrapper reported ...
        Assert.Contains(marker, cmd[2]); // ... and of the processes that carry the marker
        Assert.Contains("kill -TERM", cmd[2]);
        Assert.Contains("kill -KILL", cmd[2]);
        Assert.Contains(server.Requests, r => r.Target == "/exec/kill1/start" && r.Text.Contains("\"Detach\":true"));
    }

    private sealed class CancelOnFirstLine : IExecObserver
    {
        private readonly CancellationTokenSource _cts;
        public CancelOnFirstLine(CancellationTokenSource cts) => _cts = cts;
        public void OnStandardOutput(string line) => _cts.Cancel();
        public void OnStandardError(string line) { }
    }

    // ---- fixtures ---------------------------------------------------------------------------------

    private static string Inspect(string id, string name, string status) =>
        $"{{\"Id\":\"{id}\",\"Name\":\"/{name}\",\"Created\":\"2024-05-01T10:00:00.123Z\",\"Image\":\"sha256:1\"," +
        $"\"State\":{{\"Status\":\"{status}\",\"Running\":{(status == "running" ? "true" : "false")},\"Pid\":42,\"ExitCode\":0}}," +
        "\"Config\":{\"Image\":\"img:1\",\"Labels\":{\"dockervm.managed\":\"true\"},\"Cmd\":[\"tail\",\"-f\",\"/dev/null\"]}," +
        "\"NetworkSettings\":{\"IPAddress\":\"172.17.0.9\",\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.9\"}}}}";

    internal static string Summary(string id, string name, string state, string ip) =>
        $"{{\"Id\":\"{id}\",\"Names\":[\"/{name}\"],\"Image\":\"img:1\",\"ImageID\":\"sha256:1\",\"Command\":\"tail -f /dev/null\",\"Created\":1714557600," +
        $"\"Ports\":[{{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"}},{{\"PrivatePort\":53,\"Type\":\"udp\"}}]," +
        $"\"Labels\":{{\"dockervm.managed\":\"true\",\"dockervm.image\":\"img:1\"}},\"State\":\"{state}\",\"Status\":\"Up 2 minutes\"," +
        $"\"NetworkSettings\":{{\"Networks\":{{\"custom\":{{\"IPAddress\":\"10.1.0.5\"}},\"bridge\":{{\"IPAddress\":\"{ip}\"}}}}}}}}";
}
