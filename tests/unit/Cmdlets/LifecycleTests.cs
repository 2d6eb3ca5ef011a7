using System.Diagnostics;
using System.Management.Automation;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>New-DockerVm, -PassThru of every action, Get-DockerVm, Get-DockerVmProperties and Wait-DockerVm.</summary>
public class LifecycleTests
{
    public static readonly TheoryData<string, string, VmState, string> Actions = new()
    {
        // cmdlet, docker status before, state after, docker status after
        { "Start-DockerVm", "exited", VmState.Running, "running" },
        { "Start-DockerVm", "paused", VmState.Running, "running" },
        { "Stop-DockerVm", "running", VmState.Stopped, "exited" },
        { "Stop-DockerVm", "exited", VmState.Stopped, "exited" },
        { "Suspend-DockerVm", "running", VmState.Suspended, "paused" },
        { "Suspend-DockerVm", "paused", VmState.Suspended, "paused" },
        { "Resume-DockerVm", "paused", VmState.Running, "running" },
        { "Remove-DockerVm", "exited", VmState.Deleted, "(none)" },
        { "Remove-DockerVm", "paused", VmState.Deleted, "(none)" },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public void PassThru_emits_the_vm_in_its_new_state_and_without_it_nothing(string cmdlet, string before, VmState after, string status)
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", before);
        var b = s.Fake.Add("b", before);

        var quiet = s.Ok($"{cmdlet} a -Context $ctx");
        var loud = s.Ok($"{cmdlet} b -Context $ctx -PassThru");

        Assert.Empty(quiet.Output);
        var vm = Assert.Single(loud.Objects<DockerVmInstance>());
        Assert.Equal(("b", after, s.Context), (vm.Name, vm.State, vm.Context));
        Assert.Equal(after == VmState.Running, vm.IPAddress.Length > 0);
        Assert.Equal(status, s.Fake.Find(a.Id)?.Status ?? "(none)");
        Assert.Equal(status, s.Fake.Find(b.Id)?.Status ?? "(none)");
    }

