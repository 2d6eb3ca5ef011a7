// Stress of DockerVm's CLI path (issue 11). See docs/cliwrap-hang.md.
//
//   DockerVm.Stress --selftest            (functional checks of ProcessRunner)
//   DockerVm.Stress --suite [--count N] [--parallel P] [--out results.json]
//   DockerVm.Stress --mode runner|cliwrap|dockercli [--target true|sh|docker] [--count N]
//                   [--parallel P] [--exited-first] [--repro] [--diagnose]
//
// Each command is started and waited for the way a cmdlet does it: a dedicated thread starts it and
// blocks on its task. A watchdog reads /proc (never the Process object, whose HasExited would itself
// raise Exited) and counts the command as hung when it has not completed 10 s after its child exited.
// A hung command is abandoned and the run goes on. Exit code: 1 when ProcessRunner hung or failed
// (CliWrap's hangs are the finding being measured, not a failure of this program).

using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using CliWrap;
using DockerVm.Engine;

namespace DockerVm.Stress;

internal static class Program
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private static readonly TimeSpan HangAfterExit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AliveCap = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan GraceAfterInterrupt = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QueryCeiling = TimeSpan.FromSeconds(30);

    private static int Main(string[] args)
    {
        var opts = Options.Parse(args);
        var env = Describe();
        Console.WriteLine($"runtime: {env["runtime"]}; DockerVm.Core: {env["core"]}; CliWrap: {env["cliwrap"]}");
        if (opts.SelfTest)
        {
            return SelfTest.Run();
        }
        var engine = EngineUp();
        Console.WriteLine($"docker engine: {(engine ? "up" : "not reachable (docker targets skipped)")}");

        var runs = new List<Run>();
        if (opts.Suite)
        {
            var n = opts.Count;
            var quarter = Math.Max(1, n / 4);
            var tenth = Math.Max(1, n / 10);
            var plan = new List<Plan>
            {
                // Deterministic repro: the child exited and its HasExited was read before the wait subscribed.
                new("cliwrap", "true", 4, 2, Repro: true),
                new("runner", "true", quarter, opts.Parallel, ExitedFirst: true),
                new("cliwrap", "true", quarter, opts.Parallel, ExitedFirst: true),
                new("runner", "true", n, opts.Parallel),
                new("cliwrap", "true", n, opts.Parallel),
                new("dockercli", "true", quarter, opts.Parallel),
                new("runner", "sh", quarter, opts.Parallel),
                new("cliwrap", "sh", quarter, opts.Parallel),
            };
            if (engine)
            {
                plan.Add(new("runner", "docker", tenth, opts.Parallel));
                plan.Add(new("cliwrap", "docker", tenth, opts.Parallel));
                plan.Add(new("dockercli", "docker", tenth, opts.Parallel));
            }
            foreach (var p in plan)
            {
                runs.Add(Execute(p));
            }
        }
        else
        {
            if (opts.Target == "docker" && !engine)
            {
                Console.Error.WriteLine("The docker engine is not reachable.");
                return 2;
            }
            runs.Add(Execute(new Plan(opts.Mode, opts.Target, opts.Count, opts.Parallel, opts.ExitedFirst, opts.Repro, opts.Diagnose)));
        }

        Console.WriteLine();
        Console.WriteLine($"summary ({env["runtime"]}, DockerVm.Core {Tfm(typeof(ProcessRunner).Assembly)}, CliWrap {Tfm(typeof(Cli).Assembly)}):");
        foreach (var r in runs)
        {
            Console.WriteLine(r.Summary());
        }
        if (opts.Out is not null)
        {
            var doc = new Dictionary<string, object?> { ["environment"] = env, ["engine"] = engine, ["runs"] = runs.Select(r => r.ToJson()).ToList() };
            File.WriteAllText(opts.Out, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        }
        var runnerBad = runs.Where(r => r.Plan.Mode == "runner").Sum(r => r.Hung + r.Errors + r.Wrong + r.StuckAlive);
        return runnerBad == 0 ? 0 : 1;
    }

    private sealed record Plan(string Mode, string Target, int Count, int Parallel, bool ExitedFirst = false, bool Repro = false, bool Diagnose = false)
    {
        public string Name => $"{Mode}/{Target}{(ExitedFirst ? "/exited-first" : "")}{(Repro ? "/repro" : "")}{(Diagnose ? "/diagnose" : "")}";
    }

    private sealed class Run
    {
        public Run(Plan plan) => Plan = plan;
        public Plan Plan { get; }
        public int Completed;
        public int Hung;
        public int StuckAlive;
        public int Errors;
        public int Wrong;
        public long TotalTicks;
        public TimeSpan Elapsed;
        public readonly List<string> Notes = new();

        public string Summary() =>
            $"{Plan.Name,-34} {Plan.Count,6} commands, parallel {Plan.Parallel}: {Completed} completed, {Hung} hung, " +
            $"{StuckAlive} stuck alive, {Errors} errors, {Wrong} wrong; {(Completed == 0 ? 0 : TimeSpan.FromTicks(TotalTicks / Completed).TotalMilliseconds):0.0} ms each, {Elapsed.TotalSeconds:0} s";

        public object ToJson() => new Dictionary<string, object>
        {
            ["name"] = Plan.Name,
            ["mode"] = Plan.Mode,
            ["target"] = Plan.Target,
            ["exitedFirst"] = Plan.ExitedFirst,
            ["repro"] = Plan.Repro,
            ["parallel"] = Plan.Parallel,
            ["commands"] = Plan.Count,
            ["completed"] = Completed,
            ["hung"] = Hung,
            ["stuckAlive"] = StuckAlive,
            ["errors"] = Errors,
            ["wrong"] = Wrong,
            ["meanMs"] = Completed == 0 ? 0 : Math.Round(TimeSpan.FromTicks(TotalTicks / Completed).TotalMilliseconds, 2),
            ["seconds"] = Math.Round(Elapsed.TotalSeconds, 1),
            ["notes"] = Notes.Take(20).ToList(),
        };
    }

    private static Run Execute(Plan plan)
    {
        var run = new Run(plan);
        var next = -1;
        var clock = Stopwatch.StartNew();
        var progressEvery = Math.Max(1, plan.Count / 10);
        var threads = Enumerable.Range(0, plan.Parallel).Select(_ => new Thread(() =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= plan.Count)
                {
                    return;
                }
                One(plan, run, i);
                if ((i + 1) % progressEvery == 0)
                {
                    lock (run)
                    {
                        Console.WriteLine($"  {plan.Name}: {i + 1}/{plan.Count} ({run.Hung} hung) {clock.Elapsed.TotalSeconds:0} s");
                    }
                }
            }
        }) { IsBackground = true, Name = "stress" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        run.Elapsed = clock.Elapsed;
        Console.WriteLine(run.Summary());
        return run;
    }

    // One command: start it (synchronously, on this thread), then block on it under the watchdog.
    private static void One(Plan plan, Run run, int index)
    {
        var (program, arguments, stdin, check) = TargetOf(plan.Target);
        var child = new ChildWatch();
        var watch = Stopwatch.StartNew();
        Task<(int ExitCode, string Stdout, string Stderr, int StdoutLines, int StderrLines)> task;
        try
        {
            task = plan.Mode switch
            {
                "runner" => ViaRunner(program, arguments, stdin, child, plan),
                "cliwrap" => ViaCliWrap(program, arguments, stdin, child, plan),
                "dockercli" => ViaDockerCli(program, child),
                _ => throw new ArgumentException($"unknown mode {plan.Mode}"),
            };
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref run.Errors);
            Note(run, $"#{index} start: {e.GetType().Name}: {e.Message}");
            return;
        }

        while (true)
        {
            if (task.Wait(TimeSpan.FromMilliseconds(100)))
            {
                break;
            }
            var exitedFor = child.ExitedFor();
            if (exitedFor is { } gone && gone > HangAfterExit)
            {
                Interlocked.Increment(ref run.Hung);
                Note(run, $"#{index} hung: not completed {gone.TotalSeconds:0} s after pid {child.Pid} exited");
                Console.WriteLine($"  {plan.Name} #{index}: HUNG (pid {child.Pid} exited {gone.TotalSeconds:0} s ago){Examine(child.Process)}");
                if (plan.Diagnose)
                {
                    Console.WriteLine(AsyncDump.Of(child.Command));
                }
                return;
            }
            if (watch.Elapsed > AliveCap)
            {
                Interlocked.Increment(ref run.StuckAlive);
                Note(run, $"#{index} child still alive after {AliveCap.TotalSeconds:0} s");
                return;
            }
        }
        if (task.IsFaulted || task.IsCanceled)
        {
            Interlocked.Increment(ref run.Errors);
            var e = task.Exception?.GetBaseException();
            Note(run, $"#{index} failed: {e?.GetType().Name}: {e?.Message}");
            return;
        }
        Interlocked.Increment(ref run.Completed);
        Interlocked.Add(ref run.TotalTicks, watch.Elapsed.Ticks);
        var problem = check(task.Result);
        if (problem is not null)
        {
            Interlocked.Increment(ref run.Wrong);
            Note(run, $"#{index} wrong: {problem}");
        }
    }

    // The Process's private exit bookkeeping (System.Diagnostics.Process field names), read by reflection.
    private static string Examine(Process? p)
    {
        if (p is null)
        {
            return "";
        }
        static object? F(Process p, string name) =>
            typeof(Process).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(p);
        var handlers = (F(p, "_onExited") as Delegate)?.GetInvocationList().Length ?? 0;
        return $"; Process: _watchForExit={F(p, "_watchForExit")}, _watchingForExit={F(p, "_watchingForExit")}, " +
               $"_exited={F(p, "_exited")}, _raisedOnExited={F(p, "_raisedOnExited")}, Exited handlers={handlers}";
    }

    private static void Note(Run run, string note)
    {
        lock (run.Notes)
        {
            if (run.Notes.Count < 100)
            {
                run.Notes.Add(note);
            }
        }
    }

    private static (string Program, string[] Args, string? Stdin, Func<(int ExitCode, string Stdout, string Stderr, int StdoutLines, int StderrLines), string?> Check) TargetOf(string target) => target switch
    {
        "true" => ("/bin/true", new[] { "ps", "--all", "--quiet" }, null,
            r => r.ExitCode == 0 && r.Stdout.Length == 0 ? null : $"exit {r.ExitCode}, stdout '{r.Stdout}'"),
        // stdin, both outputs, line callbacks, UTF-8 and an argv item with spaces and quotes.
        "sh" => ("/bin/sh", new[] { "-c", "read x; printf 'out %s %s\\n' \"$x\" \"$1\"; echo err >&2; exit 3", "sh", "a \"b\" ü" }, "in ü\n",
            r => r.ExitCode == 3 && r.Stdout == "out in ü a \"b\" ü\n" && r.Stderr == "err\n" && r.StdoutLines == 1 && r.StderrLines == 1
                ? null : $"exit {r.ExitCode}, stdout '{r.Stdout}', stderr '{r.Stderr}', lines {r.StdoutLines}/{r.StderrLines}"),
        "docker" => ("docker", new[] { "ps", "--all", "--quiet", "--no-trunc" }, null,
            r => r.ExitCode == 0 ? null : $"exit {r.ExitCode}: {r.Stderr.Trim()}"),
        _ => throw new ArgumentException($"unknown target {target}"),
    };

    private static Task<(int, string, string, int, int)> ViaRunner(string program, string[] arguments, string? stdin, ChildWatch child, Plan plan)
    {
        int outLines = 0, errLines = 0;
        var spec = new ProcessSpec
        {
            FileName = program,
            Arguments = arguments,
            StandardInput = stdin,
            OnStandardOutputLine = _ => Interlocked.Increment(ref outLines),
            OnStandardErrorLine = _ => Interlocked.Increment(ref errLines),
            Started = pid =>
            {
                child.Track(pid);
                if (plan.ExitedFirst)
                {
                    child.WaitGone();   // the child is gone before the runner starts waiting
                }
            },
        };
        // Cancellation wired the way DockerCli wires it.
        var ceiling = new CancellationTokenSource(QueryCeiling);
        var graceful = CancellationTokenSource.CreateLinkedTokenSource(ceiling.Token);
        var forceful = new CancellationTokenSource();
        var escalate = graceful.Token.Register(() => forceful.CancelAfter(GraceAfterInterrupt));
        var task = ProcessRunner.RunAsync(spec, forceful.Token, graceful.Token);
        return Finish(task, () => { escalate.Dispose(); forceful.Dispose(); graceful.Dispose(); ceiling.Dispose(); },
            o => (o.ExitCode, o.StandardOutput, o.StandardError, outLines, errLines));
    }

    // Exactly the CliWrap calls of DockerCli.RunAsync (OutputCapture is internal: its two targets are rebuilt here).
    private static Task<(int, string, string, int, int)> ViaCliWrap(string program, string[] arguments, string? stdin, ChildWatch child, Plan plan)
    {
        int outLines = 0, errLines = 0;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(stdin is null ? PipeSource.Null : PipeSource.FromString(stdin, Utf8))
            .WithStandardOutputPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(stdout, Utf8), PipeTarget.ToDelegate(_ => Interlocked.Increment(ref outLines), Utf8)))
            .WithStandardErrorPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(stderr, Utf8), PipeTarget.ToDelegate(_ => Interlocked.Increment(ref errLines), Utf8)));
        var ceiling = new CancellationTokenSource(QueryCeiling);
        var graceful = CancellationTokenSource.CreateLinkedTokenSource(ceiling.Token);
        var forceful = new CancellationTokenSource();
        var escalate = graceful.Token.Register(() => forceful.CancelAfter(GraceAfterInterrupt));
        CommandTask<CommandResult> task;
        if (plan.Repro || plan.ExitedFirst)
        {
            task = command.ExecuteAsync(null, p =>
            {
                child.Track(p.Id);
                p.WaitForExit();        // the child exits before CliWrap enables events (no Exited raised: not watching yet)
                if (plan.Repro)
                {
                    _ = p.HasExited;    // observes the exit: Process raises its one Exited now, to nobody
                }
            }, forceful.Token, graceful.Token);
        }
        else if (plan.Diagnose)
        {
            // As plain as the next branch: the Process is only kept (never touched) to be examined if the command hangs.
            task = command.ExecuteAsync(null, p => child.Process = p, forceful.Token, graceful.Token);
            child.Command = task.Task;
            child.Track(task.ProcessId);
        }
        else
        {
            task = command.ExecuteAsync(forceful.Token, graceful.Token);
            child.Track(task.ProcessId);
        }
        return Finish(task.Task, () => { escalate.Dispose(); forceful.Dispose(); graceful.Dispose(); ceiling.Dispose(); },
            r => (r.ExitCode, stdout.ToString(), stderr.ToString(), outLines, errLines));
    }

    // DockerCli itself (ListIdsAsync: `<program> ps --all --quiet --no-trunc`). No pid: the watchdog takes
    // the child as gone once this process has no child left.
    private static Task<(int, string, string, int, int)> ViaDockerCli(string program, ChildWatch child)
    {
        child.TrackAnyChild();
        var cli = new DockerCli(null, program);
        var task = cli.ListIdsAsync(Array.Empty<string>(), CancellationToken.None);
        return Finish(task, () => { }, ids => (0, string.Join("\n", ids), "", ids.Count, 0));
    }

    private static async Task<(int, string, string, int, int)> Finish<T>(Task<T> task, Action cleanup, Func<T, (int, string, string, int, int)> map)
    {
        try
        {
            return map(await task.ConfigureAwait(false));
        }
        finally
        {
            cleanup();
        }
    }

    /// <summary>Watches one child through /proc only.</summary>
    private sealed class ChildWatch
    {
        private int _pid = -1;
        private string? _startTime;
        private bool _anyChild;
        private DateTime? _goneAt;

        public int Pid => _pid;

        public Process? Process { get; set; }

        public Task? Command { get; set; }

        public void Track(int pid)
        {
            _pid = pid;
            _startTime = StartTimeOf(pid);
            if (_startTime is null)
            {
                _goneAt = DateTime.UtcNow;
            }
        }

        public void TrackAnyChild() => _anyChild = true;

        public void WaitGone()
        {
            var sw = Stopwatch.StartNew();
            while (Alive() && sw.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(1);
            }
        }

        /// <summary>How long ago the child was first seen gone; null while it lives (or is not known yet).</summary>
        public TimeSpan? ExitedFor()
        {
            if (_goneAt is null && (_anyChild ? !AnyChildAlive() : (_pid > 0 && !Alive())))
            {
                _goneAt = DateTime.UtcNow;
            }
            return _goneAt is { } at ? DateTime.UtcNow - at : null;
        }

        private bool Alive()
        {
            var now = StartTimeOf(_pid);
            return now is not null && now == _startTime;
        }

        // Field 22 of /proc/PID/stat (start time): tells a reused pid apart. Null when gone or a zombie.
        private static string? StartTimeOf(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var rest = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                return rest[0] == "Z" ? null : rest[19];
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static bool AnyChildAlive()
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    foreach (var pid in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (StartTimeOf(int.Parse(pid)) is not null)
                        {
                            return true;
                        }
                    }
                }
                catch (IOException)
                {
                }
            }
            return false;
        }
    }

    private static string? Tfm(Assembly a) => a.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;

    private static Dictionary<string, string> Describe()
    {
        static string Of(Assembly a) =>
            $"{a.GetName().Name} {a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]} " +
            $"({a.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName}) {a.Location}";
        return new Dictionary<string, string>
        {
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["processors"] = Environment.ProcessorCount.ToString(),
            ["stress"] = Of(typeof(Program).Assembly),
            ["core"] = Of(typeof(ProcessRunner).Assembly),
            ["cliwrap"] = Of(typeof(Cli).Assembly),
        };
    }

    private static bool EngineUp()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            if (!p.WaitForExit(15000))
            {
                p.Kill();
                return false;
            }
            return p.ExitCode == 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private sealed class Options
    {
        public bool Suite;
        public bool SelfTest;
        public string Mode = "runner";
        public string Target = "true";
        public int Count = 1000;
        public int Parallel = 1;
        public bool ExitedFirst;
        public bool Repro;
        public bool Diagnose;
        public string? Out;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--suite": o.Suite = true; break;
                    case "--selftest": o.SelfTest = true; break;
                    case "--mode": o.Mode = Value(); break;
                    case "--target": o.Target = Value(); break;
                    case "--count": o.Count = int.Parse(Value()); break;
                    case "--parallel": o.Parallel = Math.Max(1, int.Parse(Value())); break;
                    case "--exited-first": o.ExitedFirst = true; break;
                    case "--repro": o.Repro = true; break;
                    case "--diagnose": o.Diagnose = true; break;
                    case "--out": o.Out = Value(); break;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
            return o;
        }
    }
}

