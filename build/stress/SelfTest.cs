// Functional checks of ProcessRunner (Unix): `DockerVm.Stress --selftest`. Each prints PASS or FAIL.

using System.ComponentModel;
using System.Diagnostics;
using DockerVm.Engine;

namespace DockerVm.Stress;

internal static class SelfTest
{
    public static int Run()
    {
        var failed = 0;
        void Check(string name, Func<string?> test)
        {
            string? problem;
            var sw = Stopwatch.StartNew();
            try
            {
                problem = test();
            }
            catch (Exception e)
            {
                problem = $"threw {e.GetType().Name}: {e.Message}";
            }
            Console.WriteLine($"{(problem is null ? "PASS" : "FAIL")} {name} ({sw.ElapsedMilliseconds} ms){(problem is null ? "" : ": " + problem)}");
            if (problem is not null)
            {
                failed++;
            }
        }

        static ProcessOutcome Sh(string script, string? stdin = null, Action<string>? onOut = null, CancellationToken forceful = default, CancellationToken graceful = default, TimeSpan? drain = null) =>
            ProcessRunner.RunAsync(new ProcessSpec
            {
                FileName = "/bin/sh",
                Arguments = new[] { "-c", script },
                StandardInput = stdin,
                OnStandardOutputLine = onOut,
                OutputDrainTimeout = drain ?? TimeSpan.FromSeconds(30),
            }, forceful, graceful).GetAwaiter().GetResult();

        Check("exit code and both streams", () =>
        {
            var o = Sh("echo out; echo err >&2; exit 7");
            return o.ExitCode == 7 && o.StandardOutput == "out\n" && o.StandardError == "err\n" ? null : $"{o.ExitCode} '{o.StandardOutput}' '{o.StandardError}'";
        });

        Check("argv items reach the program exactly", () =>
        {
            var items = new[] { "", "a b", "\"q\"", "back\\slash\\", "tab\there", "new\nline", "ü €", "--x=1", "\\\"" };
            var o = ProcessRunner.RunAsync(new ProcessSpec { FileName = "/bin/sh", Arguments = new[] { "-c", "for a; do printf '[%s]' \"$a\"; done", "sh" }.Concat(items).ToArray() })
                .GetAwaiter().GetResult();
            var want = string.Concat(items.Select(i => $"[{i}]"));
            return o.StandardOutput == want ? null : $"got {o.StandardOutput}";
        });

        Check("JoinArguments round-trips through .NET's command-line parser", () =>
        {
            var items = new[] { "", "a b", "\"q\"", "back\\slash\\", "tab\there", "x\\\\\"y", "ü €", "a\\b c\\", "\\\"", "plain" };
            var psi = new ProcessStartInfo("/bin/sh", ProcessRunner.JoinArguments(new[] { "-c", "for a; do printf '[%s]' \"$a\"; done", "sh" }.Concat(items)))
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var got = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var want = string.Concat(items.Select(i => $"[{i}]"));
            return got == want ? null : $"got {got}, want {want}";
        });

        Check("UTF-8 stdin, lines split like ReadLine (\\n, \\r\\n, \\r, last line unterminated)", () =>
        {
            var lines = new List<string>();
            var o = Sh("cat", "ü1\nb2\r\nc3\rd4\n\ne5", l => lines.Add(l));
            var want = new[] { "ü1", "b2", "c3", "d4", "", "e5" };
            return o.StandardOutput == "ü1\nb2\r\nc3\rd4\n\ne5" && lines.SequenceEqual(want) ? null : $"'{o.StandardOutput}' [{string.Join("|", lines)}]";
        });

        Check("4 MiB of output on both streams: no pipe deadlock", () =>
        {
            var o = Sh("head -c 4194304 /dev/zero | tr '\\0' x; head -c 4194304 /dev/zero | tr '\\0' y >&2");
            return o.StandardOutput.Length == 4194304 && o.StandardError.Length == 4194304 ? null : $"{o.StandardOutput.Length}/{o.StandardError.Length}";
        });

        Check("stdin the process never reads (8 MiB): no hang", () =>
        {
            var o = Sh("exit 0", new string('z', 8 << 20));
            return o.ExitCode == 0 ? null : $"exit {o.ExitCode}";
        });

        Check("missing program: Win32Exception from RunAsync", () =>
        {
            try
            {
                ProcessRunner.RunAsync(new ProcessSpec { FileName = "/nonexistent/docker" }).GetAwaiter().GetResult();
                return "no exception";
            }
            catch (Win32Exception)
            {
                return null;
            }
        });

        Check("graceful: SIGINT ends it, OperationCanceledException", () =>
        {
            using var graceful = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var sw = Stopwatch.StartNew();
            try
            {
                Sh("trap 'echo got-int; exit 130' INT; sleep 30 & wait", graceful: graceful.Token);
                return "no exception";
            }
            catch (OperationCanceledException e) when (e.CancellationToken == graceful.Token)
            {
                return sw.Elapsed < TimeSpan.FromSeconds(5) ? null : $"took {sw.Elapsed}";
            }
        });

        Check("forceful: the whole tree is killed", () =>
        {
            using var forceful = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var pidFile = Path.GetTempFileName();
            try
            {
                Sh($"trap '' INT TERM; sleep 300 & echo $! > {pidFile}; wait", forceful: forceful.Token);
                return "no exception";
            }
            catch (OperationCanceledException)
            {
                Thread.Sleep(300);
                var grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
                return Directory.Exists($"/proc/{grandchild}") && !File.ReadAllText($"/proc/{grandchild}/stat").Contains(") Z ")
                    ? $"grandchild {grandchild} still alive" : null;
            }
            finally
            {
                File.Delete(pidFile);
            }
        });

        Check("graceful ignored, then forceful (DockerCli's escalation)", () =>
        {
            using var graceful = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            using var forceful = new CancellationTokenSource();
            using var _ = graceful.Token.Register(() => forceful.CancelAfter(TimeSpan.FromSeconds(1)));
            var sw = Stopwatch.StartNew();
            try
            {
                Sh("trap '' INT; sleep 30", forceful: forceful.Token, graceful: graceful.Token);
                return "no exception";
            }
            catch (OperationCanceledException)
            {
                return sw.Elapsed < TimeSpan.FromSeconds(5) ? null : $"took {sw.Elapsed}";
            }
        });

        Check("a failing line callback: process killed, exception rethrown", () =>
        {
            var sw = Stopwatch.StartNew();
            try
            {
                Sh("echo first; sleep 30", onOut: _ => throw new InvalidTimeZoneException("boom"));
                return "no exception";
            }
            catch (InvalidTimeZoneException)
            {
                return sw.Elapsed < TimeSpan.FromSeconds(5) ? null : $"took {sw.Elapsed}";
            }
        });

        Check("a grandchild holding stdout: result after OutputDrainTimeout, marked incomplete", () =>
        {
            var sw = Stopwatch.StartNew();
            var o = Sh("echo before; (sleep 20; echo late) & exit 4", drain: TimeSpan.FromSeconds(1));
            return o.ExitCode == 4 && o.StandardOutput == "before\n" && o.OutputIncomplete && sw.Elapsed < TimeSpan.FromSeconds(5)
                ? null : $"exit {o.ExitCode}, '{o.StandardOutput}', incomplete {o.OutputIncomplete}, {sw.Elapsed}";
        });

        Check("already cancelled: no hang", () =>
        {
            try
            {
                Sh("sleep 30", forceful: new CancellationToken(true));
                return "no exception";
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        });

        Console.WriteLine(failed == 0 ? "selftest: all passed" : $"selftest: {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
