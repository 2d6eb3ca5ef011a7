using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>What <see cref="ProcessRunner"/> runs: one program, its argv, and what to do with its streams.</summary>
    public sealed class ProcessSpec
    {
        /// <summary>The program: a path, or a name looked up on PATH.</summary>
        public string FileName { get; init; } = "";

        /// <summary>The argv after the program, item by item (never a joined string).</summary>
        public IReadOnlyList<string> Arguments { get; init; } = Array.Empty<string>();

        /// <summary>Written to stdin as UTF-8, then stdin is closed; null closes stdin at once.</summary>
        public string? StandardInput { get; init; }

        /// <summary>Each stdout line (split like StreamReader.ReadLine), as it arrives.</summary>
        public Action<string>? OnStandardOutputLine { get; init; }

        /// <summary>Each stderr line, as it arrives.</summary>
        public Action<string>? OnStandardErrorLine { get; init; }

        /// <summary>A first stderr line that begins with this is not the program's: it goes to <see cref="OnStandardErrorPreamble"/> only.</summary>
        public string? StandardErrorPreamble { get; init; }

        public Action<string>? OnStandardErrorPreamble { get; init; }

        /// <summary>
        /// Whether a lone \r ends a line, as StreamReader.ReadLine has it (the default). False: only
        /// \n does (a \r right before it is dropped), so a progress bar's \r stays inside its line, as
        /// docker's own log lines have it.
        /// </summary>
        public bool CarriageReturnEndsLine { get; init; } = true;

        /// <summary>Variables set in the program's environment, beside those it inherits.</summary>
        public IReadOnlyDictionary<string, string>? Environment { get; init; }

        /// <summary>
        /// How much of stdout (and stderr) the outcome keeps: null, all of it; n, the last n characters.
        /// Streamed output (line callbacks) needs none: memory stays constant however much is written.
        /// </summary>
        public int? KeepStandardOutput { get; init; }

        /// <summary>As <see cref="KeepStandardOutput"/>, for stderr.</summary>
        public int? KeepStandardError { get; init; }

        /// <summary>Called with the process id right after the start, before any waiting begins.</summary>
        public Action<int>? Started { get; init; }

        /// <summary>After the process has exited, how long to wait for stdout/stderr to close (a grandchild may hold them).</summary>
        public TimeSpan OutputDrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>After a forceful kill, how long to wait for the process to be gone before giving up on it.</summary>
        public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(5);
    }

    /// <summary>How a process ended.</summary>
    public sealed class ProcessOutcome
    {
        public int ProcessId { get; init; }
        public int ExitCode { get; init; }
        public string StandardOutput { get; init; } = "";
        public string StandardError { get; init; } = "";
        public DateTimeOffset StartTime { get; init; }
        public TimeSpan Duration { get; init; }

        /// <summary>True when stdout/stderr were still open <see cref="ProcessSpec.OutputDrainTimeout"/> after the exit.</summary>
        public bool OutputIncomplete { get; init; }
    }

    /// <summary>
    /// Runs one program to its end with System.Diagnostics.Process, on every target framework alike.
    /// <para>
    /// Why it exists (docs/cliwrap-hang.md): CliWrap 3.10.5's netstandard2.0 build now and then never
    /// completes after the child exited, through two polyfills it compiles in: a
    /// ManualResetValueTaskSourceCore whose lazily created TaskCompletionSource races (the async
    /// iterator behind its Task.WhenEach loses the consumer's continuation), and a
    /// Process.WaitForExitAsync that subscribes to Exited after enabling it, without checking HasExited
    /// again. Here nothing is polyfilled (Task, TaskCompletionSource, WhenAny/WhenAll only), the Exited
    /// handler is attached before Start, the exit is checked again after it, and a slow poll of
    /// HasExited backs both up: the exit cannot be missed.
    /// </para>
    /// <para>
    /// Cancellation is the caller's two tokens, as with CliWrap: <c>graceful</c> sends SIGINT (Unix; on
    /// Windows nothing, the caller escalates), <c>forceful</c> kills the whole process tree. Either one
    /// ends in an <see cref="OperationCanceledException"/> once the process is gone.
    /// </para>
    /// </summary>
    public static class ProcessRunner
    {
        private static readonly UTF8Encoding Utf8 = new(false);
        private static readonly TimeSpan ExitPoll = TimeSpan.FromMilliseconds(500);

        /// <summary>
        /// Starts the program (a start failure, such as a missing program, is thrown from here as
        /// <see cref="Win32Exception"/>) and returns the task of its end.
        /// </summary>
        public static Task<ProcessOutcome> RunAsync(ProcessSpec spec, CancellationToken forceful = default, CancellationToken graceful = default)
        {
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }
            if (string.IsNullOrEmpty(spec.FileName))
            {
                throw new ArgumentException("No program to run.", nameof(spec));
            }
            var startInfo = new ProcessStartInfo
            {
                FileName = ResolveProgram(spec.FileName),
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            SetArguments(startInfo, spec.Arguments);
            foreach (var kv in spec.Environment ?? new Dictionary<string, string>())
            {
                startInfo.Environment[kv.Key] = kv.Value;
            }

            // The exit handler is in place before the process exists, so its one Exited event has a listener.
            var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult(true);
            DateTimeOffset startTime;
            int pid;
            try
            {
                startTime = DateTimeOffset.Now;
                if (!process.Start())
                {
                    throw new InvalidOperationException($"'{startInfo.FileName}' did not start.");
                }
                pid = process.Id;
            }
            catch
            {
                process.Dispose();
                throw;
            }
            try
            {
                spec.Started?.Invoke(pid);
            }
            catch
            {
                TryKillTree(process);
                process.Dispose();
                throw;
            }
            return RunCoreAsync(process, pid, startTime, exited, spec, forceful, graceful);
        }

        private static async Task<ProcessOutcome> RunCoreAsync(Process process, int pid, DateTimeOffset startTime,
            TaskCompletionSource<bool> exited, ProcessSpec spec, CancellationToken forceful, CancellationToken graceful)
        {
            var watch = Stopwatch.StartNew();
            // Cancelled on a forceful cancellation, on a failing line callback, or when the drain gives up: ends the reads.
            using var abortReads = new CancellationTokenSource();
            // Cancelled once the process is gone: ends a stdin write the process will never read.
            using var abortStdin = new CancellationTokenSource();
            var stdout = new LineSink(spec.OnStandardOutputLine, spec.KeepStandardOutput, spec.CarriageReturnEndsLine);
            var stderr = new LineSink(spec.OnStandardErrorLine, spec.KeepStandardError, spec.CarriageReturnEndsLine);
            if (spec.StandardErrorPreamble is { } preamble && spec.OnStandardErrorPreamble is { } onPreamble)
            {
                stderr.ExpectPreamble(preamble, onPreamble);
            }
            Task stdinTask, stdoutTask, stderrTask;
            var outputIncomplete = false;
            var killed = false;
            var exitCode = -1;
            Exception? pipeError = null;
            try
            {
                var panic = new Action(() =>
                {
                    TryKillTree(process);
                    SafeCancel(abortReads);
                });
                stdout.Failed = panic;
                stderr.Failed = panic;
                stdinTask = WriteStandardInputAsync(process.StandardInput.BaseStream, spec.StandardInput, abortStdin.Token);
                stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream, stdout, abortReads.Token);
                stderrTask = ReadAllAsync(process.StandardError.BaseStream, stderr, abortReads.Token);

                using (graceful.Register(() => TryInterrupt(process)))
                using (forceful.Register(() =>
                {
                    killed = true;
                    TryKillTree(process);
                    SafeCancel(abortStdin);
                    SafeCancel(abortReads);
                }))
                {
                    if (!await WaitForExitAsync(process, exited.Task, forceful, spec.KillTimeout).ConfigureAwait(false))
                    {
                        // Killed, yet still there after KillTimeout (uninterruptible sleep, no permission...).
                        throw new OperationCanceledException(
                            $"Command execution canceled, but the process ({pid}) was still running {spec.KillTimeout.TotalSeconds:0} s after it was killed.",
                            forceful);
                    }
                    exitCode = ReadExitCode(process);
                    SafeCancel(abortStdin);

                    // A cancelled command's output is not used: no waiting for a grandchild that holds the pipes.
                    var pipes = Task.WhenAll(stdoutTask, stderrTask);
                    var cancelled = forceful.IsCancellationRequested || graceful.IsCancellationRequested;
                    if (!await CompletesWithinAsync(pipes, cancelled ? TimeSpan.Zero : spec.OutputDrainTimeout, forceful, graceful).ConfigureAwait(false))
                    {
                        // The process is gone, yet something (a grandchild) still holds stdout/stderr open.
                        outputIncomplete = !forceful.IsCancellationRequested && !graceful.IsCancellationRequested;
                        SafeCancel(abortReads);
                    }
                    else if (pipes.IsFaulted)
                    {
                        pipeError = pipes.Exception!.GetBaseException();
                    }
                }
            }
            catch (Exception)
            {
                SafeCancel(abortStdin);
                SafeCancel(abortReads);
                TryKillTree(process);
                process.Dispose();
                throw;
            }

            // Reads that did not end by themselves end with the process's streams; never wait for them.
            process.Dispose();
            Observe(stdinTask);
            Observe(stdoutTask);
            Observe(stderrTask);

            if (forceful.IsCancellationRequested || killed)
            {
                throw new OperationCanceledException($"Command execution canceled: the process ({pid}) was killed.", forceful);
            }
            if (graceful.IsCancellationRequested)
            {
                throw new OperationCanceledException($"Command execution canceled: the process ({pid}) was interrupted.", graceful);
            }
            var callbackError = stdout.Error ?? stderr.Error ?? pipeError;
            if (callbackError is not null)
            {
                ExceptionDispatchInfo.Capture(callbackError).Throw();
            }
            return new ProcessOutcome
            {
                ProcessId = pid,
                ExitCode = exitCode,
                StandardOutput = stdout.Text,
                StandardError = stderr.Text,
                StartTime = startTime,
                Duration = watch.Elapsed,
                OutputIncomplete = outputIncomplete,
            };
        }

        /// <summary>
        /// True once the process has exited; false when it was killed (forceful) and still had not exited
        /// after <paramref name="killTimeout"/>.
        /// </summary>
        private static async Task<bool> WaitForExitAsync(Process process, Task exited, CancellationToken forceful, TimeSpan killTimeout)
        {
            var killedAt = (Stopwatch?)null;
            while (true)
            {
                // The Exited event is the signal; HasExited, read here, backs it up (and re-checks the
                // "exited before anyone listened" case that the CliWrap polyfill misses).
                if (exited.IsCompleted || HasExited(process))
                {
                    return true;
                }
                if (forceful.IsCancellationRequested)
                {
                    killedAt ??= Stopwatch.StartNew();
                    if (killedAt.Elapsed >= killTimeout)
                    {
                        return false;
                    }
                }
                var delay = forceful.IsCancellationRequested ? TimeSpan.FromMilliseconds(50) : ExitPoll;
                using var wake = new CancellationTokenSource();
                using (forceful.IsCancellationRequested ? default : forceful.Register(() => SafeCancel(wake)))
                {
                    await Task.WhenAny(exited, Task.Delay(delay, wake.Token)).ConfigureAwait(false);
                }
                SafeCancel(wake);
            }
        }

        private static int ReadExitCode(Process process)
        {
            try
            {
                return process.ExitCode;
            }
            catch (InvalidOperationException)
            {
                return -1;
            }
        }

        private static bool HasExited(Process process)
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, CancellationToken forceful, CancellationToken graceful)
        {
            if (task.IsCompleted)
            {
                return true;
            }
            if (timeout == TimeSpan.Zero)
            {
                return false;
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(forceful, graceful);
            var delay = Task.Delay(timeout < TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout, cts.Token);
            var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
            SafeCancel(cts);
            return first == task;
        }

        private static async Task WriteStandardInputAsync(Stream stdin, string? text, CancellationToken abort)
        {
            try
            {
                if (!string.IsNullOrEmpty(text))
                {
                    var bytes = Utf8.GetBytes(text);
                    var write = stdin.WriteAsync(bytes, 0, bytes.Length, abort);
                    // A pipe write may ignore the token (Windows, sync handles): stop waiting for it anyway.
                    await Task.WhenAny(write, Task.Delay(Timeout.Infinite, abort)).ConfigureAwait(false);
                    if (write.IsCompleted)
                    {
                        await write.ConfigureAwait(false);
                        await stdin.FlushAsync(abort).ConfigureAwait(false);
                    }
                    else
                    {
                        Observe(write);
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is OperationCanceledException || e is ObjectDisposedException)
            {
                // The process exited (or was killed) before reading all of its stdin: not a failure.
            }
            finally
            {
                try
                {
                    stdin.Dispose();
                }
                catch (Exception e) when (e is IOException || e is ObjectDisposedException)
                {
                    // Broken pipe on the final flush: the process is gone.
                }
            }
        }

        private static async Task ReadAllAsync(Stream stream, LineSink sink, CancellationToken abort)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = stream.ReadAsync(buffer, 0, buffer.Length, abort);
                    if (!read.IsCompleted)
                    {
                        // On .NET Framework a pipe read ignores the token: do not stay behind it when aborted.
                        await Task.WhenAny(read, Task.Delay(Timeout.Infinite, abort)).ConfigureAwait(false);
                        if (!read.IsCompleted)
                        {
                            Observe(read);
                            return;
                        }
                    }
                    var count = await read.ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }
                    sink.Write(buffer, count);
                }
            }
            catch (Exception e) when (e is OperationCanceledException || e is ObjectDisposedException || (e is IOException && abort.IsCancellationRequested))
            {
                return;
            }
            sink.Complete();
        }

        /// <summary>SIGINT to the process (Unix). False when not sent: exited, Windows, or no libc.</summary>
        private static bool TryInterrupt(Process process)
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || HasExited(process))
                {
                    return false;
                }
                return Native.Kill(process.Id, Native.SigInt);
            }
            catch (Exception)
            {
                return false;
            }
        }

        /// <summary>Kills the process and its descendants; never throws.</summary>
        private static void TryKillTree(Process process)
        {
            try
            {
                if (HasExited(process))
                {
                    return;
                }
#if NETCOREAPP3_0_OR_GREATER
                process.Kill(entireProcessTree: true);
#else
                // The netstandard2.0 build: use Kill(bool) when the runtime has it (.NET Core 3.0+, so PowerShell 7),
                // taskkill /T on .NET Framework (Windows PowerShell 5.1), else the process alone.
                if (KillTree is not null)
                {
                    KillTree.Invoke(process, new object[] { true });
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && TryTaskKill(process.Id))
                {
                    // done
                }
                else
                {
                    process.Kill();
                }
#endif
            }
            catch (Exception)
            {
                try
                {
                    process.Kill();
                }
                catch (Exception)
                {
                    // Already gone, or not ours to kill: the exit wait decides what that means.
                }
            }
        }

