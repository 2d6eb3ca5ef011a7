using System.Management.Automation;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Parameter binding of the cmdlets that act on existing VMs: the ByName and ByObject sets,
/// -Name by position and by property name, VM objects by value, wildcards among managed VMs,
/// and a literal name that matches nothing.
/// </summary>
public class BindingTests
{
    public static readonly TheoryData<string> TargetCmdlets = new()
    {
        "Start-DockerVm", "Stop-DockerVm", "Suspend-DockerVm", "Resume-DockerVm", "Remove-DockerVm",
        "Invoke-DockerVmExec", "Get-DockerVmProperties", "Wait-DockerVm", "Get-DockerVmLog",
        "Invoke-DockerVmExec", "Get-DockerVmProperties", "Wait-DockerVm", "Checkpoint-DockerVm",
    };

    public static readonly TheoryData<string> MutatingCmdlets = new()
    {
        "New-DockerVm", "Start-DockerVm", "Stop-DockerVm", "Suspend-DockerVm", "Resume-DockerVm", "Remove-DockerVm",
        "Copy-DockerVmItem", "Checkpoint-DockerVm", "Restore-DockerVmCheckpoint", "Remove-DockerVmCheckpoint",
    };

    [Theory]
    [MemberData(nameof(TargetCmdlets))]
    public void Every_target_cmdlet_has_the_ByName_and_ByObject_sets(string cmdlet)
    {
        using var s = new CmdletSession();
        var info = Assert.IsType<CmdletInfo>(Assert.Single(s.Ok($"Get-Command {cmdlet}").Output).BaseObject);

        Assert.Equal(new[] { "ByName", "ByObject" }, info.ParameterSets.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));

        var name = info.Parameters["Name"];
        Assert.Equal(typeof(string[]), name.ParameterType);
        var byName = Assert.Single(name.ParameterSets).Value;
        Assert.Equal("ByName", Assert.Single(name.ParameterSets).Key);
        Assert.Equal(0, byName.Position);
        Assert.True(byName.IsMandatory);
        Assert.True(byName.ValueFromPipelineByPropertyName);
        Assert.True(byName.ValueFromPipeline);   // strings piped by value are names
        Assert.Contains(name.Attributes, a => a is SupportsWildcardsAttribute);

        var context = info.Parameters["Context"];
        Assert.Equal(typeof(string), context.ParameterType);
        Assert.Equal("ByName", Assert.Single(context.ParameterSets).Key);
        Assert.True(context.ParameterSets["ByName"].ValueFromPipelineByPropertyName);

