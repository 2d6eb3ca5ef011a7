using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The argv DockerCli gives the CLI, read back from fake-docker.sh's log, and how it reads the
/// CLI's answers. The fake is a real process, so this is the same path the module takes.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class DockerCliTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static CreateSpec Spec(bool init = true) => new()
    {
        Name = "vm1",
        Image = "dockervm/busybox:latest",
        Labels = new Dictionary<string, string> { ["zz"] = "last", ["dockervm.managed"] = "true", ["note"] = "two words" },
        Environment = new Dictionary<string, string> { ["TOKEN"] = "s3cret value", ["A"] = "1" },
        CreateArguments = new[] { "--memory", "64m", "--cpus", "0.5" },
        ContainerCommand = new[] { "tail", "-f", "/dev/null" },
        Init = init,
    };

    [Fact]
    public async Task Create()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n");

        var id = await fake.Cli().CreateAsync(Spec(), None);

        Assert.Equal("0123abcd", id);
        var argv = fake.SingleCall();
        var envFile = argv[argv.ToList().IndexOf("--env-file") + 1];
        Assert.Equal(new[]
        {
            "create", "--init", "--name", "vm1",
            "--label", "dockervm.managed=true", "--label", "note=two words", "--label", "zz=last",
            "--env-file", envFile,
            "--memory", "64m", "--cpus", "0.5",
            "--", "dockervm/busybox:latest",
            "tail", "-f", "/dev/null",
        }, argv);
    }

    [Fact]
    public async Task Create_without_init_and_with_the_images_command()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n");
        var spec = new CreateSpec { Name = "vm1", Image = "img", Init = false };

        await fake.Cli().CreateAsync(spec, None);

        Assert.Equal(new[] { "create", "--name", "vm1", "--", "img" }, fake.SingleCall());
    }

    [Fact]
    public async Task Create_takes_the_id_from_the_last_line()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "WARNING: The requested image's platform does not match\n0123abcd\n\n");

        Assert.Equal("0123abcd", await fake.Cli().CreateAsync(Spec(), None));
    }

    [Fact]
    public async Task Create_that_prints_no_id_is_CommandFailed()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CreateAsync(Spec(), None));
        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
    }

    [Fact]
    public void Display_masks_environment_values_only()
    {
        var args = DockerCommands.Create(null, Spec(), null);
        var shown = args.Display("docker");

        Assert.Contains("--env A=***", shown);
        Assert.Contains("--env TOKEN=***", shown);
        Assert.DoesNotContain("s3cret", shown);
        Assert.Contains("--label 'note=two words'", shown);
        Assert.StartsWith("docker create --init --name vm1 ", shown);
        Assert.Contains("TOKEN=s3cret value", args.Actual);
        Assert.DoesNotContain(args.Shown, a => a.Contains("s3cret"));
        Assert.Equal(args.Actual.Count, args.Shown.Count);
    }

    [Fact]
    public async Task The_trace_and_the_error_leave_out_DockerVms_own_labels_and_the_exec_marker_which_still_run()
    {
        using var fake = new FakeDocker();
        fake.On("create", stderr: "Error response from daemon: something broke\n", exit: 125).On("exec", stdout: "ok\n");
        var spec = new CreateSpec
        {
            Name = "vm1",
            Image = "img",
            Labels = new Dictionary<string, string>(Labels.For("img", new VmOptions(), "tok")) { ["team"] = "blue", ["dockervm.test"] = "run1", [Pools.PoolNames.PoolLabel] = "p" },
        };
        var traced = new List<string>();
        DockerVmException e;
        using (CommandTrace.Begin(t => traced.Add(t.ToString())))
        {
            e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CreateAsync(spec, None));
            await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "true", Environment = new Dictionary<string, string> { ["K"] = "v" } }, null, None);
        }

        var calls = fake.CallsBut("inspect");
        Assert.Contains("dockervm.managed=true", calls[0]); // sent to docker as ever
        Assert.Contains(calls[1], a => a.StartsWith(DockerCommands.ExecMarkerVariable + "=", StringComparison.Ordinal));
        traced.RemoveAll(t => t.Contains(" inspect ")); // the exec reads the container's environment first
        Assert.Equal(4, traced.Count);
        foreach (var text in traced.Append(e.Message).Append(e.CommandLine!))
        {
            Assert.DoesNotContain("dockervm.managed", text);
            Assert.DoesNotContain("dockervm.create-token", text);
            Assert.DoesNotContain("dockervm.pool", text);
            Assert.DoesNotContain(DockerCommands.ExecMarkerVariable, text);
        }
        Assert.Equal($"> {fake.Program} create --init --name vm1 --label dockervm.test=run1 --label team=blue -- img", traced[0]);
        Assert.Contains($"> {fake.Program} exec --env K=*** vm1 true", traced);
        Assert.Contains("something broke", e.Message);
        Assert.Contains("--label team=blue", e.CommandLine);
    }

    [Fact]
    public void WhatIf_shows_every_label_the_trace_only_the_users()
    {
        var spec = new CreateSpec { Name = "vm1", Image = "img", Labels = new Dictionary<string, string> { ["dockervm.managed"] = "true", ["team"] = "blue" } };
        var args = DockerCommands.Create(null, spec, null);

        Assert.Equal("docker create --init --name vm1 --label dockervm.managed=true --label team=blue -- img", args.Display("docker"));
        Assert.Equal("docker create --init --name vm1 --label team=blue -- img", args.Traced("docker"));
        Assert.Equal("docker create --init --name vm1 --label dockervm.managed=true --label team=blue -- img", new DockerCli(null, program: "docker").Describe(new CreateRequest(spec)));
    }

    [Fact]
    public async Task Environment_values_never_reach_the_command_line()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n");
        var spec = new CreateSpec
        {
            Name = "vm1",
            Image = "img",
            Environment = new Dictionary<string, string> { ["TOKEN"] = "s3cret value", ["MULTI"] = "line1\nline2" },
        };

        await fake.Cli().CreateAsync(spec, None);

        var argv = fake.SingleCall();
        Assert.DoesNotContain(argv, a => a.Contains("s3cret") || a.Contains("line1"));
        var file = argv[argv.ToList().IndexOf("--env-file") + 1];
        Assert.False(File.Exists(file), "the env file is deleted when the command ends");
        Assert.Contains("MULTI", argv);           // by name: the value travels in the client's environment
        Assert.Equal(new[] { "--", "img" }, argv.SkipWhile(a => a != "--").ToArray());
    }

    [Fact]
    public void Display_quotes_what_a_shell_would_split()
    {
        var args = new CliArguments().Add("exec").Add("vm1").Add("sh").Add("-c").Add("echo 'hi' $HOME; ls").Add("");
        Assert.Equal("docker exec vm1 sh -c 'echo '\\''hi'\\'' $HOME; ls' ''", args.Display("docker"));
    }

    [Fact]
    public async Task A_failed_command_reports_the_masked_command_line()
    {
        using var fake = new FakeDocker();
        fake.On("create", stderr: "Error response from daemon: something odd\n", exit: 125);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CreateAsync(Spec(), None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal(125, e.ExitCode);
        Assert.Contains("something odd", e.Message);
        Assert.Contains("--env TOKEN=***", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
        Assert.DoesNotContain("s3cret", e.CommandLine);
        Assert.StartsWith(fake.Program + " create --init", e.CommandLine);
    }

    [Fact]
    public async Task Start()
    {
        using var fake = new FakeDocker();
        await fake.Cli().StartAsync("vm1", None);
        Assert.Equal(new[] { "start", "vm1" }, fake.SingleCall());
    }

    [Theory]
    [InlineData(10, "10")]
    [InlineData(0, "0")]
    [InlineData(3600, "3600")]
    public async Task Stop(int timeout, string shown)
    {
        using var fake = new FakeDocker();
        await fake.Cli().StopAsync("vm1", timeout, None);
        Assert.Equal(new[] { "stop", "--timeout", shown, "vm1" }, fake.SingleCall());
    }

    [Fact]
    public async Task Pause_and_unpause()
    {
        using var fake = new FakeDocker();
        await fake.Cli().PauseAsync("vm1", None);
        await fake.Cli().UnpauseAsync("vm1", None);
        Assert.Equal(new[] { new[] { "pause", "vm1" }, new[] { "unpause", "vm1" } }, fake.Calls());
    }

    [Fact]
    public async Task Remove_with_and_without_force()
    {
        using var fake = new FakeDocker();
        await fake.Cli().RemoveAsync("vm1", force: false, None);
        await fake.Cli().RemoveAsync("vm1", force: true, None);
        Assert.Equal(new[] { new[] { "rm", "vm1" }, new[] { "rm", "--force", "vm1" } }, fake.Calls());
    }

    [Fact]
    public async Task List_ids()
    {
        using var fake = new FakeDocker();
        fake.On("ps", stdout: "aaa\n\nbbb\naaa\n");

        var ids = await fake.Cli().ListIdsAsync(new[] { Labels.ManagedFilter }, None);

        Assert.Equal(new[] { "aaa", "bbb" }, ids);
        Assert.Equal(new[] { "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=dockervm.managed=true" }, fake.SingleCall());
    }

    [Fact]
    public async Task Inspect()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("two.json");

        var infos = await fake.Cli().InspectAsync(new[] { "a", "b" }, None);

        Assert.Equal(new[] { "unitfix-running", "unitfix-exited" }, infos.Select(i => i.Name));
        Assert.Equal(new[] { "inspect", "--type", "container", "a", "b" }, fake.SingleCall());
    }

    [Fact]
    public async Task Inspect_of_nothing_makes_no_call()
    {
        using var fake = new FakeDocker();
        Assert.Empty(await fake.Cli().InspectAsync(Array.Empty<string>(), None));
        Assert.True(fake.NeverCalled);
    }

    [Fact]
    public async Task Inspect_with_a_missing_name_returns_the_ones_found()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stdout: Fixtures.Read("partial.json"), stderr: "Error response from daemon: No such container: unitfix-nosuch\n", exit: 1);

        var infos = await fake.Cli().InspectAsync(new[] { "unitfix-running", "unitfix-nosuch" }, None);

        Assert.Equal("unitfix-running", Assert.Single(infos).Name);
    }

    [Fact]
    public async Task Inspect_of_only_missing_names_is_empty()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stdout: "[]\n", stderr: "Error response from daemon: No such container: x\n", exit: 1);

        Assert.Empty(await fake.Cli().InspectAsync(new[] { "x" }, None));
    }

    [Fact]
    public async Task Inspect_that_prints_no_json_is_CommandFailed()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stdout: "{\"not\": \"an array\"}");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().InspectAsync(new[] { "x" }, None));
        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Contains("not inspect JSON", e.Message);
    }

    [Fact]
    public async Task Inspect_when_the_engine_is_down_is_EngineUnavailable()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().InspectAsync(new[] { "x" }, None));
        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
    }

    [Fact]
    public async Task Logs()
    {
        using var fake = new FakeDocker();
        fake.On("logs", stdout: "out line\n", stderr: "err line\n");

        var text = await fake.Cli().LogsAsync("vm1", 10, None);

        Assert.Contains("out line", text);
        Assert.Contains("err line", text);
        Assert.Equal(new[] { "logs", "--tail", "10", "vm1" }, fake.SingleCall());
    }

    [Fact]
    public async Task No_such_container_from_the_cli_is_NotFound()
    {
        using var fake = new FakeDocker();
        fake.On("start", stderr: "Error response from daemon: No such container: vm1\nError: failed to start containers: vm1\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().StartAsync("vm1", None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal("DockerVmNotFound", e.ErrorId);
        Assert.Equal("vm1", e.VmName);
        Assert.Equal(1, e.ExitCode);
        Assert.Equal(fake.Program + " start vm1", e.CommandLine);
    }

    [Fact]
    public async Task A_missing_program_is_CliNotFound()
    {
        using var fake = new FakeDocker();
        var cli = new DockerCli(program: Path.Combine(fake.Dir, "no-such-docker"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => cli.ListIdsAsync(new[] { Labels.ManagedFilter }, None));

        Assert.Equal(DockerVmErrorKind.CliNotFound, e.Kind);
        Assert.Equal("DockerCliNotFound", e.ErrorId);
        Assert.True(e.IsFatal);
        Assert.Contains("no-such-docker", e.Message);
        Assert.Contains(DockerCli.CliVariable, e.RecommendedAction);
    }

    [Fact]
    public void The_program_is_docker_unless_named()
    {
        Assert.Equal("/opt/x/podman", new DockerCli(program: "/opt/x/podman").Program);
        Assert.Equal("", new DockerCli().Context);
        Assert.Equal("ctx1", new DockerCli("ctx1").Context);
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DockerCli.CliVariable)))
        {
            Assert.Equal("docker", new DockerCli().Program);
        }
    }

    public static IEnumerable<object[]> Operations() => new[]
    {
        new object[] { "create", new[] { "create", "--init", "--name", "vm1" } },
        new object[] { "start", new[] { "start", "vm1" } },
        new object[] { "stop", new[] { "stop", "--timeout", "5", "vm1" } },
        new object[] { "pause", new[] { "pause", "vm1" } },
        new object[] { "unpause", new[] { "unpause", "vm1" } },
        new object[] { "rm", new[] { "rm", "--force", "vm1" } },
        new object[] { "ps", new[] { "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=dockervm.managed=true" } },
        new object[] { "inspect", new[] { "inspect", "--type", "container", "vm1" } },
        new object[] { "logs", new[] { "logs", "--tail", "10", "vm1" } },
        new object[] { "exec", new[] { "exec", "--env" } },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_command_carries_the_context_first(string operation, string[] start)
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n").On("inspect", stdout: "[]");
        var cli = fake.Cli("ctx 1");
        Task run = operation switch
        {
            "create" => cli.CreateAsync(new CreateSpec { Name = "vm1", Image = "img" }, None),
            "start" => cli.StartAsync("vm1", None),
            "stop" => cli.StopAsync("vm1", 5, None),
            "pause" => cli.PauseAsync("vm1", None),
            "unpause" => cli.UnpauseAsync("vm1", None),
            "rm" => cli.RemoveAsync("vm1", true, None),
            "ps" => cli.ListIdsAsync(new[] { Labels.ManagedFilter }, None),
            "inspect" => cli.InspectAsync(new[] { "vm1" }, None),
            "logs" => cli.LogsAsync("vm1", 10, None),
            "exec" => cli.ExecAsync("vm1", new ExecSpec { Command = "true" }, null, None),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        await run;

        var argv = operation == "inspect" ? fake.SingleCall() : fake.SingleCallBut("inspect");
        Assert.Equal(new[] { "--context", "ctx 1" }, argv.Take(2));
        Assert.Equal(start, argv.Skip(2).Take(start.Length));
        // without a context, no --context at all
        Assert.Equal(new[] { "--context", "ctx 1" }.Concat(DockerCommands.Begin(null, operation).Actual), DockerCommands.Begin("ctx 1", operation).Actual);
        Assert.Equal(new[] { operation }, DockerCommands.Begin("", operation).Actual);
    }
}

