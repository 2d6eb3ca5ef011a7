using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;
using DockerVm.Commands;
using DockerVm.Engine;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Routes VmRegistry's engine factory to the engines tests register, by context. Installed once
/// for the whole test assembly; every test registers its FakeEngine under a context of its own, so
/// tests never share an engine or a (Context, Name) key and may run in parallel.
/// </summary>
internal static class TestEngines
{
    private static readonly ConcurrentDictionary<string, IDockerEngine> ByContext = new(StringComparer.Ordinal);
    private static readonly Func<string, IDockerEngine> Route = context =>
        ByContext.TryGetValue(context, out var engine) ? engine : new DockerCli(context);

    public static string NewContext() => "cmdlet-" + Guid.NewGuid().ToString("N").Substring(0, 10);

    /// <summary>A fresh FakeEngine under a new context, already the registry's engine for it.</summary>
    public static FakeEngine NewFake() => Register(new FakeEngine(NewContext()));

    /// <summary>
    /// Makes <paramref name="engine"/> the registry's engine for its context. The registry caches
    /// one engine per context: the entry is made here, through the router, and checked.
    /// </summary>
    public static T Register<T>(T engine) where T : IDockerEngine
    {
        ByContext[engine.Context] = engine;
        VmRegistry.EngineFactory = Route;
        var cached = VmRegistry.Engine(engine.Context);
        if (!ReferenceEquals(cached, engine))
        {
            throw new InvalidOperationException($"context '{engine.Context}' already had an engine in VmRegistry");
        }
        return engine;
    }
}

/// <summary>What one script run produced, stream by stream.</summary>
internal sealed class RunResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<InformationRecord> Information { get; init; }
    public required IReadOnlyList<string> Verbose { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();
    /// <summary>The error that ended the script (a terminating error, or one promoted by -ErrorAction Stop).</summary>
    public ErrorRecord? Terminating { get; init; }
    /// <summary>Lines the host UI received during this run (What if: messages, PSHOST information).</summary>
    public required IReadOnlyList<string> HostLines { get; init; }

    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    public IReadOnlyList<string> Strings => Output.Select(o => o.BaseObject).OfType<string>().ToList();

    public IReadOnlyList<string> WhatIf => HostLines.Where(l => l.StartsWith("What if:", StringComparison.Ordinal)).ToList();

    /// <summary>Asserts the run produced no error of any kind, with the errors in the message when it did.</summary>
    public RunResult NoErrors()
    {
        if (Terminating is not null || Errors.Count > 0)
        {
            var all = Errors.Select(e => e.FullyQualifiedErrorId + ": " + e).ToList();
            if (Terminating is not null)
            {
                all.Add("terminating " + Terminating.FullyQualifiedErrorId + ": " + Terminating);
            }
            throw new Xunit.Sdk.XunitException("expected no errors, got:\n" + string.Join("\n", all));
        }
        return this;
    }
}

/// <summary>
/// One runspace with the DockerVm cmdlets (imported from the DockerVm assembly, with the module's
/// format file) and a recording host. A runspace per test; the FakeEngine's context is $ctx.
/// </summary>
internal sealed class CmdletSession : IDisposable
{
    private static readonly Lazy<InitialSessionState> State = new(CreateState);
    private readonly Runspace _runspace;

    public CmdletSession(FakeEngine? fake = null)
    {
        Fake = fake ?? TestEngines.NewFake();
        Host = new RecordingHost();
        _runspace = RunspaceFactory.CreateRunspace(Host, State.Value.Clone());
        _runspace.Open();
        Set("ctx", Fake.Context);
    }

    public FakeEngine Fake { get; }
    public string Context => Fake.Context;
    public RecordingHost Host { get; }

    /// <summary>The DockerVm.format.ps1xml of the module folder, found from the test output upwards; null when absent.</summary>
    public static string? FormatFile { get; } = FindFormatFile();

