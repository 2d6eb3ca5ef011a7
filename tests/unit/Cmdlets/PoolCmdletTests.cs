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

    private static readonly string[] SharedCreateOptions =
    {
        "ContainerCommand", "UseImageCommand", "CreateArgument", "Environment", "Label", "StopTimeoutSec", "PollingIntervalMs",
        "Port", "Volume", "MemoryMB", "Cpus", "Network",
    };

    [Fact]
    public void New_DockerVm_and_New_DockerVmPool_take_the_same_create_options_declared_once()
    {
        using var s = new CmdletSession();
        foreach (var cmdlet in new[] { "New-DockerVm", "New-DockerVmPool" })
        {
            var keys = s.Ok($"(Get-Command {cmdlet}).Parameters.Keys").Strings;
            Assert.All(SharedCreateOptions, o => Assert.Contains(o, keys));
        }
        foreach (var type in new[] { typeof(DockerVm.Commands.NewDockerVmCommand), typeof(DockerVm.Commands.NewDockerVmPoolCommand) })
        {
            Assert.All(SharedCreateOptions, o => Assert.Equal(typeof(DockerVm.Commands.VmCreateCmdlet), type.GetProperty(o)!.DeclaringType));
        }
    }

    [Fact]
    public void A_pool_creates_each_vm_with_every_create_option()
    {
        using var s = new CmdletSession();

        s.Ok("New-DockerVmPool ci -Image fake/image -Size 2 -Port 80, '127.0.0.1::53/udp' -Volume /data -MemoryMB 64 -Cpus 0.5 -Network bridge -CreateArgument '--hostname', 'h1' -Environment @{ MODE = 'test' } -PollingIntervalMs 70 -ContainerCommand sleep, '1d' -Context $ctx");

        var specs = s.Fake.Calls.Where(c => c.Operation == "create").Select(c => (Engine.CreateSpec)c.Detail!).Where(c => c.Labels.ContainsKey(PoolNames.PoolLabel) && !c.Labels.ContainsKey(PoolNames.DefinitionLabel)).ToList();
        Assert.Equal(2, specs.Count);
        Assert.All(specs, c => Assert.Equal(
            "80,127.0.0.1::53/udp | /data | 67108864 | 0.5 | bridge | --hostname,h1 | sleep,1d | test | 70",
            $"{string.Join(",", c.Ports)} | {string.Join(",", c.Volumes)} | {c.MemoryBytes} | {c.Cpus} | {c.Network} | {string.Join(",", c.CreateArguments)} | {string.Join(",", c.ContainerCommand)} | {c.Environment["MODE"]} | {c.Labels[Labels.PollingInterval]}"));
    }

    [Theory]
    [InlineData("-Image other/image", "-Image")]
    [InlineData("-Port 80", "-Port")]
    [InlineData("-Environment @{ A = 1 }", "-Environment")]
    [InlineData("-Volume /x -MemoryMB 64", "-Volume, -MemoryMB")]
    [InlineData("-Cpus 1 -Network n -Label @{ a = 1 } -StopTimeoutSec 3", "-Label, -StopTimeoutSec, ")]
    [InlineData("-CreateArgument --init -PollingIntervalMs 5", "-CreateArgument, -PollingIntervalMs")]
    [InlineData("-Ephemeral", "-Ephemeral")]
    public void New_DockerVm_Pool_refuses_a_create_option_the_pool_decides_and_takes_nothing(string option, string named)
    {
        using var s = new CmdletSession();
        s.Ok("New-DockerVmPool ci -Image fake/image -Size 1 -Context $ctx");
        var before = s.Fake.Calls.Count;

        var run = s.Run($"New-DockerVm -Pool ci -Name job1 {option} -Context $ctx");

        Assert.NotNull(run.Terminating);
        Assert.Equal("AmbiguousParameterSet,DockerVm.Commands.NewDockerVmCommand", run.Terminating!.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, run.Terminating.CategoryInfo.Category);
        Assert.IsType<ParameterBindingException>(run.Terminating.Exception);
        Assert.Contains(named, run.Terminating.Exception.Message);
        Assert.Contains("cannot be used with -Pool: warm pool 'ci' decides", run.Terminating.Exception.Message);
        Assert.Empty(run.Output);
        Assert.Equal(before, s.Fake.Calls.Count);
    }

    [Fact]
    public void With_Pool_the_name_start_and_context_go_positionally_and_by_name()
    {
        using var s = new CmdletSession();
        s.Ok("New-DockerVmPool ci -Image fake/image -Size 1 -Context $ctx");

        var vm = Assert.Single(s.Ok("New-DockerVm -Pool ci job1 -Start -StartTimeoutSec 5 -Context $ctx").Objects<DockerVmInstance>());

        Assert.Equal(("job1", VmState.Running), (vm.Name, vm.State));
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "ci");
    }

    [Fact]
    public void Update_and_Remove_take_wildcards_and_Remove_asks_for_each_pool()
    {
        using var s = new CmdletSession();
        foreach (var p in new[] { "ci-a", "ci-b", "web" })
        {
            s.Ok($"New-DockerVmPool {p} -Image fake/image -Size 1 -StagingState Stopped -Context $ctx");
        }

        var up = s.Ok("Update-DockerVmPool ci-* -Size 2 -Context $ctx -PassThru");
        Assert.Equal(new[] { ("ci-a", 2), ("ci-b", 2) }, up.Objects<DockerVmPool>().Select(p => (p.Name, p.Size)));
        Assert.Equal((2, 2, 1), (Waiting(s.Fake, "ci-a").Count, Waiting(s.Fake, "ci-b").Count, Waiting(s.Fake, "web").Count));
        Assert.Empty(s.Ok("Update-DockerVmPool nomatch* -Context $ctx").Output); // a wildcard that matches nothing is no error

        var whatIf = s.Ok("Remove-DockerVmPool * -Context $ctx -WhatIf");
        Assert.Equal(3, whatIf.WhatIf.Count);
        s.Host.ConfirmAnswer = "No";
        s.Ok("Remove-DockerVmPool ci* -Context $ctx -Confirm");
        Assert.Equal(2, s.Host.Prompts.Count);
        Assert.Equal(3, s.Ok("Get-DockerVmPool -Context $ctx").Output.Count);

        s.Ok("Remove-DockerVmPool ci-* -Context $ctx -Confirm:$false");
        Assert.Equal(new[] { "web" }, s.Ok("Get-DockerVmPool -Context $ctx").Objects<DockerVmPool>().Select(p => p.Name));
        Assert.Empty(Waiting(s.Fake, "ci-a").Concat(Waiting(s.Fake, "ci-b")));
        Assert.StartsWith("DockerVmPoolNotFound,", Assert.Single(s.Run("Remove-DockerVmPool ci-a -Context $ctx -Confirm:$false").Errors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("8080:80")]
    [InlineData("127.0.0.1:8080:80")]
    [InlineData("[::1]:8080:80/udp")]
    [InlineData("8000-8001:80-81")]
    public void A_pool_refuses_a_fixed_host_port_and_makes_nothing(string port)
    {
        using var s = new CmdletSession();

        var run = s.Run($"New-DockerVmPool ci -Image fake/image -Size 2 -Port '{port}' -Context $ctx");

        var error = Assert.Single(run.Errors);
        Assert.Equal("DockerVmInvalidName,DockerVm.Commands.NewDockerVmPoolCommand", error.FullyQualifiedErrorId);
        Assert.Contains($"-Port '{port}' is not valid: a pool's VMs each need a host port of their own", error.Exception.Message);
        Assert.Empty(s.Fake.Calls);
    }

    [Theory]
    [InlineData("80", "")]
    [InlineData("53/udp", "")]
    [InlineData("127.0.0.1::80", "")]
    [InlineData("[::1]::80", "")]
    [InlineData("8080:80", "8080")]
    [InlineData("127.0.0.1:8080:80/tcp", "8080")]
    [InlineData("[::1]:8080:80", "8080")]
    public void The_host_port_of_a_port_entry_is_read_as_docker_reads_it(string port, string host) =>
        Assert.Equal(host, InputRules.HostPort(port));
}
