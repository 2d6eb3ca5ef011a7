using System.Management.Automation;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>What PowerShell users expect: strings by value, per-item errors, quiet -Debug, labels, the image's own command, wildcards that ask.</summary>
public class ConventionTests
{
    [Theory]
    [InlineData("Start-DockerVm -Context $ctx")]
    [InlineData("Stop-DockerVm -Context $ctx")]
    [InlineData("Remove-DockerVm -Context $ctx -Force")]
    [InlineData("Get-DockerVm -Context $ctx")]
    public void Strings_piped_by_value_bind_as_names(string command)
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("vm1", "created");
        var b = s.Fake.Add("vm2", "created");
        s.Fake.Add("vm3", "created");

        var run = s.Run($"'vm1', 'vm2' | {command}").NoErrors();

        var touched = s.Fake.Calls.Where(c => c.Operation is "start" or "stop" or "rm").Select(c => c.Target).Distinct().ToList();
        if (command.StartsWith("Get-", StringComparison.Ordinal))
        {
            Assert.Equal(new[] { "vm1", "vm2" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        }
        else if (command.StartsWith("Stop-", StringComparison.Ordinal))
        {
            Assert.Equal(new[] { a.Id, b.Id }, s.Fake.Calls.Where(c => c.Operation == "stop").Select(c => c.Target));
        }
        else
        {
            Assert.Equal(new[] { a.Id, b.Id }, touched);
        }
    }

    [Fact]
    public void A_bad_row_in_pipeline_input_is_one_error_and_the_next_row_is_created()
    {
        using var s = new CmdletSession();

        var run = s.Run("""
            @([pscustomobject]@{ Image = 'img'; Name = 'row1' }, [pscustomobject]@{ Image = 'img'; Name = 'bad name!' }, [pscustomobject]@{ Image = 'img'; Name = 'row3' }) |
                New-DockerVm -Context $ctx
            """);

        Assert.Null(run.Terminating);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("DockerVmInvalidName,", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { "row1", "row3" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        Assert.Equal(new[] { "row1", "row3" }, s.Fake.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Debug_never_prompts_and_still_shows_each_engine_command()
    {
        using var s = new CmdletSession();
        s.Fake.Add("vm1", "created");
        s.Host.ConfirmAnswer = "No"; // a prompt, if any, would refuse and stop the command

        var run = s.Run("Start-DockerVm vm1 -Context $ctx -Debug -PassThru").NoErrors();

        Assert.Empty(s.Host.Prompts);
        Assert.Equal(VmState.Running, Assert.Single(run.Objects<DockerVmInstance>()).State);
        Assert.Contains(run.HostLines, l => l.StartsWith("DEBUG: > fake start", StringComparison.Ordinal) || l.StartsWith("DEBUG: >", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_DockerVm_Label_asks_the_engine_for_every_label()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "created").Labels["run"] = "42";
        var b = s.Fake.Add("b", "created");
        b.Labels["run"] = "42";
        b.Labels["team"] = "qa";
        s.Fake.Add("c", "created").Labels["run"] = "7";

        var run = s.Ok("Get-DockerVm -Context $ctx -Label @{ run = 42; team = 'qa' }");

        Assert.Equal(new[] { "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
        var ps = s.Fake.Calls.First(c => c.Operation == "ps");
        Assert.Contains("run=42", ps.Target);
        Assert.Contains("team=qa", ps.Target);
        Assert.Equal("qa", run.Objects<DockerVmInstance>()[0].Labels["team"]);
    }

    [Fact]
    public void UseImageCommand_creates_without_a_command_and_cannot_be_mixed_with_ContainerCommand()
    {
        using var s = new CmdletSession();

        var vm = Assert.Single(s.Ok("New-DockerVm img svc -Context $ctx -UseImageCommand").Objects<DockerVmInstance>());

        Assert.Empty(vm.ContainerCommand);
        Assert.Empty(Assert.Single(s.Fake.Containers).Command);
        var mixed = s.Run("New-DockerVm img svc2 -Context $ctx -UseImageCommand -ContainerCommand sleep, 1");
        Assert.NotNull(mixed.Terminating);
        Assert.Equal("AmbiguousParameterSet,DockerVm.Commands.NewDockerVmCommand", mixed.Terminating!.FullyQualifiedErrorId);
    }

    [Fact]
    public void An_empty_ContainerCommand_means_the_images_own_command()
    {
        using var s = new CmdletSession();
        var vm = Assert.Single(s.Ok("New-DockerVm img svc -Context $ctx -ContainerCommand @()").Objects<DockerVmInstance>());
        Assert.Empty(vm.ContainerCommand);
    }

    [Theory]
    [InlineData("Yes", true)]
    [InlineData("No", false)]
    public void A_wildcard_that_reaches_a_vm_another_process_created_asks_first(string answer, bool removed)
    {
        using var s = new CmdletSession();
        var other = s.Fake.Add("theirs-1", "created");
        other.Labels[DockerVm.Labels.CreatedBy] = "someone@elsewhere/4242/1700000000000";
        s.Host.ConfirmAnswer = answer;

        s.Run("Remove-DockerVm theirs-* -Context $ctx").NoErrors();

        var prompt = Assert.Single(s.Host.Prompts);
        Assert.Contains("someone on elsewhere (process 4242)", prompt.Message);
        Assert.Equal(!removed, s.Fake.Containers.Contains(other));
    }

    [Theory]
    [InlineData("Remove-DockerVm theirs-* -Context $ctx -Confirm:$false")]
    [InlineData("Remove-DockerVm theirs-* -Context $ctx -Force")]
    [InlineData("Remove-DockerVm theirs-1 -Context $ctx")]          // named: no question
    public void Runbooks_skip_the_question_with_Confirm_false_or_Force_and_a_named_vm_is_never_asked_about(string command)
    {
        using var s = new CmdletSession();
        var other = s.Fake.Add("theirs-1", "created");
        other.Labels[DockerVm.Labels.CreatedBy] = "someone@elsewhere/4242/1700000000000";

        s.Run(command).NoErrors();

        Assert.Empty(s.Host.Prompts);
        Assert.DoesNotContain(other, s.Fake.Containers);
    }

    [Fact]
    public void A_vm_this_process_created_is_removed_by_wildcard_without_a_question()
    {
        using var s = new CmdletSession();
        s.Ok("New-DockerVm img mine-1 -Context $ctx");

        s.Run("Remove-DockerVm mine-* -Context $ctx").NoErrors();

        Assert.Empty(s.Host.Prompts);
        Assert.Empty(s.Fake.Containers);
        Assert.Equal(Creator.Current.ToString(), Assert.Single(s.Fake.Calls, c => c.Operation == "create").Detail is CreateSpec spec ? spec.Labels[DockerVm.Labels.CreatedBy] : null);
    }
}
