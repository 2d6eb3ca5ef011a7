using System.Text;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// Every test that starts a process runs in this one collection, one at a time: a script written
/// while another thread forks can fail to exec with "Text file busy", and the engine-facing tests
/// are cheap enough to run serially.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FakeCliCollection
{
    public const string Name = "fake docker CLI";
}

/// <summary>
/// One test's fake docker CLI: a private temp dir with the canned answers, the argv log, and a
/// generated wrapper that points fake-docker.sh at them (so nothing depends on process-wide
/// environment variables). Pass <see cref="Program"/> to DockerCli.
/// </summary>
internal sealed class FakeDocker : IDisposable
{
    private static readonly object ModeLock = new();
    private static bool _scriptReady;

    public FakeDocker()
    {
        Dir = Path.Combine(Path.GetTempPath(), "dockervm-unit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        LogPath = Path.Combine(Dir, "argv.log");
        StdinLogPath = Path.Combine(Dir, "stdin.log");
        Program = Path.Combine(Dir, "docker");
        var wrapper = new StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append("export FAKE_DOCKER_LOG=").Append(Quote(LogPath)).Append('\n')
            .Append("export FAKE_DOCKER_DIR=").Append(Quote(Dir)).Append('\n')
            .Append("unset FAKE_DOCKER_STDOUT_FILE FAKE_DOCKER_STDERR FAKE_DOCKER_EXIT FAKE_DOCKER_STDIN_LOG\n")
            .Append("[ -e ").Append(Quote(Path.Combine(Dir, "record-stdin"))).Append(" ] && export FAKE_DOCKER_STDIN_LOG=").Append(Quote(StdinLogPath)).Append('\n')
            .Append("exec ").Append(Quote(ScriptPath)).Append(" \"$@\"\n")
            .ToString();
        File.WriteAllText(Program, wrapper, new UTF8Encoding(false));
        MakeExecutable(Program);
    }

    /// <summary>fake-docker.sh as copied to the output directory, made executable once.</summary>
    public static string ScriptPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "fake-docker.sh");
            lock (ModeLock)
            {
                if (!_scriptReady)
                {
                    MakeExecutable(path);
                    _scriptReady = true;
                }
            }
            return path;
        }
    }

    public string Dir { get; }
    public string LogPath { get; }
    public string StdinLogPath { get; }
    public string Program { get; }

    public DockerCli Cli(string? context = null) => new(context, program: Program);

    /// <summary>Cans the answer to SUB (or to its <paramref name="call"/>-th call).</summary>
    public FakeDocker On(string sub, string? stdout = null, string? stderr = null, int exit = 0, int? call = null, double? sleepSec = null)
    {
        var stem = Path.Combine(Dir, call is null ? sub : $"{sub}.{call}");
        if (stdout is not null)
        {
            File.WriteAllText(stem + ".stdout", stdout, new UTF8Encoding(false));
        }
        if (stderr is not null)
        {
            File.WriteAllText(stem + ".stderr", stderr, new UTF8Encoding(false));
        }
        File.WriteAllText(stem + ".exit", exit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (sleepSec is not null)
        {
            File.WriteAllText(stem + ".sleep", sleepSec.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return this;
    }

    /// <summary>Cans a captured inspect fixture as the answer to `inspect`.</summary>
    public FakeDocker OnInspect(string fixture) => On("inspect", stdout: Fixtures.Read(fixture));

    /// <summary>Makes the fake copy its standard input to <see cref="StdinLogPath"/>.</summary>
    public FakeDocker RecordStdin()
    {
        File.WriteAllText(Path.Combine(Dir, "record-stdin"), "");
        return this;
    }

    /// <summary>The argv of every call so far, in order (without the program name).</summary>
    public IReadOnlyList<string[]> Calls()
    {
        if (!File.Exists(LogPath))
        {
            return Array.Empty<string[]>();
        }
        var calls = new List<string[]>();
        var current = new List<string>();
        foreach (var line in File.ReadAllLines(LogPath))
        {
            if (line == "end")
            {
                calls.Add(current.ToArray());
                current.Clear();
            }
            else if (line.StartsWith("arg:", StringComparison.Ordinal))
            {
                current.Add(Encoding.UTF8.GetString(Convert.FromBase64String(line.Substring(4))));
            }
            else
            {
                throw new InvalidOperationException($"unexpected line in the fake's log: {line}");
            }
        }
        Assert.Empty(current); // every call finished its record
        return calls;
    }

    /// <summary>The argv of the only call made.</summary>
    public string[] SingleCall() => Assert.Single(Calls());

    /// <summary>The calls but those of one docker command (e.g. the inspect an exec makes first to read the container's environment).</summary>
    public IReadOnlyList<string[]> CallsBut(string command) =>
        Calls().Where(c => (c.Length > 2 && c[0] == "--context" ? c[2] : c.FirstOrDefault()) != command).ToList();

    /// <summary>The argv of the only call made but those of <paramref name="command"/>.</summary>
    public string[] SingleCallBut(string command) => Assert.Single(CallsBut(command));

    /// <summary>True when the fake was never run: no log file, or an empty one.</summary>
    public bool NeverCalled => !File.Exists(LogPath) || new FileInfo(LogPath).Length == 0;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static void MakeExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the fake docker CLI is a bash script");
        }
        File.SetUnixFileMode(path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
            UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }
}

/// <summary>The captured `docker inspect` outputs under Fixtures/ (see Fixtures/README.md).</summary>
internal static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Read(string name) => File.ReadAllText(Path(name));

    public static ContainerInfo One(string name) => Assert.Single(ContainerInfo.ParseArray(Read(name)));
}
