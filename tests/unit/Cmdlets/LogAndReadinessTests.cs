using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using DockerVm.Commands;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Get-DockerVmLog (typed lines as they come, -Tail, -Since, -Follow ended by the pipeline or
/// Ctrl+C, -Timestamps) and Wait-DockerVm -ForLog/-ForPort/-Healthy (DockerVmNotReady).
/// </summary>
public class LogAndReadinessTests
{
    [Fact]
    public void Log_lines_are_typed_with_the_vm_the_stream_and_the_time()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var t = DateTime.UtcNow.AddSeconds(-3);
        a.Log("out one", at: t).Log("err one", LogStream.Stderr, t.AddTicks(1)).Log("", at: t.AddTicks(2));

        var lines = s.Ok("Get-DockerVmLog a -Context $ctx").Objects<DockerVmLogLine>();

        Assert.Equal(new[] { "a", "a", "a" }, lines.Select(l => l.Name));
        Assert.Equal(new[] { "stdout", "stderr", "stdout" }, lines.Select(l => l.Stream));
        Assert.Equal(new[] { "out one", "err one", "" }, lines.Select(l => l.Text));
        Assert.Equal(new DateTime?[] { t, t.AddTicks(1), t.AddTicks(2) }, lines.Select(l => l.Timestamp));
        Assert.Equal("out one", lines[0].ToString());
        var request = Assert.IsType<LogRequest>(Assert.Single(s.Fake.Calls, c => c.Operation == "logs").Detail);
        Assert.Null(request.Tail);
        Assert.Null(request.Since);
        Assert.False(request.Follow);
    }

    [Fact]
    public void Log_lines_are_strings_where_strings_are_wanted()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("hello world");

        var run = s.Ok("Get-DockerVmLog a -Context $ctx | Select-String world | ForEach-Object Line; \"$(Get-DockerVmLog a -Context $ctx)\"");

        Assert.Equal(new[] { "hello world", "hello world" }, run.Strings);
    }

    [Fact]
    public void Tail_and_Since_reach_the_engine()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var t = DateTime.UtcNow.AddMinutes(-1);
        for (var i = 0; i < 5; i++)
        {
            a.Log("line " + i, at: t.AddSeconds(i));
        }
        s.Set("since", t.AddSeconds(1).ToLocalTime());

        var tail = s.Ok("Get-DockerVmLog a -Tail 2 -Context $ctx").Objects<DockerVmLogLine>();
        var since = s.Ok("Get-DockerVmLog a -Since $since -Tail 3 -Context $ctx").Objects<DockerVmLogLine>();
        var none = s.Ok("Get-DockerVmLog a -Tail 0 -Context $ctx");

        Assert.Equal(new[] { "line 3", "line 4" }, tail.Select(l => l.Text));
        Assert.Equal(new[] { "line 2", "line 3", "line 4" }, since.Select(l => l.Text));
        Assert.Empty(none.Output);
        var requests = s.Fake.Calls.Where(c => c.Operation == "logs").Select(c => (LogRequest)c.Detail!).ToList();
        Assert.Equal(new int?[] { 2, 3, 0 }, requests.Select(r => r.Tail));
        Assert.Equal(t.AddSeconds(1), LogLines.ToUtc(requests[1].Since!.Value));
    }

    [Fact]
    public void A_negative_Tail_is_refused_at_binding()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Run("Get-DockerVmLog a -Tail -1 -Context $ctx");

        Assert.StartsWith("ParameterArgumentValidationError", run.Terminating!.FullyQualifiedErrorId);
        Assert.DoesNotContain("logs", s.Fake.Operations);
    }

    [Fact]
    public void Several_vms_one_after_the_other_by_name_and_by_pipeline()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("from a");
        s.Fake.Add("b", "exited").Log("from b");

        var byName = s.Ok("Get-DockerVmLog a, b -Context $ctx").Objects<DockerVmLogLine>();
        var piped = s.Ok("Get-DockerVm -Context $ctx | Get-DockerVmLog").Objects<DockerVmLogLine>();

        Assert.Equal(new[] { "a:from a", "b:from b" }, byName.Select(l => l.Name + ":" + l.Text));
        Assert.Equal(new[] { "a:from a", "b:from b" }, piped.Select(l => l.Name + ":" + l.Text));
    }

    [Fact]
    public void A_missing_vm_is_DockerVmNotFound_and_the_others_go_on()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("from a");

        var run = s.Run("Get-DockerVmLog nosuch, a -Context $ctx");

        Expect.OnlyError(run, "DockerVmNotFound", "GetDockerVmLogCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal(new[] { "from a" }, run.Objects<DockerVmLogLine>().Select(l => l.Text));
    }

    [Fact]
    public void A_container_removed_behind_the_vms_back_is_DockerVmNotFound_with_the_vm_as_target()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Ok("$vm = Get-DockerVm a -Context $ctx");
        s.Fake.Containers.Remove(a);

        var run = s.Run("$vm | Get-DockerVmLog");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "GetDockerVmLogCommand", ErrorCategory.ObjectNotFound);
        Expect.TargetVm(error, "a");
    }

    [Fact]
    public void Follow_with_Select_First_ends_promptly_while_the_vm_keeps_running()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        for (var i = 0; i < 3; i++)
        {
            a.Log("old " + i);
        }
        var watch = Stopwatch.StartNew();

        var run = s.Ok("Get-DockerVmLog a -Follow -Context $ctx | Select-Object -First 2");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(new[] { "old 0", "old 1" }, run.Objects<DockerVmLogLine>().Select(l => l.Text));
        Assert.True(Assert.IsType<LogRequest>(s.Fake.Calls.Single(c => c.Operation == "logs").Detail).Follow);
        Assert.Equal("running", a.Status);
    }

    [Fact]
    public void Follow_streams_new_lines_until_the_vm_stops()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        _ = Task.Run(async () =>
        {
            while (!s.Fake.Calls.Any(c => c.Operation == "logs"))
            {
                await Task.Delay(10);
            }
            await Task.Delay(200); // the call has taken its snapshot of the old lines (-Tail 0 skips them)
            a.Log("new 1");
            await Task.Delay(50);
            a.Log("new 2", LogStream.Stderr);
            await Task.Delay(50);
            a.Status = "exited";
        });

        var run = s.Ok("Get-DockerVmLog a -Follow -Tail 0 -Context $ctx");

        Assert.Equal(new[] { "stdout:new 1", "stderr:new 2" }, run.Objects<DockerVmLogLine>().Select(l => l.Stream + ":" + l.Text));
    }

    [Fact]
    public void Follow_follows_every_vm_at_once()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "running");
        _ = Task.Run(async () =>
        {
            while (s.Fake.Calls.Count(c => c.Operation == "logs") < 2)
            {
                await Task.Delay(10);
            }
            await Task.Delay(200); // both calls have taken their snapshot of the old lines (-Tail 0 skips them)
            b.Log("from b");
            await Task.Delay(50);
            a.Log("from a");
            await Task.Delay(50);
            a.Status = "exited";
            b.Status = "exited";
        });

        var run = s.Ok("Get-DockerVm -Context $ctx | Get-DockerVmLog -Follow -Tail 0");

        Assert.Equal(new[] { "b:from b", "a:from a" }, run.Objects<DockerVmLogLine>().Select(l => l.Name + ":" + l.Text));
    }

    [Fact]
    public void Follow_a_failure_on_one_vm_is_reported_and_the_others_go_on()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var b = s.Fake.Add("b", "exited");
        b.Log("from b");
        s.Ok("$vms = Get-DockerVm -Context $ctx");
        s.Fake.Containers.Remove(a);

        var run = s.Run("$vms | Get-DockerVmLog -Follow");

        var error = Expect.OnlyError(run, "DockerVmNotFound", "GetDockerVmLogCommand", ErrorCategory.ObjectNotFound);
        Expect.TargetVm(error, "a");
        Assert.Equal(new[] { "from b" }, run.Objects<DockerVmLogLine>().Select(l => l.Text));
    }

    [Fact]
    public void Ctrl_C_ends_a_follow_at_once()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("first");

        var (took, state) = s.RunAndStop("Get-DockerVmLog a -Follow -Context $ctx", () => s.Fake.Calls.Any(c => c.Operation == "logs"));

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.True(took < TimeSpan.FromSeconds(10), $"stop took {took}");
    }

    [Fact]
    public void Timestamps_shows_the_time_and_the_default_view_never_cuts_the_name()
    {
        using var s = new CmdletSession();
        var name = "a-rather-long-vm-name-of-40-characters-x";
        var t = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        s.Fake.Add(name, "running").Log("hello", at: t).Log("oops", LogStream.Stderr, t.AddSeconds(1));

        var plain = string.Concat(s.Ok($"Get-DockerVmLog {name} -Context $ctx | Out-String -Width 80").Strings);
        var stamped = s.Ok($"Get-DockerVmLog {name} -Timestamps -Context $ctx");
        var stampedText = string.Concat(s.Ok($"Get-DockerVmLog {name} -Timestamps -Context $ctx | Out-String -Width 200").Strings);

        Assert.Contains($"{name} stdout | hello", plain);
        Assert.Contains($"{name} stderr | oops", plain);
        Assert.Contains($"{name} stdout 2026-11-30T12:00:00.1234567Z | hello", stampedText);
        Assert.Contains($"{name} stderr 2026-11-30T12:00:01.1234567Z | oops", stampedText);
        Assert.All(stamped.Output, o => Assert.Equal(GetDockerVmLogCommand.TimestampsView, o.TypeNames[0]));
        Assert.All(stamped.Output, o => Assert.IsType<DockerVmLogLine>(o.BaseObject));
    }

    [Fact]
    public void Verbose_shows_the_engine_request()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Ok("Get-DockerVmLog a -Tail 1 -Context $ctx -Verbose");

        Assert.Contains(run.Verbose, v => v.StartsWith("> fake logs ", StringComparison.Ordinal));
    }

    // ---- Wait-DockerVm readiness -------------------------------------------------------------

    [Fact]
    public void ForLog_returns_once_a_line_since_the_start_matches()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        a.Log("ready from an earlier run", at: a.StartedAt!.Value.AddSeconds(-1));
        _ = Task.Run(async () =>
        {
            await Task.Delay(300);
            a.Log("Listening on :8080");
        });

        var run = s.Ok("Wait-DockerVm a -ForLog 'listening on :\\d+' -TimeoutSec 20 -PassThru -Context $ctx");

        Assert.Equal("a", Assert.Single(run.Objects<DockerVmInstance>()).Name);
        Assert.Equal(a.StartedAt, ((LogRequest)s.Fake.Calls.First(c => c.Operation == "logs").Detail!).Since);
    }

    [Fact]
    public void ForLog_past_the_timeout_is_DockerVmNotReady_naming_the_last_line_and_the_next_vm_goes_on()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("still booting");
        s.Fake.Add("b", "running").Log("ready");

        var run = s.Run("Wait-DockerVm a, b -ForLog ready -TimeoutSec 1 -PassThru -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNotReady", "WaitDockerVmCommand", ErrorCategory.OperationTimeout);
        Expect.TargetVm(error, "a");
        Assert.Contains("a log line matching 'ready'", error.ToString());
        Assert.Contains("'still booting'", error.ToString());
        Assert.Equal(new[] { "b" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void ForLog_an_invalid_regex_is_refused_at_binding()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var run = s.Run("Wait-DockerVm a -ForLog '(unclosed' -Context $ctx");

        Assert.StartsWith("ParameterArgumentValidationError", run.Terminating!.FullyQualifiedErrorId);
        Assert.Contains("not a valid regular expression", run.Terminating.ToString());
        Assert.Empty(s.Fake.Calls);
    }

    [Fact]
    public void Healthy_without_a_healthcheck_is_DockerVmNotReady_at_once()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        var watch = Stopwatch.StartNew();

        var run = s.Run("Wait-DockerVm a -Healthy -Context $ctx");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var error = Expect.OnlyError(run, "DockerVmNotReady", "WaitDockerVmCommand", ErrorCategory.OperationTimeout);
        Assert.Contains("has no healthcheck", error.ToString());
    }

    [Fact]
    public void Healthy_returns_when_the_healthcheck_says_healthy()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        a.HealthcheckTest.AddRange(new[] { "CMD-SHELL", "true" });
        a.Health = new ContainerHealth { Status = "starting" };
        _ = Task.Run(async () =>
        {
            await Task.Delay(300);
            a.Health = new ContainerHealth { Status = "healthy" };
        });

        s.Ok("Wait-DockerVm a -Healthy -TimeoutSec 20 -Context $ctx");
    }

    [Fact]
    public void ForPort_connects_to_the_published_host_port()
    {
        using var s = new CmdletSession();
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var a = s.Fake.Add("a", "running");
        a.Ports.Add(new PortBinding { ContainerPort = "80/tcp", HostIp = "0.0.0.0", HostPort = ((IPEndPoint)service.LocalEndpoint).Port.ToString() });

        s.Ok("Wait-DockerVm a -ForPort 80 -TimeoutSec 20 -Context $ctx");
    }

    [Fact]
    public void ForPort_and_ForLog_combine_and_a_closed_port_is_NotReady_with_the_connect_error()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        a.Log("ready");
        a.IPAddress = "127.0.0.1";
        var port = FreePort();

        var run = s.Run($"Wait-DockerVm a -ForLog ready -ForPort {port} -TimeoutSec 1 -Context $ctx");

        var error = Expect.OnlyError(run, "DockerVmNotReady", "WaitDockerVmCommand", ErrorCategory.OperationTimeout);
        Assert.Contains($"TCP port {port} to accept a connection", error.ToString());
        Assert.Contains($"connecting to 127.0.0.1:{port}", error.ToString());
        Assert.Contains("logs", s.Fake.Operations);
    }

    [Fact]
    public void Readiness_of_a_vm_that_stops_meanwhile_fails_at_once()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        _ = Task.Run(async () =>
        {
            await Task.Delay(300);
            a.Status = "exited";
            a.ExitCode = 1;
        });
        var watch = Stopwatch.StartNew();

        var run = s.Run("Wait-DockerVm a -ForLog ready -TimeoutSec 60 -Context $ctx");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        var error = Expect.OnlyError(run, "DockerVmNotReady", "WaitDockerVmCommand", ErrorCategory.OperationTimeout);
        Assert.Contains("it stopped (exit code 1)", error.ToString());
    }

    [Fact]
    public void Readiness_Ctrl_C_ends_the_wait()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");

        var (took, state) = s.RunAndStop("Wait-DockerVm a -ForLog never -TimeoutSec 600 -Context $ctx", () => s.Fake.Calls.Any(c => c.Operation == "logs"));

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.True(took < TimeSpan.FromSeconds(10), $"stop took {took}");
    }

    [Fact]
    public void Readiness_Verbose_says_what_is_waited_for()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running").Log("ready");

        var run = s.Ok("Wait-DockerVm a -ForLog ready -Context $ctx -Verbose");

        Assert.Contains(run.Verbose, v => v.Contains("then for a log line matching 'ready'", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