#if !NETCOREAPP3_0_OR_GREATER
        private static readonly MethodInfo? KillTree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });

        private static bool TryTaskKill(int pid)
        {
            var system = Environment.GetFolderPath(Environment.SpecialFolder.System);
            var taskkill = Path.Combine(system, "taskkill.exe");
            if (!File.Exists(taskkill))
            {
                return false;
            }
            using var p = Process.Start(new ProcessStartInfo(taskkill, "/PID " + pid + " /T /F")
            {
                UseShellExecute = false,
                CreateNoWindow = true,
            });
            return p is not null && p.WaitForExit(10_000) && p.ExitCode == 0;
        }

        private static readonly PropertyInfo? ArgumentListProperty = typeof(ProcessStartInfo).GetProperty("ArgumentList");
#endif

        private static void SetArguments(ProcessStartInfo startInfo, IReadOnlyList<string> arguments)
        {
#if NETCOREAPP2_1_OR_GREATER
            foreach (var a in arguments)
            {
                startInfo.ArgumentList.Add(a);
            }
#else
            // The netstandard2.0 build: the runtime's own ArgumentList where it has one (.NET Core 2.1+, so
            // PowerShell 7), exact; a command line quoted for CommandLineToArgvW on .NET Framework.
            if (ArgumentListProperty?.GetValue(startInfo) is ICollection<string> list)
            {
                foreach (var a in arguments)
                {
                    list.Add(a);
                }
            }
            else
            {
                startInfo.Arguments = JoinArguments(arguments);
            }
#endif
        }

        /// <summary>
        /// One command line from an argv, quoted so that CommandLineToArgvW (and the C runtime, and .NET's own
        /// parser) gives back exactly the same items: an item with no space, tab, newline or quote goes bare;
        /// any other is put in quotes, with a quote escaped as \" and backslashes doubled where they precede
        /// a quote (an escaped one, or the closing one).
        /// </summary>
        public static string JoinArguments(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (var arg in arguments)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }
                AppendQuoted(line, arg ?? "");
            }
            return line.ToString();
        }

        private static void AppendQuoted(StringBuilder line, string arg)
        {
            if (arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '"'))
            {
                line.Append(arg);
                return;
            }
            line.Append('"');
            var i = 0;
            while (i < arg.Length)
            {
                var c = arg[i];
                if (c == '\\')
                {
                    var run = 0;
                    while (i < arg.Length && arg[i] == '\\')
                    {
                        run++;
                        i++;
                    }
                    if (i == arg.Length)
                    {
                        line.Append('\\', run * 2);          // before the closing quote
                    }
                    else if (arg[i] == '"')
                    {
                        line.Append('\\', run * 2 + 1).Append('"');
                        i++;
                    }
                    else
                    {
                        line.Append('\\', run);              // not before a quote: literal
                    }
                    continue;
                }
                if (c == '"')
                {
                    line.Append("\\\"");
                }
                else
                {
                    line.Append(c);
                }
                i++;
            }
            line.Append('"');
        }

        // Process.Start with UseShellExecute=false finds only .exe files on Windows: a docker.cmd or docker.bat
        // named without its extension (DOCKERVM_CLI) is looked up the way CliWrap does.
        private static string ResolveProgram(string fileName)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || Path.IsPathRooted(fileName) || Path.HasExtension(fileName))
            {
                return fileName;
            }
            var dirs = new List<string> { AppContext.BaseDirectory, Directory.GetCurrentDirectory() };
            dirs.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(d => d.Length > 0));
            foreach (var dir in dirs)
            {
                foreach (var ext in new[] { ".exe", ".cmd", ".bat" })
                {
                    try
                    {
                        var candidate = Path.Combine(dir, fileName + ext);
                        if (File.Exists(candidate))
                        {
                            return candidate;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // A malformed PATH entry.
                    }
                }
            }
            return fileName;
        }

        private static void SafeCancel(CancellationTokenSource cts)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private static void Observe(Task task) =>
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        /// <summary>One output stream: the exact text, and its lines handed to a callback as they complete.</summary>

        private static class Native
        {
            public const int SigInt = 2;
            private static int _library; // 0 unknown, 1 libc, 2 libc.so.6, -1 none

            public static bool Kill(int pid, int signal)
            {
                if (_library >= 0 && _library != 2)
                {
                    try
                    {
                        var r = KillLibc(pid, signal);
                        _library = 1;
                        return r == 0;
                    }
                    catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                    {
                        _library = 2;
                    }
                }
                if (_library == 2)
                {
                    try
                    {
                        return KillLibc6(pid, signal) == 0;
                    }
                    catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                    {
                        _library = -1;
                    }
                }
                return false;
            }

            [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
            private static extern int KillLibc(int pid, int sig);

            [DllImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
            private static extern int KillLibc6(int pid, int sig);
        }
    }
}
