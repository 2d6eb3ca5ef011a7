using System.Linq;
using System.Text.RegularExpressions;

namespace DockerVm.Engine
{
    /// <summary>The one place where the CLI's stderr and exit codes become the contract's errors.</summary>
    public static class CliErrors
    {
        private static readonly Regex EngineDown = new(
            @"Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|failed to connect to the docker API|context "".*"" does not exist|context "".*"": context not found|dial unix [^:]+: connect:",
            RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex ImageMissing = new(
            @"Unable to find image|No such image|pull access denied|manifest unknown|repository does not exist|invalid reference format",
            RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex NameInUse = new(@"is already in use by container|Conflict\. The container name", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex NoSuch = new(@"no such (container|object)", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex BadName = new(@"Invalid container name", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex NotRunningText = new(@"is not running|is paused|is restarting", RegexOptions.IgnoreCase | RegexOptions.Compiled);

        /// <summary>True when stderr says the container does not exist.</summary>
        public static bool IsNoSuchContainer(string stderr) => NoSuch.IsMatch(stderr);

        /// <summary>True when stderr says the container is not running (the seed's already-stopped rule).</summary>
        public static bool IsNotRunning(string stderr) => NotRunningText.IsMatch(stderr);

        /// <summary>Maps a failed docker command to the contract's error.</summary>
        public static DockerVmException Map(string operation, string commandLine, int exitCode, string stderr, string? vmName)
        {
            var text = Tail(stderr);
            DockerVmErrorKind kind;
            string message;
            string? recommended = null;
            if (operation == "create" && ImageMissing.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.ImageNotFound;
                message = $"The image is not present on the engine and could not be pulled: {text}";
                recommended = "Build or load the image on this engine (docker images lists what is there), or check the image name.";
            }
            else if (EngineDown.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.EngineUnavailable;
                message = $"The Docker engine cannot be reached: {text}";
                recommended = "Start the Docker engine, or check -Context, DOCKER_HOST and DOCKER_CONTEXT.";
            }
            else if (NameInUse.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.NameConflict;
                message = $"A container named '{vmName}' already exists: {text}";
                recommended = "Choose another -Name, or remove the existing VM first.";
            }
            else if (NoSuch.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.NotFound;
                message = $"The container '{vmName}' does not exist: {text}";
                recommended = "Run Get-DockerVm to list the VMs that exist.";
            }
            else if (BadName.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.InvalidName;
                message = $"Docker rejected the name '{vmName}': {text}";
            }
            else if (NotRunningText.IsMatch(stderr))
            {
                kind = DockerVmErrorKind.NotRunning;
                message = $"The container '{vmName}' is not running: {text}";
                recommended = "Start the VM with Start-DockerVm (or Resume-DockerVm when suspended).";
            }
            else
            {
                kind = DockerVmErrorKind.CommandFailed;
                message = $"'{commandLine}' failed with exit code {exitCode}: {text}";
            }
            return new DockerVmException(kind, message, vmName)
            {
                RecommendedAction = recommended,
                CommandLine = commandLine,
                StandardError = stderr,
                ExitCode = exitCode,
            };
        }

        /// <summary>The last few non-empty lines of a text, joined.</summary>
        public static string Tail(string text, int lines = 5)
        {
            var kept = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
            var tail = string.Join(" | ", kept.Skip(System.Math.Max(0, kept.Length - lines)));
            return tail.Length == 0 ? "(no error output)" : tail;
        }
    }
}
