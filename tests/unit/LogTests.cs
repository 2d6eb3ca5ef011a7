using System.Diagnostics;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>The engine's timestamped log line format, as both transports read it.</summary>
public class LogLineTests
{
    [Theory]
    [InlineData("2026-11-30T12:35:24.758150595Z out1", "out1")]
    [InlineData("2026-11-30T12:35:24.758150595Z ", "")]
    [InlineData("2026-11-30T12:35:24.758150595Z", "")]
    [InlineData("2026-11-30T12:35:24.758150595Z  two  spaces ", " two  spaces ")]
    [InlineData("2026-11-30T12:35:24.758150595Z a\rb", "a\rb")]
    public void A_dated_line_splits_into_its_time_and_its_text(string line, string text)
    {
        var (time, rest) = LogLines.Split(line);

        Assert.Equal(new DateTime(2026, 11, 30, 12, 35, 24, DateTimeKind.Utc).AddTicks(7581505), time);
        Assert.Equal(DateTimeKind.Utc, time!.Value.Kind);
        Assert.Equal(text, rest);
    }

    [Theory]
    [InlineData("2026-11-30T12:35:24Z x", 0)]
    [InlineData("2026-11-30T12:35:24.5Z x", 5_000_000)]
    [InlineData("2026-11-30T13:35:24.5+01:00 x", 5_000_000)]
    [InlineData("2026-11-30T07:35:24.1234567-05:00 x", 1_234_567)]
    public void Any_precision_and_offset_read_as_UTC(string line, long ticks)
    {
        var (time, text) = LogLines.Split(line);

        Assert.Equal(new DateTime(2026, 11, 30, 12, 35, 24, DateTimeKind.Utc).AddTicks(ticks), time);
        Assert.Equal("x", text);
    }

    [Theory]
    [InlineData("Error response from daemon: No such container: x")]
    [InlineData("plain text")]
    [InlineData("")]
    [InlineData("2026-11-30 12:35:24 not RFC 3339")]
    [InlineData("2026-11-30T12:35:24.Z x")]
    [InlineData("2026-11-30T12:35:24.12a4Z x")]
    [InlineData("2026-13-30T12:35:24Z month 13")]
    public void A_line_without_a_date_comes_back_whole(string line)
    {
        var (time, text) = LogLines.Split(line);

        Assert.Null(time);
        Assert.Equal(line, text);
    }

    [Fact]
    public void Since_is_written_in_UTC_with_100ns()
    {
        var utc = new DateTime(2026, 11, 30, 12, 35, 24, DateTimeKind.Utc).AddTicks(1234567);
        Assert.Equal("2026-11-30T12:35:24.1234567Z", LogLines.FormatSince(utc));
        Assert.Equal(LogLines.FormatSince(utc), LogLines.FormatSince(utc.ToLocalTime()));
        // an unspecified time is local, as PowerShell's [datetime]'...' is
        Assert.Equal(LogLines.FormatSince(utc), LogLines.FormatSince(DateTime.SpecifyKind(utc.ToLocalTime(), DateTimeKind.Unspecified)));
    }
}

