using System.Management.Automation;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>The machine toolkit's cmdlets and options, in-process against the in-memory engine.</summary>
public class ToolkitTests
{
    [Fact]
    public void Restart_of_a_Running_vm_stops_then_starts_it_and_WhatIf_shows_both()
    {
        using var s = new CmdletSession();
        var c = s.Fake.Add("a", "running");

        var whatIf = s.Ok("Restart-DockerVm a -Context $ctx -WhatIf");
        Assert.Equal($"What if: Performing the operation \"fake stop {c.Id} && fake start {c.Id}\" on target \"a\".", Assert.Single(whatIf.WhatIf));
        Assert.Empty(Expect.Changes(s.Fake));

        var vm = Assert.Single(s.Ok("Restart-DockerVm a -Context $ctx -TimeoutSec 3 -PassThru").Objects<DockerVmInstance>());
        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(new[] { new FakeCall("stop", c.Id, 3), new FakeCall("start", c.Id) }, Expect.Changes(s.Fake));
    }

    [Fact]
    public void Restart_of_a_Stopped_vm_just_starts_it_and_of_a_Suspended_one_is_refused()
    {
        using var s = new CmdletSession();
        var stopped = s.Fake.Add("a", "exited");
        s.Fake.Add("b", "paused");

        var run = s.Run("Restart-DockerVm a, b -Context $ctx -Force");

        Assert.Equal(new[] { new FakeCall("start", stopped.Id) }, Expect.Changes(s.Fake));
        Assert.StartsWith("DockerVmInvalidTransition,", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Create_options_reach_the_engine_as_typed_fields()
    {
        using var s = new CmdletSession();

        s.Ok("New-DockerVm img aa -Context $ctx -Port 8080:80, 127.0.0.1::53/udp -Volume /tmp/x:/data:ro -MemoryMB 64 -Cpus 0.5 -Network n1 -Ephemeral");

        var spec = Assert.IsType<CreateSpec>(Assert.Single(s.Fake.Calls, c => c.Operation == "create").Detail);
        Assert.Equal(new[] { "8080:80", "127.0.0.1::53/udp" }, spec.Ports);
        Assert.Equal(new[] { "/tmp/x:/data:ro" }, spec.Volumes);
        Assert.Equal(64L * 1024 * 1024, spec.MemoryBytes);
        Assert.Equal(0.5, spec.Cpus);
        Assert.Equal("n1", spec.Network);
        Assert.Equal("true", spec.Labels[DockerVm.Labels.Ephemeral]);
    }

    [Theory]
    [InlineData("-Port 'eighty'")]
    [InlineData("-Port '8080:80:90:1'")]
    [InlineData("-Volume '--privileged'")]
    public void A_create_option_docker_would_reject_is_refused_before_any_engine_call(string option)
    {
        using var s = new CmdletSession();

        var run = s.Run($"New-DockerVm img aa -Context $ctx {option}");

        Assert.StartsWith("DockerVmInvalidName,", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void Orphaned_lists_only_ephemeral_vms_whose_creating_process_is_gone()
    {
        using var s = new CmdletSession();
        var dead = s.Fake.Add("dead", "running");
        dead.Labels[DockerVm.Labels.Ephemeral] = "true";
        dead.Labels[DockerVm.Labels.CreatedBy] = new Creator(Environment.UserName, Environment.MachineName, int.MaxValue - 7, 1).ToString();
        var alive = s.Fake.Add("alive", "running");
        alive.Labels[DockerVm.Labels.Ephemeral] = "true";
        alive.Labels[DockerVm.Labels.CreatedBy] = Creator.Current.ToString();
        var reused = s.Fake.Add("reused", "running");   // this process's id, another start time: the id was reused
        reused.Labels[DockerVm.Labels.Ephemeral] = "true";
        reused.Labels[DockerVm.Labels.CreatedBy] = new Creator(Environment.UserName, Environment.MachineName, Environment.ProcessId, 1).ToString();
        var elsewhere = s.Fake.Add("elsewhere", "running");
        elsewhere.Labels[DockerVm.Labels.Ephemeral] = "true";
        elsewhere.Labels[DockerVm.Labels.CreatedBy] = "u@another-host/1/1";
        var kept = s.Fake.Add("kept", "running");        // not ephemeral
        kept.Labels[DockerVm.Labels.CreatedBy] = dead.Labels[DockerVm.Labels.CreatedBy];

        var run = s.Ok("Get-DockerVm -Context $ctx -Orphaned");

        Assert.Equal(new[] { "dead", "reused" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void Enter_DockerVm_in_a_host_without_a_console_fails_before_anything_runs()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Run("Enter-DockerVm a -Context $ctx");

        var error = Assert.Single(run.Errors);
        Assert.StartsWith("DockerCommandFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("console", error.ToString());
        Assert.DoesNotContain(s.Fake.Calls, c => c.Operation == "interactive");
    }

    [Fact]
    public void Several_vms_in_one_call_write_progress_one_vm_none()
    {
        using var s = new CmdletSession();
        foreach (var n in new[] { "p1", "p2", "p3" })
        {
            s.Fake.Add(n, "created");
        }

        var many = s.Ok("$ProgressPreference = 'Continue'; Start-DockerVm p* -Context $ctx");
        var one = s.Ok("$ProgressPreference = 'Continue'; Stop-DockerVm p1 -Context $ctx");

        Assert.Equal(new[] { "p1 (1 of 3)", "p2 (2 of 3)", "p3 (3 of 3)" },
            many.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).Select(p => p.StatusDescription));
        Assert.Equal(ProgressRecordType.Completed, many.Progress.Last().RecordType);
        Assert.Empty(one.Progress);
    }
}