/// <summary>docker exec through the fake: argv, stdin, exact output, exit codes and daemon refusals.</summary>
[Collection(FakeCliCollection.Name)]
public class DockerCliExecTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string Marker(string[] argv)
    {
        var i = Array.IndexOf(argv, "--env");
        Assert.True(i >= 0);
        Assert.StartsWith(DockerCommands.ExecMarkerVariable + "=", argv[i + 1]);
        var marker = argv[i + 1].Substring(DockerCommands.ExecMarkerVariable.Length + 1);
        Assert.Matches("^[0-9a-f]{32}$", marker);
        return marker;
    }

    // The exec wrapper (ExecRoot) around the command: sh -c SCRIPT sh COMMAND ARGS...; returns argv without it.
    private static string[] Unwrapped(string[] argv)
    {
        var i = Array.IndexOf(argv, "-c") - 1;
        Assert.Equal("sh", argv[i]);
        Assert.Contains("DOCKERVM_EXEC " + Marker(argv) + " ", argv[i + 2]);
        Assert.Equal("sh", argv[i + 3]);
        return argv.Take(i).Concat(argv.Skip(i + 4)).ToArray();
    }

    [Fact]
    public async Task Exec_with_every_option()
    {
        using var fake = new FakeDocker();
        var spec = new ExecSpec
        {
            Command = "sh",
            Arguments = new[] { "-c", "echo \"$HOME\"; echo 'it''s'", "line1\nline2", "naïve ✓ 日本", "", " lead and trail ", "a\\b", "*" },
            Environment = new Dictionary<string, string> { ["Z"] = "last", ["PASSWORD"] = "p@ss w0rd;$x" },
            WorkingDirectory = "/tmp/work dir",
            User = "nobody:nogroup",
        };

        await fake.Cli().ExecAsync("vm1", spec, null, None);

        var argv = Unwrapped(fake.SingleCallBut("inspect"));
        var marker = Marker(argv);
        Assert.Equal(new[]
        {
            "exec",
            "--env", DockerCommands.ExecMarkerVariable + "=" + marker,
            "--env-file", argv[argv.ToList().IndexOf("--env-file") + 1],
            "--workdir", "/tmp/work dir",
            "--user", "nobody:nogroup",
            "vm1",
            "sh", "-c", "echo \"$HOME\"; echo 'it''s'", "line1\nline2", "naïve ✓ 日本", "", " lead and trail ", "a\\b", "*",
        }, argv);
    }

    [Fact]
    public async Task Exec_without_stdin_is_not_interactive()
    {
        using var fake = new FakeDocker();

        await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "true" }, null, None);

        var argv = fake.SingleCallBut("inspect");
        Assert.DoesNotContain("--interactive", argv);
        Assert.DoesNotContain("--workdir", argv);
        Assert.DoesNotContain("--user", argv);
        Assert.Equal(new[] { "exec", "--env", DockerCommands.ExecMarkerVariable + "=" + Marker(argv), "vm1", "true" }, Unwrapped(argv));
    }

    [Fact]
    public async Task Exec_with_stdin_is_interactive_and_passes_the_text()
    {
        using var fake = new FakeDocker();
        fake.RecordStdin();
        const string input = "first line\nsecond ünïcode line\nno newline at end";

        await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "cat", StandardInput = input }, null, None);

        var argv = fake.SingleCallBut("inspect");
        Assert.Equal("exec", argv[0]);
        Assert.Equal("--interactive", argv[1]);
        Assert.Equal(new[] { "vm1", "cat" }, Unwrapped(argv).TakeLast(2));
        Assert.Equal(input, File.ReadAllText(fake.StdinLogPath));
    }

    [Fact]
    public async Task Exec_with_empty_stdin_is_still_interactive()
    {
        using var fake = new FakeDocker();
        await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "cat", StandardInput = "" }, null, None);
        Assert.Contains("--interactive", fake.SingleCallBut("inspect"));
    }

    [Fact]
    public void Exec_display_masks_the_environment_but_not_the_marker()
    {
        var spec = new ExecSpec { Command = "env", Environment = new Dictionary<string, string> { ["PASSWORD"] = "hunter2" } };
        var shown = DockerCommands.Exec(null, "vm1", spec, "m1", null).Display("docker");

        Assert.Equal("docker exec --env DOCKERVM_EXEC_ID=m1 --env PASSWORD=*** vm1 env", shown);
    }

    [Fact]
    public void Exec_display_shows_the_command_not_the_wrapper_that_runs_it()
    {
        var spec = new ExecSpec { Command = "echo", Arguments = new[] { "hi" } };
        var root = new ExecRoot(wrapped: true);
        var args = DockerCommands.Exec(null, "vm1", spec, root.Marker, null, root.Command(spec));

        Assert.Equal("docker exec --env DOCKERVM_EXEC_ID=" + root.Marker + " vm1 echo hi", args.Display("docker"));
        Assert.Equal(new[] { "vm1", "sh", "-c" }, args.Actual.Skip(3).Take(3));
        Assert.Equal(new[] { "sh", "echo", "hi" }, args.Actual.Skip(7));
    }

    [Fact]
    public async Task Exec_returns_exact_output_and_a_nonzero_exit_code()
    {
        using var fake = new FakeDocker();
        fake.On("exec", stdout: "  out 1\nout 2  \n\n", stderr: "progress...\nwarn\n", exit: 7);
        var observer = new Collect();

        var r = await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "tool" }, observer, None);

        Assert.Equal(7, r.ExitCode);
        Assert.Equal("", r.StandardOutput);                    // streamed: not kept (constant memory)
        Assert.Equal("progress...\nwarn\n", r.StandardError);  // its tail is kept for the error message
        Assert.Equal(new[] { "  out 1", "out 2  ", "" }, observer.Out);
        Assert.Equal(new[] { "progress...", "warn" }, observer.Err);
    }

    [Fact]
    public async Task Exec_without_an_observer_keeps_the_exact_text()
    {
        using var fake = new FakeDocker();
        fake.On("exec", stdout: "  out 1\nout 2  \n\n", stderr: "progress...\nwarn\n", exit: 7);

        var r = await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "tool" }, null, None);

        Assert.Equal(7, r.ExitCode);
        Assert.Equal("  out 1\nout 2  \n\n", r.StandardOutput);
        Assert.Equal("progress...\nwarn\n", r.StandardError);
    }

    [Fact]
    public async Task Exec_refused_by_the_daemon_is_an_error_not_an_exit_code()
    {
        using var fake = new FakeDocker();
        fake.On("exec", stderr: "Error response from daemon: Container 0123abcd is not running\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "true" }, null, None));
        Assert.Equal(DockerVmErrorKind.NotRunning, e.Kind);
    }

    [Fact]
    public async Task Exec_of_a_command_whose_stderr_says_not_running_is_still_its_exit_code()
    {
        // the process in the container wrote this, not the daemon
        using var fake = new FakeDocker();
        fake.On("exec", stderr: "service foo is not running\n", exit: 3);

        var r = await fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "check" }, null, None);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public async Task Cancelled_exec_ends_the_process_inside_the_container()
    {
        using var fake = new FakeDocker();
        fake.On("exec", call: 1, sleepSec: 30).On("exec", call: 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fake.Cli().ExecAsync("vm1", new ExecSpec { Command = "sleep", Arguments = new[] { "100" } }, null, cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var calls = fake.CallsBut("inspect");
        Assert.Equal(2, calls.Count);
        var marker = Marker(calls[0]);
        Assert.Equal(new[] { "exec", "--user", "0", "vm1", "sh", "-c" }, calls[1].Take(6)); // as root: it may end any user's process
        Assert.Contains("r=42; t=777", calls[1][6]); // the session of the pid the wrapper reported ...
        Assert.Contains(DockerCommands.ExecMarkerVariable + "=" + marker, calls[1][6]); // ... and of the processes that carry the marker
    }

    private sealed class Collect : IExecObserver
    {
        public List<string> Out { get; } = new();
        public List<string> Err { get; } = new();
        public void OnStandardOutput(string line) { lock (Out) { Out.Add(line); } }
        public void OnStandardError(string line) { lock (Err) { Err.Add(line); } }
    }
}
