using System.Management.Automation;
using DockerVm.Pools;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>New-/Get-/Update-/Remove-DockerVmPool and New-DockerVm -Pool in-process: binding, output, -WhatIf, error records, -Verbose.</summary>
public sealed class PoolCmdletTests
{
    private static IReadOnlyList<FakeContainer> Waiting(FakeEngine engine, string pool) =>
        engine.Containers.Where(c => c.Name.StartsWith(PoolNames.Prefix + pool + "-", StringComparison.Ordinal) && c.Labels.ContainsKey(PoolNames.PoolLabel)).ToList();

    [Fact]
    public void New_DockerVmPool_defines_and_fills_and_Get_DockerVmPool_reports_it()
    {
        using var s = new CmdletSession();
        var made = s.Ok("New-DockerVmPool ci -Image fake/image -Size 3 -StagingState Suspended -Label @{ team = 'a' } -Context $ctx -PassThru -Verbose");

        var pool = Assert.Single(made.Objects<DockerVmPool>());
        Assert.Equal(("ci", "fake/image", 3, VmState.Suspended, 3, s.Context), (pool.Name, pool.Image, pool.Size, pool.StagingState, pool.Ready, pool.Context));
        Assert.Equal(3, Waiting(s.Fake, "ci").Count);
        Assert.Contains(made.Verbose, v => v.Contains("replenished"));

        var got = s.Ok("Get-DockerVmPool c* -Context $ctx");
        Assert.Equal("ci", Assert.Single(got.Objects<DockerVmPool>()).Name);
        Assert.Empty(s.Ok("Get-DockerVm -Context $ctx").Output); // waiting VMs are not listed as VMs
    }

    [Fact]
    public void New_DockerVm_Pool_takes_a_waiting_vm_under_the_new_name_and_says_so()
    {
        using var s = new CmdletSession();
        s.Ok("New-DockerVmPool ci -Image fake/image -Size 2 -Context $ctx");
        var ids = Waiting(s.Fake, "ci").Select(c => c.Id).ToList();

        var run = s.Ok("New-DockerVm -Pool ci -Name job1 -Start -Context $ctx -Verbose");

        var vm = Assert.Single(run.Objects<DockerVmInstance>());
        Assert.Equal(("job1", VmState.Running), (vm.Name, vm.State));
        Assert.Contains(vm.ContainerId, ids);
        Assert.Contains(run.Verbose, v => v.Contains("took 'dockervm-pool-ci-") && v.Contains("as 'job1'"));
        Assert.Equal(new[] { "job1" }, s.Ok("Get-DockerVm -Context $ctx").Objects<DockerVmInstance>().Select(v => v.Name));
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "ci");
        Assert.Equal(2, Waiting(s.Fake, "ci").Count);
    }

    [Fact]
    public void A_missing_pool_is_DockerVmPoolNotFound_ObjectNotFound()
    {
        using var s = new CmdletSession();
        var run = s.Run("New-DockerVm -Pool nope -Name x1 -Context $ctx");
        var e = Assert.Single(run.Errors);
        Assert.Equal("DockerVmPoolNotFound,DockerVm.Commands.NewDockerVmCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        foreach (var script in new[] { "Get-DockerVmPool nope -Context $ctx", "Update-DockerVmPool nope -Context $ctx", "Remove-DockerVmPool nope -Context $ctx -Confirm:$false" })
        {
            Assert.StartsWith("DockerVmPoolNotFound,", Assert.Single(s.Run(script).Errors).FullyQualifiedErrorId);
        }
        Assert.Empty(s.Fake.Containers);
    }

    [Fact]
    public void Update_resizes_and_Remove_removes_waiting_vms_but_not_taken_ones()
    {
        using var s = new CmdletSession();
        s.Ok("New-DockerVmPool ci -Image fake/image -Size 1 -StagingState Stopped -Context $ctx");
        var up = s.Ok("Update-DockerVmPool ci -Size 3 -Context $ctx -PassThru");
        Assert.Equal((3, 3), (Assert.Single(up.Objects<DockerVmPool>()).Size, Waiting(s.Fake, "ci").Count));
        s.Ok("New-DockerVm -Pool ci -Name kept -Context $ctx");
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "ci");

        var whatIf = s.Ok("Remove-DockerVmPool ci -Context $ctx -WhatIf");
        Assert.Single(whatIf.WhatIf);
        Assert.Equal(3, Waiting(s.Fake, "ci").Count);

        s.Ok("Remove-DockerVmPool ci -Context $ctx -Confirm:$false");
        Assert.Equal(new[] { "kept" }, s.Fake.Containers.Select(c => c.Name));
        Assert.Empty(s.Ok("Get-DockerVmPool -Context $ctx").Output);
    }

    [Fact]
    public void New_DockerVmPool_WhatIf_creates_nothing_and_a_pool_of_that_name_is_a_conflict()
    {
        using var s = new CmdletSession();
        Assert.Single(s.Ok("New-DockerVmPool ci -Image fake/image -Context $ctx -WhatIf").WhatIf);
        Assert.Empty(s.Fake.Containers);
        s.Ok("New-DockerVmPool ci -Image fake/image -Size 0 -Context $ctx");
        Assert.StartsWith("DockerVmNameConflict,", Assert.Single(s.Run("New-DockerVmPool ci -Image fake/image -Context $ctx").Errors).FullyQualifiedErrorId);
    }
}
