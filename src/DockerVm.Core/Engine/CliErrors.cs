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

        /// <summary>True when stderr says the engine cannot be reached.</summary>
        public static bool IsEngineDown(string stderr) => EngineDown.IsMatch(stderr);

        /// <summary>True when stderr says the container is not running (the seed's already-stopped rule).</summary>
        public static bool IsNotRunning(string stderr) => NotRunningText.IsMatch(stderr);

        // What stderr says -> the contract's error, first match wins. {0} is the VM name, {1} the stderr tail.
        private static readonly (Regex Pattern, string? OnlyFor, DockerVmErrorKind Kind, string Message, string? Recommended)[] Rules =
        {
            (ImageMissing, "create", DockerVmErrorKind.ImageNotFound,
                "The image is not present on the engine and could not be pulled: {1}",
                "Build or load the image on this engine (docker images lists what is there), or check the image name."),
            (EngineDown, null, DockerVmErrorKind.EngineUnavailable,
                "The Docker engine cannot be reached: {1}",
                "Start the Docker engine, or check -Context, DOCKER_HOST and DOCKER_CONTEXT."),
            (NameInUse, null, DockerVmErrorKind.NameConflict,
                "A container named '{0}' already exists: {1}",
                "Choose another -Name, or remove the existing VM first."),
            (NoSuch, null, DockerVmErrorKind.NotFound,
                "The container '{0}' does not exist: {1}",
                "Run Get-DockerVm to list the VMs that exist."),
            (BadName, null, DockerVmErrorKind.InvalidName,
                "Docker rejected the name '{0}': {1}",
                null),
            (NotRunningText, null, DockerVmErrorKind.NotRunning,
                "The container '{0}' is not running: {1}",
                "Start the VM with Start-DockerVm (or Resume-DockerVm when suspended)."),
        };

        /// <summary>Maps a failed docker command to the contract's error.</summary>
        public static DockerVmException Map(string operation, string commandLine, int exitCode, string stderr, string? vmName)
        {
            var text = Tail(stderr);
            var rule = Rules.FirstOrDefault(r => (r.OnlyFor is null || r.OnlyFor == operation) && r.Pattern.IsMatch(stderr));
            var (kind, message, recommended) = rule.Pattern is null
                ? (DockerVmErrorKind.CommandFailed, $"'{commandLine}' failed with exit code {exitCode}: {text}", null)
                : (rule.Kind, string.Format(System.Globalization.CultureInfo.InvariantCulture, rule.Message, vmName, text), rule.Recommended);
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
