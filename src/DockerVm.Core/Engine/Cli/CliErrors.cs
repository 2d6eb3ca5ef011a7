using System.Linq;
using System.Text.RegularExpressions;

namespace DockerVm.Engine
{
    /// <summary>The one place where the CLI's stderr and exit codes are read: docker's wording in, the contract's errors out.</summary>
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
        private static readonly Regex AlreadyPausedText = new(@"is already paused", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex RemovalInProgress = new(@"removal of container .* is already in progress", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex RemoveRunningText = new(@"cannot remove a running container|Stop the container before attempting removal", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        // docker cp: "Could not find the file /x in container c" (engine 20.10), "No such container:path: c:/x"
        // (newer), "no such directory" (a destination folder), "invalid output path" (a host folder).
        private static readonly Regex CopyPathMissing = new(
            @"Could not find the file|No such container:path|no such directory|invalid output path|lstat [^:]+: no such file or directory",
            RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex NoSuchImage = new(@"No such image", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex ImageInUseText = new(
            @"unable to remove repository reference|unable to delete \S+ \(must be forced\)|is being used by|is using its referenced image",
            RegexOptions.IgnoreCase | RegexOptions.Compiled);

        /// <summary>True when stderr says the container does not exist.</summary>
        public static bool IsNoSuchContainer(string stderr) => NoSuch.IsMatch(stderr);

        /// <summary>True when stderr says the engine cannot be reached.</summary>
        public static bool IsEngineDown(string stderr) => EngineDown.IsMatch(stderr);

        /// <summary>True when stderr says the container is not running (a stop of it counts as done).</summary>
        public static bool IsNotRunning(string stderr) => NotRunningText.IsMatch(stderr);

        /// <summary>True when stderr says the container is paused already (a pause of it counts as done).</summary>
        public static bool IsAlreadyPaused(string stderr) => AlreadyPausedText.IsMatch(stderr);

        /// <summary>True when a plain rm was refused because the container runs.</summary>
        public static bool IsRemoveOfRunning(string stderr) => RemoveRunningText.IsMatch(stderr);

        /// <summary>True when rmi was refused because a container still uses the image.</summary>
        public static bool IsImageInUse(string stderr) => ImageInUseText.IsMatch(stderr);

        /// <summary>True when stderr lists images that do not exist (image inspect prints the others).</summary>
        public static bool IsNoSuchImage(string stderr) => NoSuchImage.IsMatch(stderr);

        // What stderr says -> the contract's error, first match wins (null: any command).
        private static readonly (Regex Pattern, string? OnlyFor, DockerVmErrorKind Kind)[] Rules =
        {
            // A missing path of a copy is not a missing container ("No such container:path").
            (CopyPathMissing, "cp", DockerVmErrorKind.PathNotFound),
            (NoSuchImage, "rmi", DockerVmErrorKind.CheckpointNotFound),
            (ImageMissing, "create", DockerVmErrorKind.ImageNotFound),
            // Two removes at once: the one that lost finds the container going, as good as gone.
            (RemovalInProgress, "rm", DockerVmErrorKind.NotFound),
            (EngineDown, null, DockerVmErrorKind.EngineUnavailable),
            (NameInUse, null, DockerVmErrorKind.NameConflict),
            (NoSuch, null, DockerVmErrorKind.NotFound),
            (BadName, null, DockerVmErrorKind.InvalidName),
            (NotRunningText, null, DockerVmErrorKind.NotRunning),
        };

        /// <summary>
        /// Maps a failed docker command, or an Engine API answer (no exit code; the engine's message is the
        /// text the CLI prints after "Error response from daemon:"), to the contract's error.
        /// </summary>
        public static DockerVmException Map(string operation, string commandLine, int? exitCode, string stderr, string? vmName)
        {
            var rule = Rules.FirstOrDefault(r => (r.OnlyFor is null || r.OnlyFor == operation) && r.Pattern.IsMatch(stderr));
            if (rule.Pattern is not null && rule.Kind == DockerVmErrorKind.PathNotFound)
            {
                return Failures.EnginePathNotFound(vmName, commandLine, exitCode, stderr);
            }
            if (rule.Pattern is not null && rule.Kind == DockerVmErrorKind.CheckpointNotFound)
            {
                return Failures.CheckpointImageNotFound(vmName ?? "", commandLine, exitCode, stderr);
            }
            return Failures.FromEngine(rule.Pattern is null ? DockerVmErrorKind.CommandFailed : rule.Kind, vmName, commandLine, exitCode, stderr);
        }
    }
}
