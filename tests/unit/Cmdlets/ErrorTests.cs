using System.Diagnostics;
using System.Management.Automation;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Error records as the contract has them: the id, the category, the VM as target, a recommended
/// action; per-VM failures are non-terminating and the next VM goes on; an unreachable engine ends
/// the command.
/// </summary>
public class ErrorTests
{
    public static readonly TheoryData<string, string, string, string, string> Refused = new()
    {
        // cmdlet, command type, docker status, refused action, valid actions named in the message
        { "Start-DockerVm", "StartDockerVmCommand", "running", "Start", "Stop, Suspend" },
        { "Stop-DockerVm", "StopDockerVmCommand", "paused", "Stop", "Start, Suspend, Delete" },
        { "Suspend-DockerVm", "SuspendDockerVmCommand", "exited", "Suspend", "Start, Stop, Delete" },
        { "Resume-DockerVm", "ResumeDockerVmCommand", "exited", "resume", "Start, Stop, Delete" },
        { "Remove-DockerVm", "RemoveDockerVmCommand", "running", "Delete", "Stop, Suspend" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_action_the_table_refuses_is_DockerVmInvalidTransition_before_any_engine_change(
        string cmdlet, string commandType, string status, string action, string valid)
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", status);

        var run = s.Run($"{cmdlet} a -Context $ctx -PassThru");

        var error = Expect.OnlyError(run, "DockerVmInvalidTransition", commandType, ErrorCategory.InvalidOperation);
        var vm = Expect.TargetVm(error, "a");
        Assert.Contains(action, error.ToString());
        Assert.Contains($"Valid actions in {vm.State}: {valid}.", error.ToString());
        Assert.Empty(run.Output);
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Equal(status, a.Status);
    }

    [Fact]
    public void A_failure_on_one_vm_is_non_terminating_and_the_next_goes_on()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");
        var b = s.Fake.Add("b", "exited");
        a.DiesOnStartWith = 3;
        a.Logs = "fatal: no config";

        var run = s.Run("Start-DockerVm a, b -Context $ctx -PassThru");

        var error = Expect.OnlyError(run, "DockerVmStartFailed", "StartDockerVmCommand", ErrorCategory.InvalidResult);
        var vm = Expect.TargetVm(error, "a");
        Assert.Contains("exited with code 3", error.ToString());
        Assert.Contains("fatal: no config", error.ToString());
        Assert.Equal(3, ((DockerVmException)error.Exception).ExitCode);
        Assert.Equal(VmState.Stopped, vm.State);
        var started = Assert.Single(run.Objects<DockerVmInstance>());
        Assert.Equal(("b", VmState.Running), (started.Name, started.State));
        Assert.Equal("running", b.Status);
    }

    [Fact]
    public void An_engine_failure_on_one_vm_is_DockerCommandFailed_and_the_next_goes_on()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        s.Fake.Fail("stop", Failures.FromEngine(DockerVmErrorKind.CommandFailed, "a", "fake stop", 1, "something broke"));

        var run = s.Run("Stop-DockerVm a, b -Context $ctx -PassThru");

        // (the engine's own failures carry no RecommendedAction yet: see the skipped test below)
        var error = Expect.OnlyError(run, "DockerCommandFailed", "StopDockerVmCommand", ErrorCategory.NotSpecified, recommendedAction: false);
        Assert.Contains("something broke", error.ToString());
        // Only the failure's read-back reports a's state: the engine says it still runs.
        Assert.Equal(VmState.Running, Expect.TargetVm(error, "a").State);
        Assert.Equal(new[] { "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { "running", "exited" }, new[] { a.Status, b.Status });
    }

    [Fact]
    public void DockerCommandFailed_has_a_recommended_action()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.Fail("stop", Failures.FromEngine(DockerVmErrorKind.CommandFailed, "a", "fake stop", 1, "something broke"));

        var run = s.Run("Stop-DockerVm a -Context $ctx");

        Expect.OnlyError(run, "DockerCommandFailed", "StopDockerVmCommand", ErrorCategory.NotSpecified);
    }