/// <summary>docker logs through the CLI transport: argv, streams told apart, docker's own words, cancellation.</summary>
[Collection(FakeCliCollection.Name)]
public class CliLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class Collector : ILogObserver
    {
        public List<(LogStream Stream, DateTime? Time, string Text)> Lines { get; } = new();
        public Action<string>? OnText { get; set; }

        public void OnLine(LogStream stream, DateTime? timestamp, string text)
        {
            lock (Lines)
            {
                Lines.Add((stream, timestamp, text));
            }
            OnText?.Invoke(text);
        }

        public List<string> Of(LogStream stream)
        {
            lock (Lines)
            {
                return Lines.Where(l => l.Stream == stream).Select(l => l.Text).ToList();
            }
        }
    }

    [Fact]
    public async Task Always_asks_for_timestamps_and_nothing_else_by_default()
    {
        using var fake = new FakeDocker();
        fake.On("logs");

        await fake.Cli().StreamLogsAsync("abc123", new LogRequest(), new Collector(), None);

        Assert.Equal(new[] { "logs", "--timestamps", "abc123" }, fake.SingleCall());
    }

    [Fact]
    public async Task Follow_since_and_tail_reach_the_cli_with_the_context()
    {
        using var fake = new FakeDocker();
        fake.On("logs");
        var since = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc).AddTicks(5);

        await fake.Cli("ctx1").StreamLogsAsync("abc123", new LogRequest { Follow = true, Since = since, Tail = 5 }, new Collector(), None);

        Assert.Equal(new[] { "--context", "ctx1", "logs", "--timestamps", "--follow", "--since", "2026-11-30T12:00:00.0000005Z", "--tail", "5", "abc123" },
            fake.SingleCall());
    }

    [Fact]
    public void The_command_is_what_verbose_shows()
    {
        var args = DockerCommands.Logs("", "abc", new LogRequest { Tail = 0, Follow = true });
        Assert.Equal("docker logs --timestamps --follow --tail 0 abc", args.Display("docker"));
    }

    [Fact]
    public async Task Stdout_and_stderr_lines_are_told_apart_dated_and_kept_exact()
    {
        using var fake = new FakeDocker();
        fake.On("logs",
            stdout: "2026-11-30T12:35:24.000000001Z out1\n2026-11-30T12:35:24.000000002Z  spaced \r\n2026-11-30T12:35:24.000000003Z a\rb\n2026-11-30T12:35:24.000000004Z \n",
            stderr: "2026-11-30T12:35:24.000000005Z err1\n2026-11-30T12:35:24.000000006Z héllo wörld\n");
        var seen = new Collector();

        await fake.Cli().StreamLogsAsync("vm1", new LogRequest(), seen, None);

        Assert.Equal(new[] { "out1", " spaced ", "a\rb", "" }, seen.Of(LogStream.Stdout));
        Assert.Equal(new[] { "err1", "héllo wörld" }, seen.Of(LogStream.Stderr));
        Assert.All(seen.Lines, l => Assert.Equal(DateTimeKind.Utc, l.Time!.Value.Kind));
        Assert.Equal(new DateTime(2026, 11, 30, 12, 35, 24, DateTimeKind.Utc), seen.Lines[0].Time);
    }

    [Fact]
    public async Task A_missing_container_is_NotFound_and_dockers_words_are_never_log_lines()
    {
        using var fake = new FakeDocker();
        fake.On("logs", stderr: "Error response from daemon: No such container: vm1\n", exit: 1);
        var seen = new Collector();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().StreamLogsAsync("vm1", new LogRequest(), seen, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Empty(seen.Lines);
    }

    [Fact]
    public async Task Another_failure_carries_dockers_words_not_the_containers_stderr()
    {
        using var fake = new FakeDocker();
        fake.On("logs",
            stderr: "2026-11-30T12:35:24.000000005Z container said no such container\nError response from daemon: configured logging driver does not support reading\n",
            exit: 1);
        var seen = new Collector();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().StreamLogsAsync("vm1", new LogRequest(), seen, None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Equal("Error response from daemon: configured logging driver does not support reading", e.StandardError);
        Assert.Contains("docker logs --timestamps vm1", e.Message);
        Assert.Equal(new[] { "container said no such container" }, seen.Of(LogStream.Stderr));
    }

    [Fact]
    public async Task Undated_stderr_of_a_successful_command_is_still_delivered()
    {
        using var fake = new FakeDocker();
        fake.On("logs", stdout: "2026-11-30T12:35:24.000000001Z out1\n", stderr: "a warning\n");
        var seen = new Collector();

        await fake.Cli().StreamLogsAsync("vm1", new LogRequest(), seen, None);

        Assert.Contains((LogStream.Stderr, (DateTime?)null, "a warning"), seen.Lines);
    }

    [Fact]
    public async Task The_engine_down_is_EngineUnavailable()
    {
        using var fake = new FakeDocker();
        fake.On("logs", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().StreamLogsAsync("vm1", new LogRequest(), new Collector(), None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
    }

    [Fact]
    public async Task Cancelling_a_followed_log_ends_the_cli_promptly_and_leaves_no_process()
    {
        using var fake = new FakeDocker();
        // Prints a line, then hangs as docker logs --follow does while the container runs.
        fake.On("logs", stdout: "2026-11-30T12:35:24.000000001Z first\n", sleepSec: 41.25);
        using var cts = new CancellationTokenSource();
        var seen = new Collector { OnText = _ => cts.Cancel() };
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fake.Cli().StreamLogsAsync("vm1", new LogRequest { Follow = true }, seen, cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(new[] { "first" }, seen.Of(LogStream.Stdout));
        Assert.Empty(ProcessesRunning("sleep 41.25"));
    }

    // Command lines of the machine's processes that contain the text.
    internal static List<string> ProcessesRunning(string text) =>
        Directory.GetDirectories("/proc")
            .Where(d => Path.GetFileName(d).All(char.IsDigit))
            .Select(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return "";
                }
                catch (UnauthorizedAccessException)
                {
                    return "";
                }
            })
            .Where(c => c.Contains(text, StringComparison.Ordinal))
            .ToList();
}