        var vm = info.Parameters["VM"];
        Assert.Equal(typeof(DockerVmInstance[]), vm.ParameterType);
        Assert.Equal("ByObject", Assert.Single(vm.ParameterSets).Key);
        Assert.Equal(0, vm.ParameterSets["ByObject"].Position);
        Assert.True(vm.ParameterSets["ByObject"].IsMandatory);
        Assert.True(vm.ParameterSets["ByObject"].ValueFromPipeline);
    }

    [Theory]
    [MemberData(nameof(MutatingCmdlets))]
    public void Mutating_cmdlets_support_WhatIf_and_Confirm(string cmdlet)
    {
        using var s = new CmdletSession();
        var info = Assert.IsType<CmdletInfo>(Assert.Single(s.Ok($"Get-Command {cmdlet}").Output).BaseObject);
        Assert.True(info.Parameters.ContainsKey("WhatIf"));
        Assert.True(info.Parameters.ContainsKey("Confirm"));
    }

    [Fact]
    public void Name_binds_by_position()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");

        var vm = Assert.Single(s.Ok("Start-DockerVm a -Context $ctx -PassThru").Objects<DockerVmInstance>());

        Assert.Equal("a", vm.Name);
        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(s.Context, vm.Context);
        Assert.Equal(new[] { new FakeCall("start", a.Id) }, Expect.Changes(s.Fake));
        Assert.Equal("running", a.Status);
    }

    [Fact]
    public void Instances_bind_by_value_and_are_acted_on_without_a_lookup()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        s.Ok("$vms = Get-DockerVm -Context $ctx");
        var before = s.Fake.Calls.Count;

        var run = s.Ok("$vms | Stop-DockerVm -PassThru");

        // ByObject: the piped objects themselves, no name resolution (no inspect, no ps).
        Assert.Equal(new[] { new FakeCall("stop", a.Id, 10), new FakeCall("stop", b.Id, 10) }, s.Fake.Calls.Skip(before));
        var vms = LanguagePrimitives.GetEnumerable(s.Get("vms")).Cast<object>().Select(o => o is PSObject p ? p.BaseObject : o).ToList();
        Assert.Equal(2, run.Output.Count);
        Assert.Same(vms[0], run.Output[0].BaseObject);
        Assert.Same(vms[1], run.Output[1].BaseObject);
        Assert.All(run.Objects<DockerVmInstance>(), v => Assert.Equal(VmState.Stopped, v.State));
    }

    [Fact]
    public void An_instance_binds_to_VM_by_position()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        var before = s.Fake.Calls.Count;

        var vm = Assert.Single(s.Ok("Suspend-DockerVm $vm -PassThru").Objects<DockerVmInstance>());

        Assert.Equal(VmState.Suspended, vm.State);
        Assert.Equal(new[] { new FakeCall("pause", a.Id) }, s.Fake.Calls.Skip(before));
    }

    [Fact]
    public void Objects_with_Name_and_Context_bind_by_property_name()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        var c = s.Fake.Add("c", "running");

        var run = s.Ok("[pscustomobject]@{ Name = 'a'; Context = $ctx }, [pscustomobject]@{ Name = 'c'; Context = $ctx } | Stop-DockerVm -PassThru");

        Assert.Equal(new[] { "a", "c" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { "exited", "running", "exited" }, new[] { a.Status, b.Status, c.Status });
    }

    [Fact]
    public void Objects_with_only_Name_take_Context_from_the_command_line()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");

        var vm = Assert.Single(s.Ok("[pscustomobject]@{ Name = 'a' } | Start-DockerVm -Context $ctx -PassThru").Objects<DockerVmInstance>());

        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal("running", a.Status);
    }

    [Fact]
    public void Each_piped_object_is_acted_on_in_its_own_context()
    {
        using var s = new CmdletSession();
        var other = TestEngines.NewFake();
        s.Set("ctx2", other.Context);
        var here = s.Fake.Add("web", "running");
        var there = other.Add("web", "running");

        var run = s.Ok("[pscustomobject]@{ Name = 'web'; Context = $ctx }, [pscustomobject]@{ Name = 'web'; Context = $ctx2 } | Stop-DockerVm -PassThru");

        Assert.Equal(new[] { s.Context, other.Context }, run.Objects<DockerVmInstance>().Select(v => v.Context));
        Assert.Equal(new[] { new FakeCall("stop", here.Id, 10) }, Expect.Changes(s.Fake));
        Assert.Equal(new[] { new FakeCall("stop", there.Id, 10) }, Expect.Changes(other));
    }

    [Fact]
    public void Get_DockerVm_output_piped_on_binds_by_value()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Fake.Add("b", "running");

        var run = s.Ok("Get-DockerVm -Context $ctx -State Stopped | Start-DockerVm -PassThru");

        var vm = Assert.Single(run.Objects<DockerVmInstance>());
        Assert.Equal(("a", VmState.Running), (vm.Name, vm.State));
        Assert.Single(Expect.Changes(s.Fake));
    }

    [Fact]
    public void Wildcards_expand_among_managed_vms_only()
    {
        using var s = new CmdletSession();
        var web1 = s.Fake.Add("web-1", "running");
        var web2 = s.Fake.Add("web-2", "running");
        var db = s.Fake.Add("db", "running");
        var foreign = s.Fake.Add("web-foreign", "running", managed: false);

        var run = s.Ok("Stop-DockerVm -Name 'WEB-*' -Context $ctx -PassThru");

        Assert.Equal(new[] { "web-1", "web-2" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { web1.Id, web2.Id }, Expect.Changes(s.Fake).Select(c => c.Target));
        Assert.Equal(new[] { "exited", "exited", "running", "running" }, new[] { web1.Status, web2.Status, db.Status, foreign.Status });
    }

    [Fact]
    public void A_vm_named_twice_is_acted_on_once()
    {
        using var s = new CmdletSession();
        var web1 = s.Fake.Add("web-1", "running");
        var web2 = s.Fake.Add("web-2", "running");

        var run = s.Ok("Stop-DockerVm -Name 'web-1', 'web-*' -Context $ctx -PassThru");

        Assert.Equal(2, run.Output.Count);
        Assert.Equal(new[] { web1.Id, web2.Id }, Expect.Changes(s.Fake).Select(c => c.Target));
    }

    [Fact]
    public void A_wildcard_that_matches_nothing_is_not_an_error()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Ok("Stop-DockerVm -Name 'zz*' -Context $ctx -PassThru");

        Assert.Empty(run.Output);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void A_literal_name_that_matches_nothing_is_DockerVmNotFound_and_the_others_go_on()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");
        var b = s.Fake.Add("b", "exited");

        var run = s.Run("Start-DockerVm -Name a, nosuch, b -Context $ctx -PassThru");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "StartDockerVmCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal("nosuch", Expect.Target(error));
        Assert.Contains("'nosuch'", error.ToString());
        Assert.Contains(s.Context, error.ToString());
        Assert.Equal(new[] { "a", "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { new FakeCall("start", a.Id), new FakeCall("start", b.Id) }, Expect.Changes(s.Fake));
    }

    [Fact]
    public void A_container_without_the_managed_label_is_not_found_by_name()
    {
        using var s = new CmdletSession();
        var plain = s.Fake.Add("plain", "running", managed: false);

        var run = s.Run("Stop-DockerVm plain -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "StopDockerVmCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal("plain", Expect.Target(error));
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Equal("running", plain.Status);
    }

    [Fact]
    public void Properties_bind_by_name_by_position_and_by_pipeline()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var byName = Assert.Single(s.Ok("Get-DockerVmProperties a -Context $ctx").Objects<DockerVmProperties>());
        var byPipe = Assert.Single(s.Ok("Get-DockerVm a -Context $ctx | Get-DockerVmProperties").Objects<DockerVmProperties>());
        var byProperty = Assert.Single(s.Ok("[pscustomobject]@{ Name = 'a'; Context = $ctx } | Get-DockerVmProperties").Objects<DockerVmProperties>());

        Assert.Equal(new[] { "a", "a", "a" }, new[] { byName.Name, byPipe.Name, byProperty.Name });
    }

    [Fact]
    public void Exec_takes_name_command_and_arguments_by_position()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        s.Ok("Invoke-DockerVmExec a printf '%s|' 'x y' '' '$HOME' -Context $ctx");

        var call = Assert.Single(s.Fake.Calls, c => c.Operation == "exec");
        Assert.Equal(a.Id, call.Target);
        var spec = Assert.IsType<DockerVm.Engine.ExecSpec>(call.Detail);
        Assert.Equal("printf", spec.Command);
        Assert.Equal(new[] { "%s|", "x y", "", "$HOME" }, spec.Arguments);
    }

    [Fact]
    public void Exec_takes_the_vm_by_position_and_by_pipeline()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");

        Assert.Equal(new[] { "hostname" }, s.Ok("Invoke-DockerVmExec $vm hostname").Strings);
        Assert.Equal(new[] { "uname -a" }, s.Ok("$vm | Invoke-DockerVmExec -Command uname -ArgumentList '-a'").Strings);
    }

    [Fact]
    public void Name_and_VM_together_are_refused_by_the_binder()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");

        var run = s.Run("Start-DockerVm -Name a -VM $vm");

        Assert.NotNull(run.Terminating);
        Assert.StartsWith("AmbiguousParameterSet", run.Terminating!.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(Expect.Changes(s.Fake));
    }
}

/// <summary>
/// The default context (no -Context, no Context property): the registry's engine for "". Only this
/// class registers an engine for it, once for the process; other tests that need it use <see cref="Default"/>.
/// </summary>
public class DefaultContextTests
{
    internal static readonly Lazy<FakeEngine> Default = new(() => TestEngines.Register(new FakeEngine("")));

    [Fact]
    public void Names_without_a_context_use_the_default_engine()
    {
        using var s = new CmdletSession(Default.Value);
        var a = Default.Value.Add("default-ctx-a", "exited");

        var run = s.Ok("[pscustomobject]@{ Name = 'default-ctx-a' } | Start-DockerVm -PassThru; Get-DockerVm 'default-ctx-*'");

        Assert.Equal(2, run.Output.Count);
        Assert.All(run.Objects<DockerVmInstance>(), v => Assert.Equal(("default-ctx-a", "", VmState.Running), (v.Name, v.Context, v.State)));
        Assert.Equal("running", a.Status);
    }
}