    [Fact]
    public void ErrorAction_Stop_makes_a_per_vm_failure_end_the_command()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "exited");

        var run = s.Run("Start-DockerVm a, b -Context $ctx -ErrorAction Stop");

        Assert.Empty(run.Errors);
        Assert.Equal("DockerVmInvalidTransition,DockerVm.Commands.StartDockerVmCommand", run.Terminating?.FullyQualifiedErrorId);
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Equal("exited", b.Status);
    }

    [Fact]
    public void An_unreachable_engine_ends_the_command_and_no_further_vm_is_touched()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        s.Fake.Fail("stop", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, "a", "fake stop", 1,
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"));

        var run = s.Run("Stop-DockerVm a, b -Context $ctx -ErrorAction SilentlyContinue; 'not reached'");

        Assert.Empty(run.Errors);
        Assert.Empty(run.Output);
        var error = Expect.Error(run.Terminating, "DockerEngineUnavailable", "StopDockerVmCommand", ErrorCategory.ResourceUnavailable);
        var vm = Expect.TargetVm(error, "a");
        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(new[] { new FakeCall("stop", a.Id, 10) }, Expect.Changes(s.Fake));
        Assert.Equal("running", b.Status);
    }

    [Fact]
    public void An_engine_that_does_not_answer_a_lookup_ends_the_command()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Fake.Fail("inspect", Failures.NoAnswer("fake inspect a", TimeSpan.FromSeconds(1), null));
        var watch = Stopwatch.StartNew();

        var run = s.Run("Start-DockerVm a -Context $ctx");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Expect.Error(run.Terminating, "DockerEngineUnavailable", "StartDockerVmCommand", ErrorCategory.ResourceUnavailable);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void Remove_of_a_vanished_container_is_DockerVmNotFound_and_the_vm_is_Deleted()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        s.Fake.Containers.Clear();

        var run = s.Run("$vm | Remove-DockerVm -PassThru");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "RemoveDockerVmCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal(VmState.Deleted, Expect.TargetVm(error, "a").State);
        Assert.Empty(run.Output);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void Properties_of_a_vanished_container_are_DockerVmNotFound()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        s.Fake.Containers.Clear();

        var run = s.Run("$vm | Get-DockerVmProperties");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "GetDockerVmPropertiesCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal(VmState.Deleted, Expect.TargetVm(error, "a").State);
    }

    [Fact]
    public void New_with_a_name_in_use_is_DockerVmNameConflict_and_the_other_container_is_left_alone()
    {
        using var s = new CmdletSession();
        var taken = s.Fake.Add("taken", "running");

        var run = s.Run("New-DockerVm fake/img taken -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNameConflict", "NewDockerVmCommand", ErrorCategory.ResourceExists);
        Expect.TargetVm(error, "taken");
        Assert.Empty(run.Output);
        Assert.Same(taken, Assert.Single(s.Fake.Containers));
        Assert.Equal("running", taken.Status);
        Assert.DoesNotContain(s.Fake.Calls, c => c.Operation == "rm");
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("a")]
    [InlineData("has space")]
    [InlineData("")]
    public void New_with_an_invalid_name_is_DockerVmInvalidName_before_any_engine_call(string name)
    {
        using var s = new CmdletSession();
        s.Set("name", name);

        var run = s.Run("New-DockerVm fake/img -Name $name -Context $ctx; 'the script goes on'");

        // one bad item is one non-terminating error (the next pipeline row would go on)
        Assert.Null(run.Terminating);
        var error = Expect.Error(Assert.Single(run.Errors), "DockerVmInvalidName", "NewDockerVmCommand", ErrorCategory.InvalidArgument);
        Assert.Equal(name, Expect.Target(error));
        Assert.Equal(new[] { "the script goes on" }, run.Strings);
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void New_with_an_invalid_label_key_is_DockerVmInvalidName_before_any_engine_call()
    {
        using var s = new CmdletSession();

        var run = s.Run("New-DockerVm fake/img n1 -Label @{ 'a=b' = 'x' } -Context $ctx");

        var error = Expect.Error(Assert.Single(run.Errors), "DockerVmInvalidName", "NewDockerVmCommand", ErrorCategory.InvalidArgument);
        Assert.Contains("-Label", error.ToString());
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void New_with_a_missing_image_is_DockerVmImageNotFound_and_leaves_nothing_behind()
    {
        using var s = new CmdletSession();
        s.Fake.Images = new HashSet<string> { "present/img" };

        var run = s.Run("New-DockerVm missing/img n1 -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmImageNotFound", "NewDockerVmCommand", ErrorCategory.ObjectNotFound);
        Expect.TargetVm(error, "n1");
        Assert.Contains("missing/img", error.ToString());
        Assert.Empty(s.Fake.Containers);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void New_Start_of_a_vm_that_dies_is_DockerVmStartFailed_and_leaves_nothing_behind()
    {
        using var s = new CmdletSession();
        s.Fake.Before("start", call => s.Fake.Find(call.Target)!.DiesOnStartWith = 2);

        var run = s.Run("New-DockerVm fake/img n1 -Start -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmStartFailed", "NewDockerVmCommand", ErrorCategory.InvalidResult);
        var vm = Expect.TargetVm(error, "n1");
        Assert.Contains("code 2", error.ToString());
        Assert.Empty(run.Output);
        Assert.Empty(s.Fake.Containers);
        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Equal(new[] { "create", "start", "rm" }, Expect.Changes(s.Fake).Select(c => c.Operation));
    }

    [Fact]
    public void New_with_an_unreachable_engine_is_terminating()
    {
        using var s = new CmdletSession();
        s.Fake.Fail("create", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, "n1", "fake create", 1, "Cannot connect to the Docker daemon"));

        var run = s.Run("New-DockerVm fake/img n1 -Context $ctx; 'not reached'");

        Expect.Error(run.Terminating, "DockerEngineUnavailable", "NewDockerVmCommand", ErrorCategory.ResourceUnavailable);
        Assert.Empty(run.Output);
        Assert.Empty(s.Fake.Containers);
    }
}
