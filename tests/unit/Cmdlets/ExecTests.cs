using System.Diagnostics;
using System.Management.Automation;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Invoke-DockerVmExec: stdout lines to the pipeline, stderr lines to the information stream
/// tagged stderr (and the host), one DockerVmExecFailed for a non-zero exit, $LASTEXITCODE,
/// -AsResult, -TimeoutSec.
/// </summary>
public class ExecTests
{
    /// <summary>An exec that writes the given lines (as they come) and exits with <paramref name="exit"/>.</summary>
    private static Func<FakeContainer, ExecSpec, IExecObserver?, CancellationToken, Task<ExecOutcome>> Script(
        int exit, string[] stdout, string[] stderr) => (_, _, observer, _) =>
        {
            foreach (var line in stdout)
            {
                observer?.OnStandardOutput(line);
            }
            foreach (var line in stderr)
            {
                observer?.OnStandardError(line);
            }
            return Task.FromResult(new ExecOutcome
            {
                ExitCode = exit,
                StandardOutput = string.Concat(stdout.Select(l => l + "\n")),
                StandardError = string.Concat(stderr.Select(l => l + "\n")),
                Duration = TimeSpan.FromMilliseconds(12),
            });
        };

    [Fact]
    public void Stdout_lines_go_to_the_pipeline_and_stderr_lines_to_the_information_stream()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.OnExec = Script(0, new[] { "one", "  two  ", "" }, new[] { "warning: slow" });

        var run = s.Ok("$global:LASTEXITCODE = 99; Invoke-DockerVmExec a -Context $ctx -- sh -c work");

