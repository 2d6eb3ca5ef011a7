using System.Diagnostics;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// DockerVmInstance against the in-memory engine (Fakes/FakeEngine.cs): the state each action
/// ends in, the outcome it reports, and which typed operations reached the engine, on which
/// container. No process is started: these run anywhere, in parallel, in milliseconds.
/// </summary>
public class InstanceTests
{
    private const string Name = "unit-vm";
    private const string Image = "fake/image";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);
    private static readonly VmOptions Fast = new() { PollingIntervalMs = 10 };

    /// <summary>
    /// One engine, one container on it (or none) and the VM that knows it. <see cref="Calls"/>
    /// holds only what reached the engine after the set-up.
    /// </summary>
    private sealed class Rig
    {
        private int _mark;

        public FakeEngine Engine { get; } = new();
        public FakeContainer Container { get; set; } = null!;
        public DockerVmInstance Vm { get; set; } = null!;
        public string Id => Container.Id;

        public IReadOnlyList<FakeCall> Calls => Engine.Calls.Skip(_mark).ToList();
        public string[] Ops => Calls.Select(c => c.Operation).ToArray();

        public void ForgetCalls() => _mark = Engine.Calls.Count;

        /// <summary>Removes the VM's container behind its back (another session, docker rm).</summary>
        public void RemoveElsewhere() => Engine.Containers.Remove(Container);
    }

    /// <summary>A VM whose container exists in <paramref name="status"/>, known to the VM as the engine last reported it.</summary>
    private static async Task<Rig> RigAsync(string status, VmOptions? options = null)
    {
        var rig = new Rig();
        rig.Container = rig.Engine.Add(Name, status, image: Image);
        var info = Assert.Single(await rig.Engine.InspectAsync(new[] { rig.Container.Id }, None));
        rig.Vm = new DockerVmInstance(rig.Engine, Name, Image, options ?? Fast);
        rig.Vm.Apply(info); // the state the engine last reported
        rig.ForgetCalls();
        return rig;
    }

    /// <summary>A VM never cloned: no container, state Initial.</summary>
    private static Rig Fresh(VmOptions? options = null)
    {
        var rig = new Rig();
        rig.Vm = new DockerVmInstance(rig.Engine, Name, Image, options ?? Fast);
        return rig;
    }

    private static FakeCall Call(string op, string target, object? detail = null) => new(op, target, detail);

    // The call an engine request makes on the fake: what the plan says must be what is sent.
    private static FakeCall CallOf(EngineRequest r) => r switch
    {
        StartRequest s => Call("start", s.Target),
        StopRequest s => Call("stop", s.Target, s.GraceSec),
        PauseRequest p => Call("pause", p.Target),
        UnpauseRequest u => Call("unpause", u.Target),
        RemoveRequest rm => Call("rm", rm.Target, rm.Force),
        _ => throw new ArgumentOutOfRangeException(nameof(r), r.GetType().Name),
    };

    private static bool Changes(FakeCall c) => c.Operation is not ("inspect" or "ps" or "logs");

    // ---- refusals -------------------------------------------------------------------------------

    [Theory]
    [InlineData(null, "start")]          // Initial: only Clone and Delete
    [InlineData(null, "stop")]
    [InlineData(null, "suspend")]
    [InlineData("created", "suspend")]   // Stopped: Suspend is not in the table
    [InlineData("created", "resume")]    // Resume only from Suspended
    [InlineData("created", "clone")]
    [InlineData("running", "start")]
    [InlineData("running", "resume")]
    [InlineData("running", "clone")]
    [InlineData("running", "delete")]    // Running without -Force
    [InlineData("paused", "stop")]
    [InlineData("paused", "clone")]
    public async Task A_refused_action_makes_no_engine_call(string? status, string action)
    {
        var rig = status is null ? Fresh() : await RigAsync(status);
        var vm = rig.Vm;
        var before = vm.State;

        Func<Task> run = action switch
        {
            "start" => () => vm.StartAsync(Minute, None),
            "resume" => () => vm.ResumeAsync(Minute, None),
            "stop" => () => vm.StopAsync(null, None),
            "suspend" => () => vm.SuspendAsync(None),
            "clone" => () => vm.CloneAsync(None),
            "delete" => () => vm.DeleteAsync(false, None),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        var e = await Assert.ThrowsAsync<DockerVmException>(run);

        Assert.Equal(DockerVmErrorKind.InvalidTransition, e.Kind);
        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Equal(before, e.State);
        Assert.Equal(Name, e.VmName);
        Assert.Contains(before.ToString(), e.Message);
        Assert.Equal(before, vm.State);
        Assert.Empty(rig.Calls); // a refused action must not reach the engine
    }

    [Fact]
    public async Task Suspend_from_Stopped_names_the_valid_actions()
    {
        var rig = await RigAsync("created");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.SuspendAsync(None));

        Assert.Contains("Suspend", e.Message);
        Assert.Contains("Stopped", e.Message);
        Assert.Contains("Start, Stop, Delete", e.Message);
        Assert.Contains(Name, e.Message);
        Assert.Empty(rig.Calls);
    }

    [Fact]
    public async Task An_invalid_name_is_refused_before_any_engine_call()
    {
        var engine = new FakeEngine();
        var vm = new DockerVmInstance(engine, "-bad name", Image, Fast);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.InvalidName, e.Kind);
        Assert.Equal(VmState.Initial, vm.State);
        Assert.Empty(engine.Calls);
    }

    // ---- stop -----------------------------------------------------------------------------------

    [Fact]
    public async Task Stop_of_a_container_the_engine_says_is_not_running_ends_Stopped()
    {
        var rig = await RigAsync("running");
        rig.Container.Status = "exited"; // it stopped on its own; the VM still believes Running
        Assert.Equal(VmState.Running, rig.Vm.State);

        await rig.Vm.StopAsync(null, None);

        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal("", rig.Vm.IPAddress);
        Assert.Equal(new[] { Call("stop", rig.Id, 10) }, rig.Calls);
    }

    [Fact]
    public async Task Stop_uses_the_given_timeout_and_is_idempotent_on_Stopped()
    {
        var rig = await RigAsync("running");

        await rig.Vm.StopAsync(0, None);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        await rig.Vm.StopAsync(3, None);

        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal("exited", rig.Container.Status);
        Assert.Equal(new[] { Call("stop", rig.Id, 0), Call("stop", rig.Id, 3) }, rig.Calls);
    }

    // ---- start ----------------------------------------------------------------------------------

    [Fact]
    public async Task Start_waits_until_the_engine_reports_running_and_reads_the_address()
    {
        var rig = await RigAsync("created");
        var inspects = 0;
        rig.Engine.Before("inspect", _ =>
        {
            // the engine takes two polls to report the container running
            if (++inspects <= 2)
            {
                rig.Container.Status = "created";
            }
            else
            {
                rig.Container.Status = "running";
            }
        });

        await rig.Vm.StartAsync(Minute, None);

        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.NotEqual("", rig.Container.IPAddress);
        Assert.Equal(rig.Container.IPAddress, rig.Vm.IPAddress);
        // two polls not yet running, one running, one more to confirm it still runs
        Assert.Equal(new[] { "start", "inspect", "inspect", "inspect", "inspect" }, rig.Ops);
        Assert.All(rig.Calls, c => Assert.Equal(rig.Id, c.Target));
    }

    [Fact]
    public async Task Start_of_a_command_that_dies_right_after_the_first_look_is_StartFailed()
    {
        var rig = await RigAsync("created");
        var inspects = 0;
        rig.Engine.Before("inspect", _ =>
        {
            // running at the first look, exited (code 1) at the confirming one
            if (++inspects >= 2)
            {
                rig.Container.Status = "exited";
                rig.Container.ExitCode = 1;
            }
        });

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Equal(1, e.ExitCode);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
    }

    [Fact]
    public async Task Start_of_a_container_that_exits_fails_at_once_with_its_exit_code_and_last_log_lines()
    {
        var rig = await RigAsync("created");
        rig.Container.DiesOnStartWith = 3;
        rig.Container.Logs = "starting\nsh: boom";
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(Minute, None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}: StartFailed must not wait out the timeout");
        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Equal("DockerVmStartFailed", e.ErrorId);
        Assert.Contains("exited with code 3", e.Message);
        Assert.Contains("sh: boom", e.Message);
        Assert.Equal(3, e.ExitCode);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal(new[] { Call("start", rig.Id), Call("inspect", rig.Id), Call("logs", rig.Id, 10) }, rig.Calls.Take(3));
        Assert.DoesNotContain(rig.Calls, c => Changes(c) && c.Operation != "start");
    }

    [Fact]
    public async Task Start_of_a_container_a_restart_policy_keeps_restarting_is_stopped_and_reported()
    {
        var rig = await RigAsync("created");
        rig.Container.Logs = "crashed";
        var first = true;
        rig.Engine.Before("inspect", _ =>
        {
            if (first && rig.Container.Status == "running")
            {
                // the command exited and the restart policy is bringing it back
                first = false;
                rig.Container.Status = "restarting";
                rig.Container.ExitCode = 1;
            }
        });
        // docker stop ends a restart loop (the fake only stops running and paused containers)
        rig.Engine.Before("stop", _ => rig.Container.Status = rig.Container.Status == "restarting" ? "exited" : rig.Container.Status);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Equal(1, e.ExitCode);
        Assert.Contains("crashed", e.Message);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal("exited", rig.Container.Status);
        Assert.Equal(new[] { Call("start", rig.Id), Call("stop", rig.Id, 0) }, rig.Calls.Where(Changes));
    }

    [Fact]
    public async Task Start_that_never_reaches_running_is_a_Timeout_and_leaves_Stopped()
    {
        var rig = await RigAsync("created");
        rig.Engine.Before("inspect", _ => rig.Container.Status = "created"); // never comes up

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(TimeSpan.FromMilliseconds(200), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal("DockerVmTimeout", e.ErrorId);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Start_from_Suspended_unpauses(bool resume)
    {
        var rig = await RigAsync("paused");
        Assert.Equal(VmState.Suspended, rig.Vm.State);

        await (resume ? rig.Vm.ResumeAsync(Minute, None) : rig.Vm.StartAsync(Minute, None));

        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Equal("running", rig.Container.Status);
        Assert.Equal(rig.Container.IPAddress, rig.Vm.IPAddress);
        Assert.Equal(new[] { Call("unpause", rig.Id), Call("inspect", rig.Id) }, rig.Calls); // never docker start
    }

    [Fact]
    public async Task Start_refused_by_the_engine_is_StartFailed_and_leaves_Stopped()
    {
        var rig = await RigAsync("created");
        rig.Engine.Fail("start", Failures.FromEngine(DockerVmErrorKind.CommandFailed, rig.Id, "fake start", 1,
            "Error response from daemon: failed to create task for container: exec: \"nosuch\": executable file not found in $PATH"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Contains("executable file not found", e.Message);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal(new[] { "start" }, rig.Calls.Where(Changes).Select(c => c.Operation));
    }

    // ---- suspend --------------------------------------------------------------------------------

    [Fact]
    public async Task Suspend_pauses_and_is_idempotent()
    {
        var rig = await RigAsync("running");

        await rig.Vm.SuspendAsync(None);
        Assert.Equal(VmState.Suspended, rig.Vm.State);
        Assert.Equal("", rig.Vm.IPAddress);
        await rig.Vm.SuspendAsync(None); // the engine: already paused

        Assert.Equal(VmState.Suspended, rig.Vm.State);
        Assert.Equal("paused", rig.Container.Status);
        Assert.Equal(new[] { Call("pause", rig.Id), Call("pause", rig.Id) }, rig.Calls);
    }

    // ---- delete ---------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_of_a_Stopped_vm_reads_it_back_then_removes_it()
    {
        var rig = await RigAsync("exited");

        await rig.Vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Equal(new[] { VmAction.Clone }, rig.Vm.ValidActions);
        Assert.Empty(rig.Engine.Containers);
        Assert.Equal(new[] { Call("inspect", rig.Id), Call("rm", rig.Id, false) }, rig.Calls);
    }

    [Fact]
    public async Task Delete_of_a_Suspended_vm_uses_force()
    {
        var rig = await RigAsync("paused");

        await rig.Vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
        Assert.Equal(new[] { Call("inspect", rig.Id), Call("rm", rig.Id, true) }, rig.Calls);
    }

    [Fact]
    public async Task Delete_with_force_stops_a_running_vm_first()
    {
        var rig = await RigAsync("running");

        await rig.Vm.DeleteAsync(true, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
        Assert.Equal(new[] { Call("inspect", rig.Id), Call("stop", rig.Id, 10), Call("rm", rig.Id, true) }, rig.Calls);
    }

    [Theory]
    [InlineData("created", VmState.Stopped)]     // started elsewhere
    [InlineData("paused", VmState.Suspended)]    // resumed elsewhere: no rm --force of a running container
    public async Task Delete_without_force_of_a_vm_started_elsewhere_is_refused_and_the_container_survives(string status, VmState believed)
    {
        var rig = await RigAsync(status);
        rig.Container.Status = "running"; // changed outside this object
        Assert.Equal(believed, rig.Vm.State);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.DeleteAsync(false, None));

        Assert.Equal(DockerVmErrorKind.InvalidTransition, e.Kind);
        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Contains(rig.Container, rig.Engine.Containers);
        Assert.Equal("running", rig.Container.Status);
        Assert.DoesNotContain("rm", rig.Ops);
    }

    [Fact]
    public async Task Delete_when_the_container_is_started_between_the_read_and_the_rm_is_refused_by_the_engine()
    {
        var rig = await RigAsync("created");
        rig.Engine.Before("rm", _ => rig.Container.Status = "running"); // somebody starts it just now

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.DeleteAsync(false, None));

        Assert.Equal(DockerVmErrorKind.InvalidTransition, e.Kind);
        Assert.Contains(rig.Container, rig.Engine.Containers);
        Assert.Equal(VmState.Running, rig.Vm.State); // read back, not left Deleting
    }

    [Fact]
    public async Task Delete_of_a_missing_container_is_NotFound_and_leaves_Deleted()
    {
        var rig = await RigAsync("created");
        rig.RemoveElsewhere();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.DeleteAsync(false, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal("DockerVmNotFound", e.ErrorId);
        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Equal(new[] { "inspect" }, rig.Ops);
    }

    [Fact]
    public async Task Delete_of_a_container_removed_between_the_read_and_the_rm_is_NotFound_and_leaves_Deleted()
    {
        var rig = await RigAsync("created");
        rig.Engine.Before("rm", _ => rig.RemoveElsewhere());

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.DeleteAsync(true, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, rig.Vm.State);
    }

    [Fact]
    public async Task Delete_of_a_vm_never_cloned_makes_no_engine_call()
    {
        var rig = Fresh();
        rig.Engine.Add(Name, "running", managed: false); // somebody else's container under the name

        await rig.Vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Empty(rig.Calls);
        Assert.Single(rig.Engine.Containers);
    }

    [Fact]
    public async Task Delete_recovers_a_vm_in_ErrorUnknown()
    {
        var rig = await RigAsync("dead");
        Assert.Equal(VmState.ErrorUnknown, rig.Vm.State);

        await rig.Vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
    }

    [Fact]
    public async Task Discard_removes_the_container_by_id_whatever_the_state()
    {
        var rig = await RigAsync("running");

        await rig.Vm.DiscardAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
        Assert.Equal(new[] { Call("rm", rig.Id, true) }, rig.Calls);
    }

    // ---- clone ----------------------------------------------------------------------------------

    [Fact]
    public async Task Clone_creates_the_container_with_the_vms_options_and_ends_Stopped()
    {
        var rig = Fresh(new VmOptions
        {
            StopTimeoutSec = 4,
            PollingIntervalMs = 50,
            ContainerCommand = new[] { "sleep", "infinity" },
            CreateArguments = new[] { "--memory", "64m" },
            Environment = new Dictionary<string, string> { ["KEY"] = "value" },
            Labels = new Dictionary<string, string> { ["team"] = "a b" },
        });
        Assert.Equal(VmState.Initial, rig.Vm.State);

        await rig.Vm.CloneAsync(None);

        var made = Assert.Single(rig.Engine.Containers);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal(made.Id, rig.Vm.ContainerId);
        Assert.NotNull(rig.Vm.CreatedAt);
        var call = Assert.Single(rig.Calls);
        Assert.Equal("create", call.Operation);
        var spec = Assert.IsType<CreateSpec>(call.Detail);
        Assert.Equal(Name, spec.Name);
        Assert.Equal(Image, spec.Image);
        Assert.True(spec.Init);
        Assert.Equal(new[] { "sleep", "infinity" }, spec.ContainerCommand);
        Assert.Equal(new[] { "--memory", "64m" }, spec.CreateArguments);
        Assert.Equal("value", spec.Environment["KEY"]);
        Assert.Matches("^[0-9a-f]{32}$", spec.Labels[Labels.CreateToken]);
        Assert.Equal(new Dictionary<string, string>
        {
            ["team"] = "a b",
            [Labels.Managed] = "true",
            [Labels.Image] = Image,
            [Labels.StopTimeout] = "4",
            [Labels.PollingInterval] = "50",
            [Labels.Command] = "[\"sleep\",\"infinity\"]",
            [Labels.CreateToken] = spec.Labels[Labels.CreateToken],
            [Labels.CreatedBy] = Creator.Current.ToString(),   // who made it: this process
        }, spec.Labels.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    [Fact]
    public async Task Clone_runs_the_default_container_command()
    {
        var rig = Fresh();

        await rig.Vm.CloneAsync(None);

        var spec = Assert.IsType<CreateSpec>(Assert.Single(rig.Calls).Detail);
        Assert.Equal(new[] { "tail", "-f", "/dev/null" }, spec.ContainerCommand);
    }

    [Fact]
    public async Task Clone_of_a_Deleted_vm_makes_a_new_container()
    {
        var rig = await RigAsync("created");
        await rig.Vm.DeleteAsync(false, None);
        Assert.Equal(VmState.Deleted, rig.Vm.State);

        await rig.Vm.CloneAsync(None);

        var made = Assert.Single(rig.Engine.Containers);
        Assert.NotEqual(rig.Id, made.Id);
        Assert.Equal(made.Id, rig.Vm.ContainerId);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
    }

    [Fact]
    public async Task A_clone_whose_image_is_missing_leaves_nothing_behind()
    {
        var rig = Fresh();
        rig.Engine.Images = new HashSet<string>();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.ImageNotFound, e.Kind);
        Assert.Equal("DockerVmImageNotFound", e.ErrorId);
        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Equal("", rig.Vm.ContainerId);
        Assert.Empty(rig.Engine.Containers);
        var token = Assert.IsType<CreateSpec>(rig.Calls[0].Detail).Labels[Labels.CreateToken];
        Assert.Equal(new[] { "create", "ps" }, rig.Ops);
        Assert.Equal(Labels.CreateToken + "=" + token, rig.Calls[1].Target); // looks only for its own container
    }

    [Fact]
    public async Task A_clone_the_engine_made_but_failed_to_report_removes_only_what_it_made()
    {
        var rig = Fresh();
        var bystander = rig.Engine.Add("other-vm", "running");
        FakeContainer? made = null;
        rig.Engine.Before("create", call =>
        {
            // the engine makes the container, and its answer cannot be read
            var spec = (CreateSpec)call.Detail!;
            made = rig.Engine.Add(spec.Name, managed: false);
            foreach (var kv in spec.Labels)
            {
                made.Labels[kv.Key] = kv.Value;
            }
        });
        rig.Engine.Fail("create", Failures.Unreadable("fake create", "printed no container id", Name));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Equal(new[] { bystander }, rig.Engine.Containers);
        Assert.Equal(new[] { Call("rm", made!.Id, true) }, rig.Calls.Where(c => c.Operation == "rm"));
    }

    [Fact]
    public async Task A_clone_cancelled_after_the_engine_made_the_container_leaves_nothing_behind()
    {
        var rig = Fresh();
        using var cts = new CancellationTokenSource();
        rig.Engine.Before("create", call =>
        {
            var spec = (CreateSpec)call.Detail!;
            var made = rig.Engine.Add(spec.Name, managed: false);
            foreach (var kv in spec.Labels)
            {
                made.Labels[kv.Key] = kv.Value;
            }
            cts.Cancel(); // Ctrl+C just as the engine made it
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Vm.CloneAsync(cts.Token));

        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
    }

    [Fact]
    public async Task A_clone_cancelled_while_the_engine_hangs_leaves_nothing_behind()
    {
        var rig = Fresh();
        using var cts = new CancellationTokenSource();
        rig.Engine.Hang("create").Before("create", _ => cts.CancelAfter(20));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Vm.CloneAsync(cts.Token));

        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
    }

    [Fact]
    public async Task A_name_conflict_leaves_the_other_container_alone()
    {
        var rig = Fresh();
        var other = rig.Engine.Add(Name, "running", managed: false);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.NameConflict, e.Kind);
        Assert.Equal("DockerVmNameConflict", e.ErrorId);
        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Equal("", rig.Vm.ContainerId);
        Assert.Equal(new[] { other }, rig.Engine.Containers);
        Assert.Equal("running", other.Status);
        Assert.Equal(new[] { "create" }, rig.Ops);
    }

    [Fact]
    public async Task Clone_when_the_engine_is_down_keeps_the_state()
    {
        var rig = Fresh();
        rig.Engine.Fail("create", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, Name, "fake create", 1,
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.Equal(VmState.Initial, rig.Vm.State);
        Assert.Empty(rig.Engine.Containers);
    }

    [Fact]
    public async Task A_create_the_engine_took_but_did_not_answer_in_time_is_reported_at_once_and_cleaned_up_after()
    {
        var rig = Fresh();
        var made = 0;
        // The engine makes the container, but its answer never comes: the liveness probe reports it dead.
        rig.Engine.Fail("create", Failures.EngineDead("fake create", "unix:///fake.sock", TimeSpan.FromSeconds(10), Name));
        rig.Engine.Before("create", call =>
        {
            if (Interlocked.Increment(ref made) == 1)
            {
                rig.Engine.CreateAsync((CreateSpec)call.Detail!, None).GetAwaiter().GetResult();
            }
        });

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.CloneAsync(None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (rig.Engine.Containers.Count > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the clean-up left the container");
            await Task.Delay(20);
        }
        Assert.Contains("ps", rig.Engine.Operations); // found by its create token ...
        Assert.Contains("rm", rig.Engine.Operations); // ... and removed
    }

    [Fact]
    public async Task A_clean_up_waits_longer_for_a_ping_than_a_request_and_only_inside_itself()
    {
        Assert.Equal(LivenessProbe.Deadline, LivenessProbe.CurrentDeadline);
        var inside = await Task.Run(async () =>
        {
            LivenessProbe.Patient();
            await Task.Yield();
            return LivenessProbe.CurrentDeadline;
        });
        Assert.Equal(LivenessProbe.CleanupDeadline, inside);
        Assert.True(LivenessProbe.CleanupDeadline > LivenessProbe.Deadline);
        Assert.Equal(LivenessProbe.Deadline, LivenessProbe.CurrentDeadline);
    }

    // ---- the container id, never the name ----------------------------------------------------------

    [Fact]
    public async Task After_clone_every_action_targets_the_container_id()
    {
        var rig = Fresh();
        await rig.Vm.CloneAsync(None);
        rig.Container = Assert.Single(rig.Engine.Containers);
        rig.ForgetCalls();

        await rig.Vm.StartAsync(Minute, None);
        await rig.Vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None);
        await rig.Vm.SuspendAsync(None);
        await rig.Vm.ResumeAsync(Minute, None);
        await rig.Vm.GetPropertiesAsync(None);
        await rig.Vm.StopAsync(null, None);
        await rig.Vm.RefreshAsync(None);
        await rig.Vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, rig.Vm.State);
        Assert.Equal(new[] { "start", "exec", "pause", "unpause", "stop", "rm" }, rig.Calls.Where(Changes).Select(c => c.Operation));
        Assert.All(rig.Calls, c => Assert.Equal(rig.Id, c.Target));
    }

    [Fact]
    public async Task A_vm_rebuilt_from_a_listing_acts_on_its_container_id()
    {
        var engine = new FakeEngine("unit-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        var c = engine.Add("listed-vm", "created");
        c.Labels[Labels.PollingInterval] = "10";
        var vm = Assert.Single(await VmRegistry.ListAsync(engine, None));
        var mark = engine.Calls.Count;

        await vm.StartAsync(Minute, None);
        await vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None);
        await vm.SuspendAsync(None);
        await vm.DeleteAsync(false, None);

        Assert.Equal(VmState.Deleted, vm.State);
        var calls = engine.Calls.Skip(mark).ToList();
        Assert.Equal(new[] { "start", "exec", "pause", "rm" }, calls.Where(Changes).Select(x => x.Operation));
        Assert.All(calls, x => Assert.Equal(c.Id, x.Target));
    }

    [Theory]
    [InlineData("running", "exec", true)]
    [InlineData("running", "exec", false)]
    [InlineData("running", "suspend", true)]
    [InlineData("running", "suspend", false)]
    [InlineData("running", "stop", false)]
    [InlineData("running", "remove-force", true)]
    [InlineData("running", "remove-force", false)]
    [InlineData("created", "remove", true)]
    [InlineData("created", "remove", false)]
    [InlineData("created", "start", true)]
    [InlineData("paused", "resume", false)]
    public async Task A_vm_whose_name_was_taken_by_another_container_is_NotFound_and_never_touches_it(string status, string action, bool managed)
    {
        var rig = await RigAsync(status);
        rig.RemoveElsewhere();
        var other = rig.Engine.Add(Name, status, managed); // the name is reused
        var vm = rig.Vm;

        Func<Task> run = action switch
        {
            "exec" => () => vm.ExecAsync(new ExecSpec { Command = "rm", Arguments = new[] { "-rf", "/data" } }, null, null, None),
            "suspend" => () => vm.SuspendAsync(None),
            "stop" => () => vm.StopAsync(null, None),
            "remove" => () => vm.DeleteAsync(false, None),
            "remove-force" => () => vm.DeleteAsync(true, None),
            "start" => () => vm.StartAsync(Minute, None),
            "resume" => () => vm.ResumeAsync(Minute, None),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        var e = await Assert.ThrowsAsync<DockerVmException>(run);

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(new[] { other }, rig.Engine.Containers);
        Assert.Equal(status, other.Status);
        Assert.All(rig.Calls, c => Assert.Equal(rig.Id, c.Target)); // never other.Id, never the name
    }

    // ---- plans ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("created", "start")]
    [InlineData("paused", "start")]
    [InlineData("paused", "resume")]
    [InlineData("running", "stop")]
    [InlineData("running", "stop0")]
    [InlineData("created", "stop")]
    [InlineData("running", "suspend")]
    [InlineData("paused", "suspend")]
    [InlineData("created", "delete")]
    [InlineData("paused", "delete")]
    [InlineData("created", "delete-force")]
    [InlineData("running", "delete-force")]
    public async Task A_plan_is_what_the_action_sends(string status, string action)
    {
        var rig = await RigAsync(status);
        var vm = rig.Vm;

        var (plan, run) = action switch
        {
            "start" => (vm.PlanStart(), (Func<Task>)(() => vm.StartAsync(Minute, None))),
            "resume" => (vm.PlanResume(), () => vm.ResumeAsync(Minute, None)),
            "stop" => (vm.PlanStop(), () => vm.StopAsync(null, None)),
            "stop0" => (vm.PlanStop(0), () => vm.StopAsync(0, None)),
            "suspend" => (vm.PlanSuspend(), () => vm.SuspendAsync(None)),
            "delete" => (vm.PlanDelete(false), () => vm.DeleteAsync(false, None)),
            "delete-force" => (vm.PlanDelete(true), () => vm.DeleteAsync(true, None)),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        Assert.Empty(rig.Calls); // planning asks the engine nothing

        await run();

        Assert.NotEmpty(plan.Requests);
        Assert.Equal(plan.Requests.Select(CallOf), rig.Calls.Where(Changes));
        Assert.All(plan.Requests, r => Assert.Equal(rig.Id, r.Target));
        Assert.Contains(rig.Id, plan.ToString()); // what -WhatIf shows names the container it acts on
    }

    [Fact]
    public async Task The_clone_plan_is_what_clone_sends()
    {
        var rig = Fresh(new VmOptions { ContainerCommand = new[] { "sleep", "1d" }, CreateArguments = new[] { "--cpus", "1" } });
        var planned = Assert.IsType<CreateRequest>(Assert.Single(rig.Vm.PlanClone().Requests)).Spec;

        await rig.Vm.CloneAsync(None);

        var sent = Assert.IsType<CreateSpec>(Assert.Single(rig.Calls).Detail);
        Assert.Equal(planned.Name, sent.Name);
        Assert.Equal(planned.Image, sent.Image);
        Assert.Equal(planned.Init, sent.Init);
        Assert.Equal(planned.ContainerCommand, sent.ContainerCommand);
        Assert.Equal(planned.CreateArguments, sent.CreateArguments);
        Assert.Equal(planned.Environment, sent.Environment);
        // every label but the create token, which is fresh for each create
        Assert.Equal(planned.Labels.Where(kv => kv.Key != Labels.CreateToken).OrderBy(kv => kv.Key),
            sent.Labels.Where(kv => kv.Key != Labels.CreateToken).OrderBy(kv => kv.Key));
    }

    [Fact]
    public void The_delete_plan_of_a_vm_never_cloned_sends_nothing()
    {
        var rig = Fresh();

        Assert.Empty(rig.Vm.PlanDelete(true).Requests);
    }

    // ---- Ctrl+C, lost answers, unreadable outcomes ------------------------------------------------

    [Theory]
    [InlineData("created", "start", false, VmState.Stopped)]   // the engine never started it
    [InlineData("created", "start", true, VmState.Running)]    // it did, and the answer was lost
    [InlineData("running", "stop", false, VmState.Running)]
    [InlineData("running", "stop", true, VmState.Stopped)]
    [InlineData("running", "suspend", false, VmState.Running)]
    [InlineData("paused", "resume", false, VmState.Suspended)]
    [InlineData("created", "delete", false, VmState.Stopped)]
    public async Task Ctrl_C_during_a_hung_command_leaves_the_state_the_engine_reports(string status, string action, bool engineActed, VmState expected)
    {
        var rig = await RigAsync(status);
        var vm = rig.Vm;
        using var cts = new CancellationTokenSource();
        var op = action switch { "delete" => "rm", "suspend" => "pause", "resume" => "unpause", _ => action };
        rig.Engine.Hang(op).Before(op, _ =>
        {
            if (engineActed)
            {
                rig.Container.Status = action == "start" ? "running" : "exited";
            }
            cts.CancelAfter(20);
        });

        Func<Task> run = action switch
        {
            "start" => () => vm.StartAsync(Minute, cts.Token),
            "stop" => () => vm.StopAsync(null, cts.Token),
            "suspend" => () => vm.SuspendAsync(cts.Token),
            "resume" => () => vm.ResumeAsync(Minute, cts.Token),
            "delete" => () => vm.DeleteAsync(false, cts.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(run);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(expected, vm.State);
        Assert.NotEmpty(vm.ValidActions); // a known state, never a transient one
    }

    [Fact]
    public async Task Ctrl_C_while_start_waits_for_running_leaves_a_known_state()
    {
        var rig = await RigAsync("created");
        using var cts = new CancellationTokenSource();
        var polls = 0;
        rig.Engine.Before("inspect", _ =>
        {
            rig.Container.Status = "created"; // never comes up
            if (++polls == 3)
            {
                cts.Cancel(); // Ctrl+C while polling
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Vm.StartAsync(Minute, cts.Token));

        Assert.Equal(VmState.Stopped, rig.Vm.State);
    }

    [Theory]
    [InlineData(true, VmState.Running)]          // read back: the engine did start it
    [InlineData(false, VmState.ErrorUnknown)]    // cannot be read back: unknown, never assumed Stopped
    public async Task An_unanswered_command_leaves_the_state_read_back_not_assumed(bool readable, VmState expected)
    {
        var rig = await RigAsync("created");
        rig.Engine.Before("start", _ => rig.Container.Status = "running") // the engine acted...
            .Fail("start", Failures.NoAnswer("fake start", TimeSpan.FromSeconds(30), Name)); // ...and never answered
        if (!readable)
        {
            rig.Engine.Fail("inspect", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, Name, "fake inspect", 1,
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"), times: 10);
        }

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StartAsync(Minute, None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.True(e.OutcomeUnknown);
        Assert.Equal(expected, rig.Vm.State);
        Assert.Contains("inspect", rig.Ops); // it asked the engine
    }

    [Fact]
    public async Task An_engine_that_cannot_be_reached_before_acting_keeps_the_state_without_a_read_back()
    {
        var rig = await RigAsync("running");
        rig.Engine.Fail("stop", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, Name, "fake stop", 1,
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StopAsync(null, None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
        Assert.False(e.OutcomeUnknown);
        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Equal(new[] { "stop" }, rig.Ops);
    }

    [Fact]
    public async Task A_failed_action_whose_outcome_cannot_be_read_back_is_ErrorUnknown()
    {
        var rig = await RigAsync("running");
        rig.Engine
            .Fail("stop", Failures.FromEngine(DockerVmErrorKind.CommandFailed, Name, "fake stop", 1,
                "Error response from daemon: cannot stop container: tried to kill container, but did not receive an exit event"))
            .Fail("inspect", Failures.FromEngine(DockerVmErrorKind.CommandFailed, Name, "fake inspect", 1,
                "Error response from daemon: inspect failed for an unknown reason"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StopAsync(null, None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal(VmState.ErrorUnknown, rig.Vm.State);
        Assert.Equal(new[] { VmAction.Delete }, rig.Vm.ValidActions);
        Assert.Equal(new[] { "stop", "inspect" }, rig.Ops);
    }

    [Fact]
    public async Task A_failed_action_whose_outcome_is_read_back_takes_the_engines_state()
    {
        var rig = await RigAsync("running");
        rig.Engine.Fail("stop", Failures.FromEngine(DockerVmErrorKind.CommandFailed, Name, "fake stop", 1,
            "Error response from daemon: cannot stop container: tried to kill container, but did not receive an exit event"));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.StopAsync(null, None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Equal(new[] { "stop", "inspect" }, rig.Ops);
    }

    // ---- exec -----------------------------------------------------------------------------------

    [Fact]
    public async Task Exec_on_a_running_vm()
    {
        var rig = await RigAsync("running");
        rig.Engine.OnExec = (_, spec, _, _) => Task.FromResult(new ExecOutcome { ExitCode = 2, StandardOutput = "hello\n" });

        var r = await rig.Vm.ExecAsync(new ExecSpec { Command = "echo", Arguments = new[] { "hello" } }, null, null, None);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("hello\n", r.StandardOutput);
        var call = Assert.Single(rig.Calls);
        Assert.Equal(("exec", rig.Id), (call.Operation, call.Target));
        var spec = Assert.IsType<ExecSpec>(call.Detail);
        Assert.Equal("echo", spec.Command);
        Assert.Equal(new[] { "hello" }, spec.Arguments);
        Assert.Equal(VmState.Running, rig.Vm.State);
    }

    [Theory]
    [InlineData("created", VmState.Stopped)]
    [InlineData("paused", VmState.Suspended)]
    public async Task Exec_on_a_vm_that_is_not_running_is_NotRunning_without_an_exec(string status, VmState state)
    {
        var rig = await RigAsync(status);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None));

        Assert.Equal(DockerVmErrorKind.NotRunning, e.Kind);
        Assert.Equal("DockerVmNotRunning", e.ErrorId);
        Assert.Equal(state, e.State);
        Assert.Equal(new[] { Call("inspect", rig.Id) }, rig.Calls); // the live state is read, no exec
    }

    [Fact]
    public async Task Exec_on_a_vm_believed_Stopped_but_started_elsewhere_runs()
    {
        var rig = await RigAsync("created");
        rig.Container.Status = "running";

        var r = await rig.Vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Equal(new[] { "inspect", "exec" }, rig.Ops);
    }

    [Fact]
    public async Task Exec_on_a_vm_that_stopped_behind_its_back_is_NotRunning_and_reads_the_state()
    {
        var rig = await RigAsync("running");
        rig.Container.Status = "exited";

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.ExecAsync(new ExecSpec { Command = "true" }, null, null, None));

        Assert.Equal(DockerVmErrorKind.NotRunning, e.Kind);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal(new[] { "exec", "inspect" }, rig.Ops);
    }

    [Fact]
    public async Task Exec_past_its_timeout_is_a_Timeout()
    {
        var rig = await RigAsync("running");
        rig.Engine.OnExec = async (_, _, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new ExecOutcome();
        };
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            rig.Vm.ExecAsync(new ExecSpec { Command = "sleep", Arguments = new[] { "100" } }, null, TimeSpan.FromMilliseconds(100), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal("DockerVmTimeout", e.ErrorId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(VmState.Running, rig.Vm.State);
    }

    [Fact]
    public async Task Ctrl_C_during_exec_is_a_cancellation_not_a_Timeout()
    {
        var rig = await RigAsync("running");
        using var cts = new CancellationTokenSource();
        rig.Engine.OnExec = async (_, _, _, ct) =>
        {
            cts.Cancel();
            await Task.Delay(Timeout.Infinite, ct);
            return new ExecOutcome();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            rig.Vm.ExecAsync(new ExecSpec { Command = "sleep" }, null, TimeSpan.FromSeconds(30), cts.Token));

        Assert.Equal(VmState.Running, rig.Vm.State);
    }

    // ---- reads ----------------------------------------------------------------------------------

    [Fact]
    public async Task Refresh_of_a_missing_container_is_Deleted()
    {
        var rig = await RigAsync("created");
        rig.RemoveElsewhere();

        Assert.Equal(VmState.Deleted, await rig.Vm.RefreshAsync(None));
        Assert.Equal(new[] { VmAction.Clone }, rig.Vm.ValidActions);
    }

    [Fact]
    public async Task Refresh_of_a_vm_never_cloned_stays_Initial_and_never_reads_a_container_by_its_name()
    {
        var rig = Fresh();
        rig.Engine.Add(Name, "running", managed: false); // somebody else's

        Assert.Equal(VmState.Initial, await rig.Vm.RefreshAsync(None));
        Assert.Equal("", rig.Vm.ContainerId);
        Assert.Empty(rig.Calls);
    }

    [Fact]
    public async Task Properties_are_read_live()
    {
        var rig = await RigAsync("running");
        rig.Container.Status = "exited";
        rig.Container.ExitCode = 3;

        var p = await rig.Vm.GetPropertiesAsync(None);

        Assert.Equal(VmState.Stopped, p.State);
        Assert.Equal(VmState.Stopped, rig.Vm.State);
        Assert.Equal(3, p.ExitCode);
        Assert.Equal("exited", p.Status);
        Assert.Equal("", p.IPAddress);
        Assert.Equal(rig.Id, p.ContainerId);
        Assert.Equal("image=fake/image name=unit-vm", p.CloneInfo.ToString());
        Assert.Equal(new[] { Call("inspect", rig.Id) }, rig.Calls);
    }

    [Fact]
    public async Task Properties_of_a_missing_container_are_NotFound()
    {
        var rig = await RigAsync("running");
        rig.RemoveElsewhere();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.GetPropertiesAsync(None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, rig.Vm.State);
    }

    [Fact]
    public async Task Wait_for_a_state_that_does_not_come_is_a_Timeout()
    {
        var rig = await RigAsync("created");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => rig.Vm.WaitForStateAsync(VmState.Running, TimeSpan.FromMilliseconds(100), None));

        Assert.Equal(DockerVmErrorKind.Timeout, e.Kind);
        Assert.Equal(VmState.Stopped, e.State);
    }

    [Theory]
    [InlineData("running", true)]
    [InlineData("created", false)]
    public async Task Wait_with_no_time_looks_once(string status, bool arrives)
    {
        var rig = await RigAsync(status);

        var wait = rig.Vm.WaitForStateAsync(VmState.Running, TimeSpan.Zero, None);

        if (arrives)
        {
            await wait; // already there: no timeout, however short the wait
        }
        else
        {
            Assert.Equal(DockerVmErrorKind.Timeout, (await Assert.ThrowsAsync<DockerVmException>(() => wait)).Kind);
        }
        Assert.Equal(new[] { "inspect" }, rig.Ops);
    }

    [Fact]
    public async Task Wait_returns_when_the_state_comes()
    {
        var rig = await RigAsync("created");
        var inspects = 0;
        rig.Engine.Before("inspect", _ => rig.Container.Status = ++inspects >= 2 ? "running" : "created");

        await rig.Vm.WaitForStateAsync(VmState.Running, Minute, None);

        Assert.Equal(VmState.Running, rig.Vm.State);
        Assert.Equal(new[] { "inspect", "inspect" }, rig.Ops);
    }
}