    [Fact]
    public void Remove_Force_stops_a_running_vm_first()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        var vm = Assert.Single(s.Ok("Remove-DockerVm a -Force -Context $ctx -PassThru").Objects<DockerVmInstance>());

        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(new[] { new FakeCall("stop", a.Id, 10), new FakeCall("rm", a.Id, true) }, Expect.Changes(s.Fake));
        Assert.Empty(s.Fake.Containers);
    }

    [Fact]
    public void Stop_uses_TimeoutSec_then_the_vms_own_StopTimeoutSec_and_Force_kills()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        var c = s.Fake.Add("c", "running");
        b.Labels[DockerVm.Labels.StopTimeout] = "4";

        s.Ok("Stop-DockerVm a -TimeoutSec 2 -Context $ctx; Stop-DockerVm b -Context $ctx; Stop-DockerVm c -Force -TimeoutSec 9 -Context $ctx");

        Assert.Equal(new[] { new FakeCall("stop", a.Id, 2), new FakeCall("stop", b.Id, 4), new FakeCall("stop", c.Id, 0) }, Expect.Changes(s.Fake));
    }

    [Fact]
    public void New_creates_a_stopped_vm_with_the_managed_labels_and_options()
    {
        using var s = new CmdletSession();

        var run = s.Ok("New-DockerVm fake/img n1 -Context $ctx -Label @{ team = 'blue' } -Environment @{ K = 'v' } -StopTimeoutSec 7 -CreateArgument '--memory', '64m'");

        var vm = Assert.Single(run.Objects<DockerVmInstance>());
        var container = Assert.Single(s.Fake.Containers);
        Assert.Equal(("n1", "fake/img", VmState.Stopped, s.Context, container.Id), (vm.Name, vm.Image, vm.State, vm.Context, vm.ContainerId));
        Assert.Equal(7, vm.StopTimeoutSec);
        Assert.Equal(new[] { "tail", "-f", "/dev/null" }, vm.ContainerCommand);
        Assert.Equal("", vm.IPAddress);
        Assert.NotNull(vm.CreatedAt);

        var spec = Assert.IsType<CreateSpec>(Assert.Single(Expect.Changes(s.Fake)).Detail);
        Assert.True(spec.Init);
        Assert.Equal("fake/img", spec.Image);
        Assert.Equal("true", spec.Labels["dockervm.managed"]);
        Assert.Equal("fake/img", spec.Labels["dockervm.image"]);
        Assert.Equal("7", spec.Labels["dockervm.stop-timeout"]);
        Assert.Equal("[\"tail\",\"-f\",\"/dev/null\"]", spec.Labels["dockervm.command"]);
        Assert.Equal("blue", spec.Labels["team"]);
        Assert.Equal(new Dictionary<string, string> { ["K"] = "v" }, spec.Environment);
        Assert.Equal(new[] { "--memory", "64m" }, spec.CreateArguments);
        Assert.Equal(new[] { "tail", "-f", "/dev/null" }, spec.ContainerCommand);
    }

    [Fact]
    public void New_Start_emits_a_running_vm()
    {
        using var s = new CmdletSession();

        var vm = Assert.Single(s.Ok("New-DockerVm -Image fake/img -Name n1 -Start -ContainerCommand sleep, '1d' -Context $ctx").Objects<DockerVmInstance>());

        Assert.Equal(VmState.Running, vm.State);
        Assert.StartsWith("172.17.0.", vm.IPAddress);
        Assert.Equal(new[] { "sleep", "1d" }, vm.ContainerCommand);
        Assert.Equal("running", Assert.Single(s.Fake.Containers).Status);
    }

    [Fact]
    public void New_without_a_name_makes_a_dockervm_hex_name()
    {
        using var s = new CmdletSession();

        var vm = Assert.Single(s.Ok("New-DockerVm fake/img -Context $ctx").Objects<DockerVmInstance>());

        Assert.Matches("^dockervm-[0-9a-f]{8}$", vm.Name);
        Assert.Equal(vm.Name, Assert.Single(s.Fake.Containers).Name);
    }

    [Fact]
    public void New_binds_Image_Name_and_Context_by_property_name()
    {
        using var s = new CmdletSession();

        var run = s.Ok("[pscustomobject]@{ Image = 'fake/a'; Name = 'n1'; Context = $ctx }, [pscustomobject]@{ Image = 'fake/b'; Name = 'n2'; Context = $ctx } | New-DockerVm");

        Assert.Equal(new[] { ("n1", "fake/a"), ("n2", "fake/b") }, run.Objects<DockerVmInstance>().Select(v => (v.Name, v.Image)));
        Assert.Equal(2, s.Fake.Containers.Count);
    }

    [Fact]
    public void The_vm_New_made_is_the_object_Get_finds()
    {
        using var s = new CmdletSession();

        var run = s.Ok("$n = New-DockerVm fake/img n1 -Context $ctx; $g = Get-DockerVm n1 -Context $ctx; [object]::ReferenceEquals($n, $g)");

        Assert.Equal(true, Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void Get_lists_managed_vms_by_name_with_live_state_in_two_engine_calls()
    {
        using var s = new CmdletSession();
        s.Fake.Add("c", "running");
        s.Fake.Add("a", "exited");
        s.Fake.Add("b", "paused");
        s.Fake.Add("d", "dead");
        s.Fake.Add("e", "restarting");
        s.Fake.Add("z", "running", managed: false);

        var vms = s.Ok("Get-DockerVm -Context $ctx").Objects<DockerVmInstance>();

        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, vms.Select(v => v.Name));
        Assert.Equal(new[] { VmState.Stopped, VmState.Suspended, VmState.Running, VmState.ErrorUnknown, VmState.Starting }, vms.Select(v => v.State));
        Assert.Equal(new[] { false, false, true, false, false }, vms.Select(v => v.IPAddress.Length > 0));
        Assert.All(vms, v => Assert.Equal((s.Context, "fake/image"), (v.Context, v.Image)));
        Assert.Equal(new[] { "ps", "inspect" }, s.Fake.Operations);
    }

    [Fact]
    public void Get_filters_by_State()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Fake.Add("b", "paused");
        s.Fake.Add("c", "running");
        s.Fake.Add("d", "running");

        Assert.Equal(new[] { "c", "d" }, s.Ok("Get-DockerVm -State Running -Context $ctx").Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { "a", "b" }, s.Ok("Get-DockerVm -State Stopped, Suspended -Context $ctx").Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Empty(s.Ok("Get-DockerVm -State Deleted -Context $ctx").Output);
        Assert.Equal(new[] { "d" }, s.Ok("Get-DockerVm d, a -State Running -Context $ctx").Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void Get_State_filters_on_live_state()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        a.Status = "exited";

        Assert.Empty(s.Ok("Get-DockerVm -State Running -Context $ctx").Output);
        var vm = Assert.Single(s.Ok("Get-DockerVm -State Stopped -Context $ctx").Objects<DockerVmInstance>());
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(true, Assert.Single(s.Ok("[object]::ReferenceEquals($vm, (Get-DockerVm a -Context $ctx))").Output).BaseObject);
    }

    [Fact]
    public void Get_with_names_expands_wildcards_and_reports_a_missing_literal()
    {
        using var s = new CmdletSession();
        s.Fake.Add("app-1", "running");
        s.Fake.Add("app-2", "exited");
        s.Fake.Add("db", "running");

        var run = s.Run("Get-DockerVm 'app-*', nosuch, db, 'none-*' -Context $ctx");

        Assert.Equal(new[] { "app-1", "app-2", "db" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        var error = Expect.OnlyError(run, "DockerVmNotFound", "GetDockerVmCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal("nosuch", Expect.Target(error));
    }

    [Fact]
    public void Get_lists_every_context_given()
    {
        using var s = new CmdletSession();
        var other = TestEngines.NewFake();
        s.Set("ctx2", other.Context);
        s.Fake.Add("here", "running");
        other.Add("there", "exited");

        var vms = s.Ok("Get-DockerVm -Context $ctx, $ctx2").Objects<DockerVmInstance>();

        Assert.Equal(new[] { ("here", s.Context), ("there", other.Context) }, vms.Select(v => (v.Name, v.Context)));
    }

    [Fact]
    public void Properties_are_read_live_from_the_engine()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        var running = Assert.Single(s.Ok("Get-DockerVmProperties a -Context $ctx").Objects<DockerVmProperties>());
        a.Status = "exited";
        a.ExitCode = 137;
        var stopped = Assert.Single(s.Ok("Get-DockerVmProperties a -Context $ctx").Objects<DockerVmProperties>());

        Assert.Equal(("a", VmState.Running, a.IPAddress, a.Id, "running", s.Context), (running.Name, running.State, running.IPAddress, running.ContainerId, running.Status, running.Context));
        Assert.StartsWith("172.17.0.", running.IPAddress);
        Assert.Equal(new[] { a.IPAddress }, running.IPAddresses);
        Assert.Equal("image=fake/image name=a", running.CloneInfo.ToString());
        Assert.Equal(("fake/image", "a"), (running.CloneInfo.Image, running.CloneInfo.Name));
        Assert.Equal((VmState.Stopped, "", 137, "exited"), (stopped.State, stopped.IPAddress, stopped.ExitCode, stopped.Status));
    }

    [Fact]
    public void Wait_returns_when_the_state_comes_and_PassThru_emits_the_vm()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");
        a.Labels[DockerVm.Labels.PollingInterval] = "20";
        var flip = Task.Delay(300).ContinueWith(_ => a.Status = "running");
        var watch = Stopwatch.StartNew();

        var vm = Assert.Single(s.Ok("Wait-DockerVm a -TimeoutSec 10 -PassThru -Context $ctx").Objects<DockerVmInstance>());

        flip.Wait();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(("a", VmState.Running), (vm.Name, vm.State));
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Empty(s.Ok("Wait-DockerVm a -TimeoutSec 1 -Context $ctx").Output);
    }

    [Fact]
    public void Wait_for_another_state_and_by_pipeline()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "paused");
        s.Fake.Add("b", "paused");

        var run = s.Ok("Get-DockerVm -Context $ctx | Wait-DockerVm -State Suspended -TimeoutSec 5 -PassThru");

        Assert.Equal(new[] { "a", "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void Wait_with_TimeoutSec_0_succeeds_for_a_vm_already_in_the_state()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Ok("Wait-DockerVm a -TimeoutSec 0 -PassThru -Context $ctx");

        Assert.Equal(VmState.Running, Assert.Single(run.Objects<DockerVmInstance>()).State);
    }

    [Fact]
    public void Wait_past_its_timeout_is_DockerVmTimeout_and_the_next_vm_goes_on()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.Add("b", "exited");
        var watch = Stopwatch.StartNew();

        var run = s.Run("Wait-DockerVm a, b -State Stopped -TimeoutSec 1 -PassThru -Context $ctx");

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9) && watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        var error = Expect.OnlyError(run, "DockerVmTimeout", "WaitDockerVmCommand", ErrorCategory.OperationTimeout);
        Expect.TargetVm(error, "a");
        Assert.Contains("state Stopped", error.ToString());
        Assert.Contains("it is Running", error.ToString());
        Assert.Equal(new[] { "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void The_format_file_gives_a_table_view()
    {
        Assert.NotNull(CmdletSession.FormatFile);
        using var s = new CmdletSession();
        var a = s.Fake.Add("web-1", "running");

        var text = string.Concat(s.Ok("Get-DockerVm -Context $ctx | Out-String -Width 200").Strings);

        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        // Name and Image first, sized to the data (ViewTests: never cut); State and IPAddress after.
        Assert.Matches(@"^Name\s+Image\s+State\s+IPAddress$", lines[0]);
        Assert.Matches($@"^web-1\s+fake/image\s+Running\s+{a.IPAddress.Replace(".", "\\.")}$", lines[2]);
    }
}