/// <summary>--diagnose: the pending async state machines under a hung task, read by reflection (their hoisted fields).</summary>
internal static class AsyncDump
{
    public static string Of(Task? root)
    {
        var sb = new StringBuilder();
        Walk(root, "command", 0, sb, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return sb.ToString();
    }

    private static void Walk(object? o, string name, int depth, StringBuilder sb, HashSet<object> seen)
    {
        if (o is null || depth > 8 || !seen.Add(o))
        {
            return;
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var type = o.GetType();
        if (o is Task t)
        {
            sb.Append(' ', depth * 2).Append($"{name}: {Short(type)} {t.Status}").AppendLine();
            var sm = type.GetField("StateMachine", all)?.GetValue(o);
            if (sm is not null && !t.IsCompleted)
            {
                Fields(sm, depth + 1, sb, seen);
            }
            return;
        }
        if (type.Name.Contains("d__"))
        {
            sb.Append(' ', depth * 2).Append($"{name}: {Short(type)} state {type.GetField("<>1__state", all)?.GetValue(o)}").AppendLine();
            Fields(o, depth + 1, sb, seen);
        }
    }

    private static void Fields(object sm, int depth, StringBuilder sb, HashSet<object> seen)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        foreach (var f in sm.GetType().GetFields(all))
        {
            var v = f.GetValue(sm);
            if (v is null)
            {
                continue;
            }
            if (v is Task || v.GetType().Name.Contains("d__"))
            {
                Walk(v, f.Name, depth, sb, seen);
            }
            else if (v.GetType().IsValueType && v.GetType().Name.Contains("Awaiter"))
            {
                // TaskAwaiter / ConfiguredTaskAwaiter / ValueTaskAwaiter: the task or source inside.
                foreach (var inner in Flatten(v))
                {
                    Walk(inner, f.Name, depth, sb, seen);
                }
            }
        }
    }

    private static IEnumerable<object> Flatten(object v)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        foreach (var f in v.GetType().GetFields(all))
        {
            var x = f.GetValue(v);
            if (x is null)
            {
                continue;
            }
            if (x.GetType().IsValueType && !x.GetType().IsPrimitive)
            {
                foreach (var y in Flatten(x))
                {
                    yield return y;
                }
            }
            else if (!x.GetType().IsPrimitive)
            {
                yield return x;
            }
        }
    }

    private static string Short(Type t) => t.IsGenericType && t.GetGenericArguments().Length > 0
        ? t.Name.Split('`')[0] + "<" + string.Join(",", t.GetGenericArguments().Select(a => a.Name.Length > 60 ? a.Name[..60] : a.Name)) + ">"
        : t.Name;
}
