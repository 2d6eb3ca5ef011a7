using System.Management.Automation;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>Ctrl+C (PowerShell.Stop) and downstream stops (Select-Object -First): the engine command ends, the VM is left in a known state.</summary>
public class InterruptTests
{
    [Fact]
    public void Ctrl_C_during_a_hanging_stop_ends_at_once_and_the_vm_is_in_a_known_state()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        s.Fake.Hang("stop");

        var (took, state) = s.RunAndStop("$vm | Stop-DockerVm", () => s.Fake.Calls.Any(c => c.Operation == "stop"));

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.True(took < TimeSpan.FromSeconds(10), $"stop took {took}");
        // The engine never acted: the read-back after the cancelled stop finds it running.
        var vm = Assert.Single(s.Ok("$vm").Objects<DockerVmInstance>());
        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal("running", a.Status);
        // The VM's lock was released: another action goes through.
        Assert.Equal(VmState.Suspended, Assert.Single(s.Ok("$vm | Suspend-DockerVm -PassThru").Objects<DockerVmInstance>()).State);
    }

    [Fact]
    public void Ctrl_C_during_a_hanging_exec_ends_at_once()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.Hang("exec");

        var (took, state) = s.RunAndStop("Invoke-DockerVmExec a sleep infinity -Context $ctx", () => s.Fake.Calls.Any(c => c.Operation == "exec"));

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.True(took < TimeSpan.FromSeconds(10), $"stop took {took}");
    }

    [Fact]
    public void Select_First_stops_the_upstream_cmdlet_after_the_first_vm_without_an_error()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Fake.Add("b", "exited");
        s.Fake.Add("c", "exited");

        var run = s.Ok("Get-DockerVm -Context $ctx | Start-DockerVm -PassThru | Select-Object -First 1");

        Assert.Equal(new[] { "a" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Single(Expect.Changes(s.Fake));
        Assert.Equal(new[] { "running", "exited", "exited" }, s.Fake.Containers.Select(c => c.Status));
    }
}