        Assert.Equal(new[] { "one", "  two  ", "" }, run.Strings);
        Assert.Equal(3, run.Output.Count);
        var info = Assert.Single(run.Information);
        Assert.Contains("stderr", info.Tags);
        Assert.Equal("warning: slow", info.MessageData.ToString());
        Assert.Contains("warning: slow", run.HostLines);
        Assert.Equal(0, s.Get("LASTEXITCODE"));
    }

    [Fact]
    public void Stderr_output_does_not_trip_ErrorAction_Stop()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.OnExec = Script(0, new[] { "done" }, new[] { "progress 50%", "progress 100%" });

        var run = s.Ok("Invoke-DockerVmExec a make -Context $ctx -ErrorAction Stop; 'after'");

        Assert.Equal(new[] { "done", "after" }, run.Strings);
        Assert.Equal(2, run.Information.Count);
    }

    [Fact]
    public void A_non_zero_exit_is_one_DockerVmExecFailed_with_the_exit_code_and_sets_LASTEXITCODE()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.OnExec = Script(3, new[] { "partial" }, new[] { "e1", "e2" });

        var run = s.Run("Invoke-DockerVmExec a false -Context $ctx; \"code=$LASTEXITCODE\"");

        var error = Expect.OnlyError(run, "DockerVmExecFailed", "InvokeDockerVmExecCommand", ErrorCategory.InvalidResult);
        Expect.TargetVm(error, "a");
        var e = (DockerVmException)error.Exception;
        Assert.Equal(3, e.ExitCode);
        Assert.Equal("e1\ne2\n", e.StandardError);
        Assert.Contains("exited with code 3", error.ToString());
        Assert.Equal(new[] { "partial", "code=3" }, run.Strings);
        Assert.Equal(2, run.Information.Count);
        Assert.Equal(3, s.Get("LASTEXITCODE"));
    }

    [Fact]
    public void AsResult_emits_one_result_with_the_exact_text_and_no_error()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.OnExec = Script(4, new[] { " a ", "b" }, new[] { "oops" });

        var run = s.Ok("Invoke-DockerVmExec a -AsResult -Context $ctx -- sh -c 'exit 4'");

        var result = Assert.IsType<DockerVmExecResult>(Assert.Single(run.Output).BaseObject);
        Assert.Equal("a", result.Name);
        Assert.Equal("sh", result.Command);
        Assert.Equal(new[] { "-c", "exit 4" }, result.Arguments);
        Assert.Equal(4, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal(" a \nb\n", result.StandardOutput);
        Assert.Equal("oops\n", result.StandardError);
        Assert.Equal(TimeSpan.FromMilliseconds(12), result.Duration);
        Assert.Empty(run.Information);
        Assert.Equal(4, s.Get("LASTEXITCODE"));
    }

    [Fact]
    public void Options_reach_the_engine_verbatim()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        s.Ok("""
            Invoke-DockerVmExec a env -Context $ctx -Environment @{ K = 'v 1'; N = 5 } -WorkingDirectory /tmp -User nobody -StandardInput "line1`nline2"
            """);

        var call = Assert.Single(s.Fake.Calls, c => c.Operation == "exec");
        Assert.Equal(a.Id, call.Target);
        var spec = Assert.IsType<ExecSpec>(call.Detail);
        Assert.Equal("env", spec.Command);
        Assert.Empty(spec.Arguments);
        Assert.Equal(new Dictionary<string, string> { ["K"] = "v 1", ["N"] = "5" }, spec.Environment);
        Assert.Equal("/tmp", spec.WorkingDirectory);
        Assert.Equal("nobody", spec.User);
        Assert.Equal("line1\nline2", spec.StandardInput);
    }

    [Theory]
    [InlineData("Invoke-DockerVmExec a -Context $ctx -- sh -c 'echo hi' -n -s -v", new[] { "-c", "echo hi", "-n", "-s", "-v" })]
    [InlineData("Invoke-DockerVmExec a sh '-c' 'echo hi' -Context $ctx", new[] { "-c", "echo hi" })]
    [InlineData("Invoke-DockerVmExec a -Command sh -ArgumentList '-c', 'echo hi' -Context $ctx", new[] { "-c", "echo hi" })]
    [InlineData("Invoke-DockerVmExec a ls -l --all -Context $ctx", new[] { "-l", "--all" })]
    public void Program_switches_reach_the_engine_after_double_dash_quoted_or_unambiguous(string script, string[] arguments)
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        s.Ok(script);

        var spec = Assert.IsType<ExecSpec>(Assert.Single(s.Fake.Calls, c => c.Operation == "exec").Detail);
        Assert.Equal(arguments, spec.Arguments);
        Assert.Null(spec.StandardInput);
    }

    [Theory]
    [InlineData("'A=B'", "A=B")]
    [InlineData("'A B'", "A B")]
    [InlineData("\"A`tB\"", "A\tB")]
    [InlineData("\"A`0B\"", "A`0B")]
    [InlineData("''", "")]
    public void An_invalid_environment_key_is_a_parameter_validation_error_about_the_key_and_nothing_runs(string literal, string shown)
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Run($"Invoke-DockerVmExec a env -Environment @{{ {literal} = 1 }} -Context $ctx");

        EnvironmentKeys.AssertRefused(run, "InvokeDockerVmExecCommand", shown);
        Assert.DoesNotContain(s.Fake.Calls, c => c.Operation == "exec");
    }

    [Fact]
    public void Exec_on_a_vm_that_is_not_running_is_DockerVmNotRunning_and_the_next_vm_goes_on()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        var b = s.Fake.Add("b", "running");

        var run = s.Run("Invoke-DockerVmExec -Name a, b -Command hostname -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNotRunning", "InvokeDockerVmExecCommand", ErrorCategory.InvalidOperation);
        Expect.TargetVm(error, "a");
        Assert.Contains("Start-DockerVm", error.ErrorDetails.RecommendedAction);
        Assert.Equal(new[] { "hostname" }, run.Strings);
        Assert.Equal(new[] { b.Id }, s.Fake.Calls.Where(c => c.Operation == "exec").Select(c => c.Target));
    }

    [Fact]
    public void Exec_on_a_suspended_vm_recommends_Resume()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "paused");

        var run = s.Run("Invoke-DockerVmExec a hostname -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNotRunning", "InvokeDockerVmExecCommand", ErrorCategory.InvalidOperation);
        Assert.Contains("Resume-DockerVm", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void TimeoutSec_ends_a_hanging_exec_with_DockerVmTimeout()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Fake.Hang("exec");
        var watch = Stopwatch.StartNew();

        var run = s.Run("Invoke-DockerVmExec a sleep infinity -TimeoutSec 1 -Context $ctx; \"after\"");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"took {watch.Elapsed}");
        var error = Expect.OnlyError(run, "DockerVmTimeout", "InvokeDockerVmExecCommand", ErrorCategory.OperationTimeout);
        Expect.TargetVm(error, "a");
        Assert.Contains("'sleep'", error.ToString());
        Assert.Equal(new[] { "after" }, run.Strings);
    }
}
