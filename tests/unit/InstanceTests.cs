using System.Diagnostics;
using System.Text.RegularExpressions;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// DockerVmInstance driven through DockerCli and the fake CLI: which engine calls each action
/// makes, the state it ends in, and that a refused action makes none.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class InstanceTests
{
    private const string Name = "unitfix-vm";
    private const string Image = "dockervm/busybox:latest";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private static DockerVmInstance Vm(FakeDocker fake, string? fixture = null, VmOptions? options = null)
    {
        var vm = new DockerVmInstance(fake.Cli(), Name, Image, options ?? new VmOptions { PollingIntervalMs = 10 });
        if (fixture is not null)
        {
            vm.Apply(Fixtures.One(fixture)); // the state the engine last reported, without an engine call
        }
        return vm;
    }

    [Fact]
    public async Task Stop_of_a_container_the_engine_says_is_not_running_ends_Stopped()
    {
        using var fake = new FakeDocker();
        fake.On("stop", stderr: "Error response from daemon: Container 173d9d4326ab is not running\n", exit: 1);
        var vm = Vm(fake, "running.json");
        Assert.Equal(VmState.Running, vm.State);

        await vm.StopAsync(null, None);

        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal("", vm.IPAddress);
        Assert.Equal(new[] { "stop", "--timeout", "10", Name }, fake.SingleCall());
    }

    [Fact]
    public async Task Stop_uses_the_given_timeout_and_is_idempotent_on_Stopped()
    {
        using var fake = new FakeDocker();
        var vm = Vm(fake, "running.json");

        await vm.StopAsync(0, None);
        await vm.StopAsync(3, None);

        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(new[] { new[] { "stop", "--timeout", "0", Name }, new[] { "stop", "--timeout", "3", Name } }, fake.Calls());
    }

    [Theory]
    [InlineData("created.json", "suspend")]   // Stopped: Suspend is not in the table
    [InlineData("created.json", "resume")]    // Resume only from Suspended
    [InlineData("running.json", "start")]
    [InlineData("running.json", "delete")]    // Running without -Force
    [InlineData("running.json", "clone")]
    [InlineData("paused.json", "stop")]
    [InlineData("paused.json", "clone")]
    public async Task A_refused_action_makes_no_engine_call(string fixture, string action)
    {
        using var fake = new FakeDocker();
        var vm = Vm(fake, fixture);
        var before = vm.State;

        Func<Task> run = action switch
        {
            "suspend" => () => vm.SuspendAsync(None),
            "resume" => () => vm.ResumeAsync(Minute, None),
            "start" => () => vm.StartAsync(Minute, None),
            "stop" => () => vm.StopAsync(null, None),
            "delete" => () => vm.DeleteAsync(false, None),
            "clone" => () => vm.CloneAsync(None),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        var e = await Assert.ThrowsAsync<DockerVmException>(run);

        Assert.Equal(DockerVmErrorKind.InvalidTransition, e.Kind);
        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Equal(before, e.State);
        Assert.Equal(Name, e.VmName);
        Assert.Contains(before.ToString(), e.Message);
        Assert.Equal(before, vm.State);
        Assert.True(fake.NeverCalled, "a refused action must not reach the engine");
    }

    [Fact]
    public async Task Suspend_from_Stopped_names_the_valid_actions()
    {
        using var fake = new FakeDocker();
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.SuspendAsync(None));

        Assert.Contains("Suspend", e.Message);
        Assert.Contains("Stopped", e.Message);
        Assert.Contains("Start, Stop, Delete", e.Message);
        Assert.Contains(Name, e.Message);
        Assert.True(fake.NeverCalled);
    }

    [Fact]
    public async Task Start_of_a_container_that_exits_fails_at_once_with_its_exit_code()
    {
        using var fake = new FakeDocker();
        fake.On("start", stdout: Name + "\n")
            .OnInspect("exited.json")
            .On("logs", stdout: "sh: boom\n");
        var vm = Vm(fake, "created.json");
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StartAsync(Minute, None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}: StartFailed must not wait out the timeout");
        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Equal("DockerVmStartFailed", e.ErrorId);
        Assert.Contains("exited with code 3", e.Message);
        Assert.Contains("sh: boom", e.Message);
        Assert.Equal(3, e.ExitCode);
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(VmState.Stopped, e.State);
        var calls = fake.Calls();
        Assert.Equal(new[] { "start", Name }, calls[0]);
        Assert.Equal(new[] { "inspect", "--type", "container", Name }, calls[1]);
        Assert.Equal(new[] { "logs", "--tail", "10", Name }, calls[2]);
        Assert.Equal(3, calls.Count);
    }

    [Fact]
    public async Task Start_waits_until_the_engine_reports_running_and_reads_the_address()
    {
        using var fake = new FakeDocker();
        fake.On("start", stdout: Name + "\n")
            .OnInspect("created.json", call: 1)
            .OnInspect("created.json", call: 2)
            .OnInspect("running.json");
        var vm = Vm(fake, "created.json");

        await vm.StartAsync(Minute, None);

        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal("172.17.0.2", vm.IPAddress);
        Assert.Equal(new[] { "start", "inspect", "inspect", "inspect" }, fake.Calls().Select(c => c[0]));
    }

    [Fact]
    public async Task Start_that_never_reaches_running_is_a_Timeout()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("created.json");
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StartAsync(TimeSpan.FromMilliseconds(200), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal(VmState.Stopped, vm.State);
    }

    [Fact]
    public async Task Start_from_Suspended_unpauses()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("running.json");
        var vm = Vm(fake, "paused.json");

        await vm.ResumeAsync(Minute, None);

        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(new[] { new[] { "unpause", Name }, new[] { "inspect", "--type", "container", Name } }, fake.Calls());
    }

    [Fact]
    public async Task Start_refused_by_the_engine_is_StartFailed_and_leaves_Stopped()
    {
        using var fake = new FakeDocker();
        fake.On("start", stderr: "Error response from daemon: failed to create task for container: exec: \"nosuch\": executable file not found in $PATH\nError: failed to start containers: unitfix-vm\n", exit: 1)
            .OnInspect("created.json");
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Contains("executable file not found", e.Message);
        Assert.Equal(VmState.Stopped, vm.State);
    }

    [Fact]
    public async Task Suspend_pauses_and_is_idempotent()
    {
        using var fake = new FakeDocker();
        fake.On("pause", call: 2, stderr: "Error response from daemon: Container 173d9d4326ab is already paused\n", exit: 1);
        var vm = Vm(fake, "running.json");

        await vm.SuspendAsync(None);
        Assert.Equal(VmState.Suspended, vm.State);
        Assert.Equal("", vm.IPAddress);
        await vm.SuspendAsync(None);
        Assert.Equal(VmState.Suspended, vm.State);

        Assert.Equal(new[] { new[] { "pause", Name }, new[] { "pause", Name } }, fake.Calls());
    }

    [Theory]
    [InlineData("created.json", new[] { "rm", "--force", Name })]  // the contract: docker rm --force NAME
    [InlineData("paused.json", new[] { "rm", "--force", Name })]
    public async Task Delete(string fixture, string[] argv)
    {
        using var fake = new FakeDocker();
        var vm = Vm(fake, fixture);

        await vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(argv, fake.SingleCall());
        Assert.Equal(new[] { VmAction.Clone }, vm.ValidActions);
    }

    [Fact]
    public async Task Delete_with_stop_first_stops_a_running_vm()
    {
        using var fake = new FakeDocker();
        var vm = Vm(fake, "running.json");

        await vm.DeleteAsync(true, None);

        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(new[] { new[] { "stop", "--timeout", "10", Name }, new[] { "rm", "--force", Name } }, fake.Calls());
    }

    [Fact]
    public async Task Delete_of_a_missing_container_is_NotFound_and_leaves_Deleted()
    {
        using var fake = new FakeDocker();
        fake.On("rm", stderr: $"Error response from daemon: No such container: {Name}\n", exit: 1);
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.DeleteAsync(false, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(VmState.Deleted, e.State);
    }

    [Fact]
    public async Task Clone()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n");
        var vm = Vm(fake, options: new VmOptions
        {
            StopTimeoutSec = 4,
            PollingIntervalMs = 50,
            ContainerCommand = new[] { "sleep", "infinity" },
            CreateArguments = new[] { "--memory", "64m" },
            Environment = new Dictionary<string, string> { ["KEY"] = "value" },
            Labels = new Dictionary<string, string> { ["team"] = "a b" },
        });
        Assert.Equal(VmState.Initial, vm.State);

        await vm.CloneAsync(None);

        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal("0123abcd", vm.ContainerId);
        Assert.NotNull(vm.CreatedAt);
        var argv = fake.SingleCall();
        var token = Regex.Match(string.Join("\n", argv), "dockervm.create-token=([0-9a-f]{32})").Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.Equal(new[]
        {
            "create", "--init", "--name", Name,
            "--label", "dockervm.command=[\"sleep\",\"infinity\"]",
            "--label", "dockervm.create-token=" + token,
            "--label", "dockervm.image=" + Image,
            "--label", "dockervm.managed=true",
            "--label", "dockervm.polling-interval=50",
            "--label", "dockervm.stop-timeout=4",
            "--label", "team=a b",
            "--env", "KEY=value",
            "--memory", "64m",
            Image,
            "sleep", "infinity",
        }, argv);
    }

    [Fact]
    public async Task Clone_runs_the_default_container_command()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: "0123abcd\n");
        var vm = Vm(fake);

        await vm.CloneAsync(None);

        Assert.Equal(new[] { Image, "tail", "-f", "/dev/null" }, fake.SingleCall().TakeLast(4));
    }

    [Fact]
    public async Task A_failed_clone_removes_only_what_it_made()
    {
        using var fake = new FakeDocker();
        fake.On("create", exit: 125, stderr: "Unable to find image '127.0.0.1:1/nosuch:latest' locally\n" +
                                             "Error response from daemon: Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused\n")
            .On("ps", stdout: "fedcba98\n");
        var vm = Vm(fake);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.ImageNotFound, e.Kind);
        Assert.Equal(VmState.Initial, vm.State);
        var calls = fake.Calls();
        Assert.Equal(3, calls.Count);
        var token = Regex.Match(string.Join("\n", calls[0]), "dockervm.create-token=([0-9a-f]{32})").Groups[1].Value;
        Assert.Equal(new[] { "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=dockervm.create-token=" + token }, calls[1]);
        Assert.Equal(new[] { "rm", "--force", "fedcba98" }, calls[2]);
    }

    [Fact]
    public async Task A_name_conflict_leaves_the_other_container_alone()
    {
        using var fake = new FakeDocker();
        fake.On("create", exit: 125, stderr: $"Error response from daemon: Conflict. The container name \"/{Name}\" is already in use by container \"f95561da5aab\". You have to remove (or rename) that container to be able to reuse that name.\n");
        var vm = Vm(fake);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.NameConflict, e.Kind);
        Assert.Equal(VmState.Initial, vm.State);
        Assert.Equal("create", fake.SingleCall()[0]);
    }

    [Fact]
    public async Task Clone_when_the_engine_is_down_keeps_the_state()
    {
        using var fake = new FakeDocker();
        fake.On("create", exit: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");
        var vm = Vm(fake);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.Equal(VmState.Initial, vm.State);
    }

    [Fact]
    public async Task Exec_on_a_vm_that_is_not_running_is_NotRunning_without_an_exec()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("created.json");
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None));

        Assert.Equal(DockerVmErrorKind.NotRunning, e.Kind);
        Assert.Equal("DockerVmNotRunning", e.ErrorId);
        Assert.Equal(new[] { "inspect" }, fake.Calls().Select(c => c[0]));
    }

    [Fact]
    public async Task Exec_on_a_running_vm()
    {
        using var fake = new FakeDocker();
        fake.On("exec", stdout: "hello\n", exit: 2);
        var vm = Vm(fake, "running.json");

        var r = await vm.ExecAsync(new ExecSpec { Command = "echo", Arguments = new[] { "hello" } }, null, null, None);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("hello\n", r.StandardOutput);
        Assert.Equal(new[] { Name, "echo", "hello" }, fake.SingleCall().TakeLast(3));
    }

    [Fact]
    public async Task Exec_past_its_timeout_is_a_Timeout()
    {
        using var fake = new FakeDocker();
        fake.On("exec", call: 1, sleepSec: 30).On("exec", call: 2);
        var vm = Vm(fake, "running.json");
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            vm.ExecAsync(new ExecSpec { Command = "sleep", Arguments = new[] { "100" } }, null, TimeSpan.FromMilliseconds(300), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal("DockerVmTimeout", e.ErrorId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(VmState.Running, vm.State);
    }

    [Fact]
    public async Task Refresh_of_a_missing_container_is_Deleted()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stdout: "[]\n", stderr: $"Error response from daemon: No such container: {Name}\n", exit: 1);
        var vm = Vm(fake, "created.json");

        Assert.Equal(VmState.Deleted, await vm.RefreshAsync(None));
        Assert.Equal(new[] { VmAction.Clone }, vm.ValidActions);
    }

    [Fact]
    public async Task Refresh_of_a_vm_never_cloned_stays_Initial()
    {
        using var fake = new FakeDocker();
        fake.On("inspect", stdout: "[]\n", stderr: $"Error response from daemon: No such container: {Name}\n", exit: 1);
        var vm = Vm(fake);

        Assert.Equal(VmState.Initial, await vm.RefreshAsync(None));
    }

    [Fact]
    public async Task Properties_are_read_live()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("exited.json");
        var vm = Vm(fake, "running.json");

        var p = await vm.GetPropertiesAsync(None);

        Assert.Equal(VmState.Stopped, p.State);
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(3, p.ExitCode);
        Assert.Equal("exited", p.Status);
        Assert.Equal("", p.IPAddress);
        Assert.Equal(new[] { "sh", "-c", "exit 3" }, p.ContainerCommand);
    }

    [Fact]
    public async Task Wait_for_a_state_that_does_not_come_is_a_Timeout()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("created.json");
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.WaitForStateAsync(VmState.Running, TimeSpan.FromMilliseconds(100), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal(VmState.Stopped, e.State);
    }

    [Fact]
    public async Task Wait_returns_when_the_state_comes()
    {
        using var fake = new FakeDocker();
        fake.OnInspect("created.json", call: 1).OnInspect("running.json");
        var vm = Vm(fake, "created.json");

        await vm.WaitForStateAsync(VmState.Running, Minute, None);

        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(2, fake.Calls().Count);
    }

    [Fact]
    public async Task A_failed_action_whose_outcome_cannot_be_read_back_is_ErrorUnknown()
    {
        using var fake = new FakeDocker();
        fake.On("stop", exit: 1, stderr: "Error response from daemon: cannot stop container: tried to kill container, but did not receive an exit event\n")
            .On("inspect", exit: 1, stderr: "Error response from daemon: inspect failed for an unknown reason\n");
        var vm = Vm(fake, "running.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StopAsync(null, None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal(VmState.ErrorUnknown, vm.State);
        Assert.Equal(VmState.ErrorUnknown, e.State);
        Assert.Equal(new[] { VmAction.Delete }, vm.ValidActions);
    }

    [Fact]
    public async Task A_failed_action_whose_outcome_is_read_back_takes_the_engines_state()
    {
        using var fake = new FakeDocker();
        fake.On("stop", exit: 1, stderr: "Error response from daemon: cannot stop container: tried to kill container, but did not receive an exit event\n")
            .OnInspect("running.json");
        var vm = Vm(fake, "running.json");

        await Assert.ThrowsAsync<DockerVmException>(() => vm.StopAsync(null, None));

        Assert.Equal(VmState.Running, vm.State);
    }

    [Fact]
    public async Task Delete_of_a_missing_container_is_NotFound_even_when_rm_force_exits_0()
    {
        using var fake = new FakeDocker();
        fake.On("rm", stderr: $"Error response from daemon: No such container: {Name}\n", exit: 0);
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.DeleteAsync(false, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, vm.State);
    }

    [Fact]
    public async Task An_unanswered_command_leaves_the_state_to_be_read_back_not_assumed()
    {
        using var fake = new FakeDocker();
        fake.On("start", exit: 0)
            .On("inspect", exit: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");
        var vm = Vm(fake, "created.json");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.True(e.OutcomeUnknown);
        Assert.Equal(VmState.ErrorUnknown, vm.State); // started, then the engine went away: not "Stopped"
    }
}
