using System.Diagnostics;
using System.Text;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The exec wrapper and the kill of an exec's processes (ExecRoot). The scripts run on this
/// machine's own sh (dash here; busybox sh in the E2E suites), on real process trees.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class ExecRootTests
{
    private const string Prefix = "DOCKERVM_EXEC 0123456789abcdef0123456789abcdef ";

    [Fact]
    public void The_preamble_is_taken_out_of_the_stream_wherever_the_reads_cut_it()
    {
        var bytes = Encoding.UTF8.GetBytes(Prefix + "42 777\nerr ünï\nlast");
        var lines = new List<string>();
        string? preamble = null;
        var sink = new LineSink(lines.Add, null);
        sink.ExpectPreamble(Prefix, l => preamble = l);
        foreach (var b in bytes)
        {
            sink.Write(new[] { b }, 1);
        }
        sink.Complete();

        Assert.Equal(Prefix + "42 777", preamble);
        Assert.Equal(new[] { "err ünï", "last" }, lines);
        Assert.Equal("err ünï\nlast", sink.Text);
    }

    [Theory]
    [InlineData("DOCKERVM_EXEC 0123 not ours\nnext\n")]
    [InlineData("plain first line\nnext\n")]
    [InlineData("DOCKERVM")]
    [InlineData("")]
    public void Any_other_first_line_is_the_streams_own(string text)
    {
        var lines = new List<string>();
        var found = false;
        var sink = new LineSink(lines.Add, null);
        sink.ExpectPreamble(Prefix, _ => found = true);
        sink.Write(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetByteCount(text));
        sink.Complete();

        Assert.False(found);
        Assert.Equal(text, sink.Text);
        Assert.Equal(text.Split('\n').Where(l => l.Length > 0), lines);
    }

    [Fact]
    public void The_preamble_records_the_pid_and_start_time()
    {
        var root = new ExecRoot(wrapped: true);
        Assert.False(root.Seen.IsCompleted);
        root.OnPreamble(root.Prefix + "42 777");
        Assert.True(root.Seen.IsCompleted);
        Assert.Equal(42, root.Pid);
        Assert.Equal(777L, root.StartTicks);
        Assert.False(root.NeedsRetry(3)); // the command ran: its exit code is its own
        Assert.True(new ExecRoot(wrapped: true).NeedsRetry(127));
        Assert.False(new ExecRoot(wrapped: false).NeedsRetry(127));
    }

    [Fact]
    public async Task The_wrapper_runs_the_command_unchanged_after_its_pid_line_and_without_the_marker()
    {
        var root = new ExecRoot(wrapped: true);
        var spec = new ExecSpec { Command = "sh", Arguments = new[] { "-c", "printf '%s|' \"$0\" \"$@\"; echo \"[$DOCKERVM_EXEC_ID]\"; echo oops >&2; exit 3", "zero", "a b", "" } };
        var r = await RunAsync(root.Command(spec), marker: root.Marker);

        Assert.Equal(3, r.Code);
        Assert.Equal("zero|a b||[]\n", r.Out); // argv exactly; the marker is gone from its environment
        var err = r.Err.Split('\n');
        Assert.Matches("^" + root.Prefix + "[0-9]+ [0-9]+$", err[0]);
        Assert.Equal("oops", err[1]);
    }

    [Fact]
    public async Task The_wrapper_prints_nothing_and_runs_nothing_for_a_command_sh_does_not_find()
    {
        var root = new ExecRoot(wrapped: true);
        var r = await RunAsync(root.Command(new ExecSpec { Command = "no-such-command-" + root.Marker }), marker: root.Marker);

        Assert.Equal(127, r.Code);
        Assert.Equal("", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public async Task The_kill_ends_the_whole_tree_that_cleared_its_environment_even_what_ignores_TERM()
    {
        var tag = Random.Shared.Next(100000, 999999).ToString();
        var root = new ExecRoot(wrapped: true);
        // The exec's session: env -i children, one of them deaf to TERM, one orphaned (its parent gone).
        var tree = "env -i sleep 1" + tag + " & env -i sh -c 'trap \"\" TERM; sleep 2" + tag + "; sleep 2" + tag + "' & " +
                   "sh -c 'env -i sleep 3" + tag + " &'; wait";
        var command = new[] { "setsid" }.Concat(root.Command(new ExecSpec { Command = "sh", Arguments = new[] { "-c", tree } })).ToList();
        using var exec = Start(command, root.Marker);
        var first = await exec.StandardError.ReadLineAsync();
        root.OnPreamble(first!);
        Assert.NotNull(root.Pid);
        await WaitUntil(() => Sleeps(tag).Count == 3);

        var kill = await RunAsync(root.KillCommand(), marker: null);

        Assert.Equal(0, kill.Code);
        Assert.True(exec.WaitForExit(5000));
        await WaitUntil(() => Sleeps(tag).Count == 0);
    }

    [Fact]
    public async Task The_kill_finds_an_unwrapped_exec_by_its_marker_and_leaves_other_processes_alone()
    {
        var tag = Random.Shared.Next(100000, 999999).ToString();
        var ours = new ExecRoot(wrapped: false);
        using var exec = Start(new[] { "setsid", "sh", "-c", "sleep 4" + tag + " & wait" }, ours.Marker);
        using var other = Start(new[] { "setsid", "sh", "-c", "sleep 5" + tag + " & wait" }, new ExecRoot(wrapped: false).Marker);
        try
        {
            await WaitUntil(() => Sleeps(tag).Count == 2);

            await RunAsync(ours.KillCommand(), marker: null);

            Assert.True(exec.WaitForExit(5000));
            await WaitUntil(() => Sleeps(tag).Count == 1);
            Assert.Equal("sleep 5" + tag, Sleeps(tag).Single());
        }
        finally
        {
            other.Kill(entireProcessTree: true);
        }
    }

    // The command lines of this machine's sleep processes whose argument ends with the tag.
    private static List<string> Sleeps(string tag) =>
        Directory.GetDirectories("/proc").Select(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception)
            {
                return "";
            }
        }).Where(c => c.StartsWith("sleep ") && c.EndsWith(tag)).ToList();

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(50);
        }
    }

    private static Process Start(IReadOnlyList<string> argv, string? marker)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        if (marker is not null)
        {
            psi.Environment[DockerCommands.ExecMarkerVariable] = marker;
        }
        return Process.Start(psi)!;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyList<string> argv, string? marker)
    {
        using var p = Start(argv, marker);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (p.ExitCode, await output, await error);
    }

    private static readonly string Id = new('a', 64);

    private static ContainerInfo WithEnvironment(params string[] names) => new() { Id = Id, EnvironmentNames = names };

    [Theory]
    [InlineData(new[] { "PATH", "HOME" }, new[] { "APP_MODE" }, true)]
    [InlineData(new[] { "PATH", "spring.profiles.active" }, new string[0], false)]
    [InlineData(new[] { "PATH", "1X" }, new string[0], false)]
    [InlineData(new[] { "PATH" }, new[] { "a.b" }, false)]
    public async Task The_wrapper_is_used_only_when_sh_keeps_every_variable(string[] container, string[] exec, bool wrapped)
    {
        var target = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"); // an id of its own: nothing cached
        var spec = new ExecSpec { Command = "env", Environment = exec.ToDictionary(k => k, _ => "v") };

        var keeps = await ExecRoot.ShellKeepsEnvironmentAsync(target, spec, _ => Task.FromResult<ContainerInfo?>(WithEnvironment(container)), CancellationToken.None);

        Assert.Equal(wrapped, keeps);
    }

    [Fact]
    public async Task The_containers_environment_is_read_once_per_container_id_and_every_time_by_name()
    {
        var id = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        var reads = 0;
        Task<ContainerInfo?> Inspect(CancellationToken _) { reads++; return Task.FromResult<ContainerInfo?>(WithEnvironment("PATH")); }
        var spec = new ExecSpec { Command = "env" };

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await ExecRoot.ShellKeepsEnvironmentAsync(id, spec, Inspect, CancellationToken.None));
        }
        Assert.Equal(1, reads);
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await ExecRoot.ShellKeepsEnvironmentAsync("vm-by-name", spec, Inspect, CancellationToken.None));
        }
        Assert.Equal(3, reads); // a name may later belong to another container: not remembered
    }
}