    public void Set(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    public object? Get(string name) => _runspace.SessionStateProxy.GetVariable(name);

    /// <summary>
    /// Runs a script. A terminating error (or one -ErrorAction Stop promotes) is caught and kept
    /// in <see cref="RunResult.Terminating"/>; everything else stays in its stream.
    /// </summary>
    public RunResult Run(string script)
    {
        Set("__dvmTerminating", null);
        var mark = Host.Lines.Count;
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript("try {\n" + script + "\n} catch { $global:__dvmTerminating = $_ }");
        Collection<PSObject> output = ps.Invoke();
        return new RunResult
        {
            Output = output.Where(o => o is not null).ToList(),
            Errors = ps.Streams.Error.ToList(),
            Information = ps.Streams.Information.ToList(),
            Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
            Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
            Progress = ps.Streams.Progress.ToList(),
            Terminating = Get("__dvmTerminating") is PSObject { BaseObject: ErrorRecord r } ? r : Get("__dvmTerminating") as ErrorRecord,
            HostLines = Host.Lines.Skip(mark).ToList(),
        };
    }

    /// <summary>
    /// Runs a script and stops it (as Ctrl+C does) once <paramref name="when"/> holds. Returns how
    /// long the stop took and the final invocation state.
    /// </summary>
    public (TimeSpan StopTook, PSInvocationState State) RunAndStop(string script, Func<bool> when)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        var handle = ps.BeginInvoke();
        if (!SpinWait.SpinUntil(when, TimeSpan.FromSeconds(10)))
        {
            throw new Xunit.Sdk.XunitException("the condition to stop at never held; state " + ps.InvocationStateInfo.State);
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ps.Stop();
        try
        {
            ps.EndInvoke(handle);
        }
        catch (PipelineStoppedException)
        {
            // what a stopped pipeline ends with
        }
        return (watch.Elapsed, ps.InvocationStateInfo.State);
    }

    /// <summary>Runs a script that must produce no error.</summary>
    public RunResult Ok(string script) => Run(script).NoErrors();

    public void Dispose() => _runspace.Dispose();

    private static InitialSessionState CreateState()
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(typeof(NewDockerVmCommand).Assembly.Location);
        if (FormatFile is not null)
        {
            iss.Formats.Add(new SessionStateFormatEntry(FormatFile));
        }
        return iss;
    }

    private static string? FindFormatFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "module", "DockerVm.format.ps1xml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>
/// A PSHost whose UI records every line written to it (What if: messages, Write-Host/PSHOST
/// information) and answers -Confirm prompts with <see cref="ConfirmAnswer"/>.
/// </summary>
internal sealed class RecordingHost : PSHost
{
    private readonly RecordingUI _ui;

    public RecordingHost() => _ui = new RecordingUI(this);

    public override string Name => "DockerVmTestHost";
    public override Version Version { get; } = new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>The choice label (without '&amp;') a -Confirm prompt is answered with: Yes, Yes to All, No, No to All.</summary>
    public string ConfirmAnswer { get; set; } = "No";

    /// <summary>Every completed line written to the UI, in order.</summary>
    public IReadOnlyList<string> Lines => _ui.Snapshot();

    /// <summary>Every prompt (caption, message) the host was asked to answer.</summary>
    public ConcurrentQueue<(string Caption, string Message)> Prompts { get; } = new();

    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class RecordingUI : PSHostUserInterface
    {
        private readonly RecordingHost _host;
        private readonly object _lock = new();
        private readonly List<string> _lines = new();
        private readonly StringBuilder _pending = new();

        public RecordingUI(RecordingHost host) => _host = host;

        public override PSHostRawUserInterface RawUI { get; } = new RawUI();

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lock)
            {
                return _lines.ToList();
            }
        }

        public override void Write(string value)
        {
            lock (_lock)
            {
                _pending.Append(value);
            }
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

        public override void WriteLine(string value)
        {
            lock (_lock)
            {
                _pending.Append(value);
                _lines.Add(_pending.ToString());
                _pending.Clear();
            }
        }

        public override void WriteErrorLine(string value) => WriteLine("ERROR: " + value);
        public override void WriteDebugLine(string message) => WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => WriteLine("WARNING: " + message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            _host.Prompts.Enqueue((caption, message));
            for (var i = 0; i < choices.Count; i++)
            {
                if (choices[i].Label.Replace("&", "") == _host.ConfirmAnswer)
                {
                    return i;
                }
            }
            throw new InvalidOperationException($"no choice '{_host.ConfirmAnswer}' among {string.Join(", ", choices.Select(c => c.Label))}");
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("the test host does not prompt for fields: " + message);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException("the test host has no input");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("the test host has no input");
    }

    private sealed class RawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;
        public override Size BufferSize { get; set; } = new(200, 50);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(200, 50);
        public override Size MaxWindowSize => new(200, 50);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(200, 50);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
