using System.Management.Automation;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>What a refused -Environment key looks like: a binding error about the key, not the VM's name.</summary>
internal static class EnvironmentKeys
{
    public static void AssertRefused(RunResult run, string commandType, string shownKey)
    {
        Assert.NotNull(run.Terminating);
        var e = run.Terminating!;
        Assert.Equal($"ParameterArgumentValidationError,DockerVm.Commands.{commandType}", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
        var text = e.ToString();
        Assert.Contains("'Environment'", text); // PowerShell names the parameter
        Assert.Contains($"-Environment has the key '{shownKey}', which is not an environment variable name", text);
        Assert.Contains("no '=', white space or NUL", text);
        Assert.DoesNotContain("VM name", text);
    }
}

/// <summary>-Environment keys on New-DockerVm and New-DockerVmPool (Invoke-DockerVmExec: ExecTests), and the Core's own check.</summary>
public sealed class EnvironmentKeyTests
{
    [Theory]
    [InlineData("'A B'", "A B")]
    [InlineData("\"A`tB\"", "A\tB")]
    [InlineData("'K=V'", "K=V")]
    [InlineData("\"K`0\"", "K`0")]
    [InlineData("' '", " ")]
    public void New_DockerVm_refuses_a_bad_key_at_binding_before_any_engine_call(string literal, string shown)
    {
        using var s = new CmdletSession();

        var run = s.Run($"New-DockerVm fake/img n1 -Environment @{{ GOOD = 1; {literal} = 'y' }} -Context $ctx");

        EnvironmentKeys.AssertRefused(run, "NewDockerVmCommand", shown);
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void New_DockerVmPool_refuses_a_bad_key_at_binding()
    {
        using var s = new CmdletSession();

        var run = s.Run("New-DockerVmPool p1 -Image fake/img -Environment @{ 'A B' = 1 } -Context $ctx");

        EnvironmentKeys.AssertRefused(run, "NewDockerVmPoolCommand", "A B");
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void Variable_names_pass_as_they_are()
    {
        using var s = new CmdletSession();

        s.Ok("New-DockerVm fake/img n1 -Environment @{ _a = 1; APP_MODE2 = 'x'; z = ''; 'spring.profiles.active' = 'dev'; '1X' = 'y' } -Context $ctx");

        var spec = Assert.IsType<CreateSpec>(Assert.Single(s.Fake.Calls, c => c.Operation == "create").Detail);
        Assert.Equal(new[] { "1X", "APP_MODE2", "_a", "spring.profiles.active", "z" }, spec.Environment.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("A B")]
    [InlineData("A\tB")]
    [InlineData("A=B")]
    [InlineData("A\0")]
    [InlineData("")]
    public void The_Core_refuses_a_bad_key_for_callers_without_PowerShell_with_a_message_about_the_key(string key)
    {
        var create = Assert.Throws<DockerVmException>(() =>
            InputRules.CheckCreate("vm1", "img", new VmOptions { Environment = new Dictionary<string, string> { [key] = "v" } }));
        var exec = Assert.Throws<DockerVmException>(() =>
            InputRules.CheckExec("vm1", new ExecSpec { Command = "env", Environment = new Dictionary<string, string> { [key] = "v" } }));

        foreach (var e in new[] { create, exec })
        {
            Assert.Equal("DockerVmInvalidName", e.ErrorId);
            Assert.StartsWith($"-Environment has the key '{key.Replace("\0", "`0")}', which is not an environment variable name", e.Message);
            Assert.Equal("vm1", e.VmName);
        }
    }
}
