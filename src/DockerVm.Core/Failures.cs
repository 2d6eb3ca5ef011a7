using System;
using System.Linq;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// The one error factory: every message DockerVm reports is written here, with its contract
    /// id, the VM it is about and what the user can do. Transports and the instance only pick one.
    /// </summary>
    public static class Failures
    {
        private const string ListVms = "Run Get-DockerVm to list the VMs that exist.";
        private const string RaiseTimeout = "Raise -TimeoutSec, or check the VM with Get-DockerVmProperties.";
        private const string ReadEngine = "Read the engine's message above; run the command shown (docker ...) by hand to see more, or check the VM with Get-DockerVmProperties.";

        private static string On(string? context) => string.IsNullOrEmpty(context) ? "" : $" on context '{context}'";

        private static string Valid(VmState state)
        {
            var valid = StateMachine.ValidActions(state);
            return valid.Length == 0 ? "none (wait for the current operation to finish)" : string.Join(", ", valid);
        }

        // ---- the state machine ----------------------------------------------------------------

        /// <summary>The table does not allow <paramref name="action"/> in <paramref name="state"/>.</summary>
        public static DockerVmException InvalidTransition(VmState state, VmAction action, string? vmName, string? actionLabel = null)
        {
            var who = vmName is null ? "the VM" : $"VM '{vmName}'";
            var none = StateMachine.ValidActions(state).Length == 0;
            return new DockerVmException(DockerVmErrorKind.InvalidTransition,
                $"Cannot {actionLabel ?? action.ToString()} {who}: the action {action} is not allowed in state {state}. Valid actions in {state}: {Valid(state)}.",
                vmName)
            {
                RecommendedAction = (none
                    ? "Wait for the VM to leave its transient state, then retry."
                    : $"Use one of the valid actions for state {state}: {Valid(state)}.")
                    + " If the VM was changed outside DockerVm, Get-DockerVm reads its current state.",
                State = state,
                Action = action,
            };
        }

        /// <summary>Resume is Start from Suspended only.</summary>
        public static DockerVmException ResumeRefused(VmState state, string vmName) =>
            new(DockerVmErrorKind.InvalidTransition,
                $"Cannot resume VM '{vmName}': it is {state}, and only a Suspended VM resumes. Valid actions in {state}: {Valid(state)}.", vmName)
            {
                RecommendedAction = state == VmState.Stopped ? "Start it with Start-DockerVm." : InvalidTransition(state, VmAction.Start, vmName).RecommendedAction,
                State = state,
                Action = VmAction.Start,
            };

        /// <summary>The engine refused to remove a running container: it was started outside DockerVm.</summary>
        public static DockerVmException RemoveRunning(string vmName, string? commandLine, string? detail) =>
            new(DockerVmErrorKind.InvalidTransition,
                $"Cannot Delete VM '{vmName}': the engine says its container is running (it was started outside DockerVm). Valid actions in Running: {Valid(VmState.Running)}.",
                vmName)
            {
                RecommendedAction = "Stop it first, or use Remove-DockerVm -Force to stop and remove it.",
                State = VmState.Running,
                Action = VmAction.Delete,
                CommandLine = commandLine,
                StandardError = detail,
            };

        /// <summary>Exec needs a Running VM.</summary>
        public static DockerVmException NotRunning(string vmName, VmState state) =>
            new(DockerVmErrorKind.NotRunning, $"VM '{vmName}' is not running (state {state}); exec needs a Running VM.", vmName)
            {
                State = state,
                RecommendedAction = state == VmState.Suspended ? "Resume the VM with Resume-DockerVm." : "Start the VM with Start-DockerVm.",
            };

        // ---- lookups and input ----------------------------------------------------------------

        /// <summary>The VM's container is gone from the engine.</summary>
        public static DockerVmException NotFound(string vmName, string? context, DockerVmException? cause = null) =>
            new(DockerVmErrorKind.NotFound, $"The container of VM '{vmName}' does not exist{On(context)}.", vmName, cause)
            {
                RecommendedAction = ListVms,
                CommandLine = cause?.CommandLine,
                StandardError = cause?.StandardError,
            };

        /// <summary>A literal name that matches no managed VM.</summary>
        public static DockerVmException NoSuchVm(string name, string? context) =>
            new(DockerVmErrorKind.NotFound, $"No DockerVm-managed VM named '{name}' exists{On(context)}.", name) { RecommendedAction = ListVms };

        public static DockerVmException InvalidName(string? name) =>
            new(DockerVmErrorKind.InvalidName,
                $"'{name}' is not a valid VM name: docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters, starting with a letter or digit).", name)
            {
                RecommendedAction = "Choose a name of letters, digits, '_', '.' and '-', starting with a letter or digit.",
            };

        /// <summary>A hashtable key docker would reject (-Environment, -Label).</summary>
        public static DockerVmException InvalidKey(string parameter, string key) =>
            new(DockerVmErrorKind.InvalidName,
                $"-{parameter} has the key '{key}', a name docker would reject: keys must be non-empty and contain no '='.", key)
            {
                RecommendedAction = $"Use -{parameter} @{{ NAME = 'value' }} with a non-empty NAME without '='.",
            };

        /// <summary>New-DockerVm -Pool with a create option: the pool's definition decides those.</summary>
        public static string PoolDecidesOptions(string pool, System.Collections.Generic.IReadOnlyList<string> parameters) =>
            $"{string.Join(", ", parameters.Select(p => "-" + p))} cannot be used with -Pool: warm pool '{pool}' decides how its VMs are made (image, command, environment, labels, ports, volumes, limits, network). " +
            "With -Pool, New-DockerVm takes only -Name, -Start, -StartTimeoutSec and -Context; for other options define a pool with them (New-DockerVmPool), or leave out -Pool to create the VM cold.";

        /// <summary>An -Environment key that is not a variable name (checked at binding by the cmdlets, and again by the Core).</summary>
        public static DockerVmException InvalidEnvironmentKey(string key, string? vmName) =>
            new(DockerVmErrorKind.InvalidName,
                $"-Environment has the key '{key.Replace("\0", "`0")}', which is not an environment variable name: a name is not empty and has no '=', white space or NUL.", vmName)
            {
                RecommendedAction = "Use -Environment @{ NAME = 'value' } with a NAME such as APP_MODE or spring.profiles.active.",
            };

        /// <summary>A NUL character, which no command line or environment can carry (it would silently cut the text).</summary>
        public static DockerVmException NulCharacter(string parameter, string? vmName) =>
            new(DockerVmErrorKind.InvalidName, $"-{parameter} contains a NUL character, which cannot be passed to a program: it would cut the text short.", vmName)
            {
                RecommendedAction = $"Remove the NUL (`0) characters from -{parameter}; pass binary data through a file copied into the VM.",
            };

        /// <summary>An image reference docker would read as an option.</summary>
        public static DockerVmException InvalidImage(string image, string vmName) =>
            new(DockerVmErrorKind.ImageNotFound, $"'{image}' is not an image reference: it begins with '-', which docker would read as an option.", vmName)
            {
                RecommendedAction = "Pass an image name such as dockervm/busybox:latest (docker images lists them).",
            };

        /// <summary>A -CreateArgument that would break what DockerVm guarantees about its VMs.</summary>
        public static DockerVmException ForbiddenCreateArgument(string argument, string why, string vmName) =>
            new(DockerVmErrorKind.InvalidName, $"-CreateArgument '{argument}' is refused: {why}", vmName)
            {
                RecommendedAction = "Use New-DockerVm's own parameters (-Name, -Label, -Ephemeral ...) instead, or leave the argument out.",
            };

        /// <summary>A create option (-Port, -Volume ...) docker would reject.</summary>
        public static DockerVmException InvalidOption(string parameter, string value, string expected, string vmName) =>
            new(DockerVmErrorKind.InvalidName, $"-{parameter} '{value}' is not valid: {expected}.", vmName)
            {
                RecommendedAction = $"Write -{parameter} in {expected}.",
            };

        /// <summary>An interactive shell needs a console, and this host has none.</summary>
        public static DockerVmException NoConsole(string hostName, string vmName) =>
            new(DockerVmErrorKind.CommandFailed,
                $"Enter-DockerVm needs an interactive console, and this host ('{hostName}') has none (its input or output is redirected). Nothing was run.", vmName)
            {
                RecommendedAction = "Run it from an interactive pwsh, or run the command with Invoke-DockerVmExec.",
            };

        public static DockerVmException EmptyImage(string vmName) =>
            new(DockerVmErrorKind.ImageNotFound, "-Image is empty: name the image to create the VM from, e.g. dockervm/busybox:latest.", vmName)
            {
                RecommendedAction = "Pass an image that exists on the engine (docker images lists them).",
            };

        // ---- outcomes of actions --------------------------------------------------------------

        /// <summary>The container did not reach Running: it exited, was paused, or docker start failed.</summary>
        public static DockerVmException StartFailed(string vmName, string status, int exitCode, string? containerError, string logs, DockerVmException? cause)
        {
            var why = cause is not null
                ? $"did not start (docker: {Tail(cause.StandardError ?? cause.Message)}; exit code {exitCode})"
                : status == "paused"
                ? "was paused while starting"
                : $"exited with code {exitCode} while starting{(string.IsNullOrEmpty(containerError) ? "" : $" ({containerError})")}";
            var lines = logs.Length == 0 ? "(none)" : logs.Replace("\r", "").Replace("\n", " | ");
            return new DockerVmException(DockerVmErrorKind.StartFailed, $"VM '{vmName}' {why}. Last log lines: {lines}", vmName)
            {
                ExitCode = exitCode,
                CommandLine = cause?.CommandLine,
                StandardError = cause?.StandardError,
                RecommendedAction = "The container command must keep running; check -ContainerCommand and the image.",
            };
        }

        public static DockerVmException StartTimeout(string vmName, TimeSpan timeout, string status) =>
            new(DockerVmErrorKind.Timeout, $"VM '{vmName}' did not reach Running within {timeout.TotalSeconds:0.###} s (docker status '{status}').", vmName)
            {
                RecommendedAction = RaiseTimeout,
            };

        public static DockerVmException WaitTimeout(string vmName, VmState target, TimeSpan timeout, VmState state) =>
            new(DockerVmErrorKind.Timeout, $"VM '{vmName}' did not reach state {target} within {timeout.TotalSeconds:0.###} s; it is {state}.", vmName)
            {
                State = state,
                RecommendedAction = RaiseTimeout,
            };

        public static DockerVmException ExecTimeout(string vmName, string command, TimeSpan timeout) =>
            new(DockerVmErrorKind.Timeout, $"'{command}' in VM '{vmName}' did not finish within {timeout.TotalSeconds:0.###} s and was killed.", vmName)
            {
                RecommendedAction = "Raise -TimeoutSec, or check why the command does not finish.",
            };

        public static DockerVmException ExecFailed(string vmName, string command, int exitCode, string stderr) =>
            new(DockerVmErrorKind.ExecFailed,
                $"'{command}' in VM '{vmName}' exited with code {exitCode}." + (stderr.Length > 0 ? $" stderr: {Tail(stderr, 3)}" : ""), vmName)
            {
                ExitCode = exitCode,
                StandardError = stderr,
                RecommendedAction = "Use -AsResult to get the exit code and output as an object without an error.",
            };

        /// <summary>An action failed with something that is not a DockerVm failure.</summary>
        public static DockerVmException ActionFailed(VmAction action, string vmName, Exception e) =>
            new(DockerVmErrorKind.CommandFailed, $"{action} of VM '{vmName}' failed: {e.Message}", vmName, e) { RecommendedAction = ReadEngine };

        /// <summary>Anything that is not a DockerVmException: no raw .NET exception reaches the user.</summary>
        public static DockerVmException Unexpected(Exception e, string? target) =>
            new(DockerVmErrorKind.CommandFailed, $"DockerVm failed unexpectedly: {e.Message}", target, e)
            {
                RecommendedAction = "This is a bug in DockerVm: please report it with the command and this message.",
            };

        // ---- the engine -----------------------------------------------------------------------

        /// <summary>What the engine said, as one of the contract's errors. {0} in the texts is the VM, {1} the engine's words.</summary>
        public static DockerVmException FromEngine(DockerVmErrorKind kind, string? vmName, string commandLine, int? exitCode, string detail)
        {
            var text = Tail(detail);
            var (message, recommended) = kind switch
            {
                DockerVmErrorKind.ImageNotFound => ($"The image is not present on the engine and could not be pulled: {text}",
                    "Build or load the image on this engine (docker images lists what is there), or check the image name."),
                DockerVmErrorKind.EngineUnavailable => ($"The Docker engine cannot be reached: {text}",
                    "Start the Docker engine, or check -Context, DOCKER_HOST and DOCKER_CONTEXT."),
                DockerVmErrorKind.NameConflict => ($"A container named '{vmName}' already exists: {text}",
                    "Choose another -Name, or remove the existing VM first."),
                DockerVmErrorKind.NotFound => ($"The container '{vmName}' does not exist: {text}", ListVms),
                DockerVmErrorKind.InvalidName => ($"Docker rejected the name '{vmName}': {text}",
                    "Choose a name of letters, digits, '_', '.' and '-', starting with a letter or digit."),
                DockerVmErrorKind.NotRunning => ($"The container '{vmName}' is not running: {text}",
                    "Start the VM with Start-DockerVm (or Resume-DockerVm when suspended)."),
                _ => ($"'{commandLine}' failed{(exitCode is null ? "" : $" with exit code {exitCode}")}: {text}", ReadEngine),
            };
            return new DockerVmException(kind, message, vmName)
            {
                RecommendedAction = recommended,
                CommandLine = commandLine,
                StandardError = detail,
                ExitCode = exitCode,
            };
        }

        /// <summary>A request went unanswered past its ceiling: the engine may or may not have acted.</summary>
        public static DockerVmException NoAnswer(string commandLine, TimeSpan ceiling, string? vmName) =>
            new(DockerVmErrorKind.EngineUnavailable, $"The Docker engine did not answer '{commandLine}' within {ceiling.TotalSeconds:0} s.", vmName)
            {
                CommandLine = commandLine,
                RecommendedAction = "Check that the Docker engine is running and reachable (docker info).",
                OutcomeUnknown = true,
            };

        /// <summary>The liveness probe got no answer while a request was waiting: the engine is dead, not slow.</summary>
        public static DockerVmException EngineDead(string commandLine, string endpoint, TimeSpan waited, string? vmName) =>
            new(DockerVmErrorKind.EngineUnavailable,
                $"The Docker engine at {endpoint} does not answer: '{commandLine}' waited {waited.TotalSeconds:0.#} s and a ping got no answer within {LivenessProbe.CurrentDeadline.TotalSeconds:0} s.", vmName)
            {
                CommandLine = commandLine,
                RecommendedAction = "Check that the Docker engine is running and reachable (docker info); check -Context, DOCKER_HOST and DOCKER_CONTEXT.",
                OutcomeUnknown = true,
            };

        /// <summary>One engine's failure among many (-Context with wildcards or a list): the same error, naming its context.</summary>
        public static DockerVmException OnContext(DockerVmException e, string context) =>
            e.Message.StartsWith($"Context '{context}': ", StringComparison.Ordinal) ? e :
            new(e.Kind, $"Context '{context}': {e.Message}", e.VmName, e)
            {
                RecommendedAction = e.RecommendedAction,
                CommandLine = e.CommandLine,
                StandardError = e.StandardError,
                ExitCode = e.ExitCode,
                State = e.State,
                Action = e.Action,
                OutcomeUnknown = e.OutcomeUnknown,
            };

        /// <summary>An engine among many answered nothing within its bound (ManyEngines.EngineBound).</summary>
        public static DockerVmException EngineTooSlow(string context, TimeSpan bound) =>
            new(DockerVmErrorKind.EngineUnavailable, $"Context '{context}': the Docker engine did not answer within {bound.TotalSeconds:0.#} s.")
            {
                RecommendedAction = $"Check that the engine of context '{context}' is running and reachable (docker --context {context} info).",
            };

        /// <summary>The OS refused to start the CLI with so long an argument list (E2BIG).</summary>
        public static DockerVmException CommandTooLong(string commandLine, int length, string? vmName, Exception e) =>
            new(DockerVmErrorKind.CommandFailed,
                $"The docker command is too long for the operating system ({length:N0} characters of arguments): '{(commandLine.Length > 200 ? commandLine.Substring(0, 200) + "…" : commandLine)}'.", vmName, e)
            {
                CommandLine = commandLine,
                RecommendedAction = "Pass large data another way: -StandardInput, a file copied into the VM, or a volume.",
            };

        public static DockerVmException CliNotFound(string program, string variable, string commandLine, string? vmName, Exception e) =>
            new(DockerVmErrorKind.CliNotFound, $"The docker CLI '{program}' could not be started: {e.Message}", vmName, e)
            {
                CommandLine = commandLine,
                RecommendedAction = $"Install the docker CLI, or set ${variable} to the path of a Docker-compatible CLI.",
            };

        /// <summary>The engine answered something DockerVm cannot read.</summary>
        public static DockerVmException Unreadable(string commandLine, string what, string? vmName, Exception? e = null) =>
            new(DockerVmErrorKind.CommandFailed, $"'{commandLine}' {what}{(e is null ? "" : ": " + e.Message)}", vmName, e)
            {
                CommandLine = commandLine,
                RecommendedAction = "Check that DOCKERVM_CLI (if set) names a Docker-compatible CLI, and that the engine is a Docker engine.",
            };

        // ---- logs and readiness --------------------------------------------------------------

        /// <summary>A readiness wait ran past its timeout: what it waited for, and what it last saw.</summary>
        public static DockerVmException NotReady(string vmName, string waitedFor, TimeSpan timeout, string lastSeen) =>
            new(DockerVmErrorKind.NotReady,
                $"VM '{vmName}' was not ready within {timeout.TotalSeconds:0.###} s: it waited for {waitedFor}. Last seen: {lastSeen}.", vmName)
            {
                RecommendedAction = "Raise -TimeoutSec, or look at what the VM is doing: Get-DockerVmLog " + vmName + " -Tail 20, Get-DockerVmProperties " + vmName + ".",
            };

        /// <summary>A readiness wait that can never succeed (the VM stopped, or cannot be reached): reported at once, not at the timeout.</summary>
        public static DockerVmException NeverReady(string vmName, string waitedFor, string why, string lastSeen, int? exitCode = null, VmState? state = null) =>
            new(DockerVmErrorKind.NotReady,
                $"VM '{vmName}' cannot become ready: it waited for {waitedFor}, but {why}. Last seen: {lastSeen}.", vmName)
            {
                ExitCode = exitCode,
                State = state,
                RecommendedAction = "Start the VM (Start-DockerVm) and check that its command keeps running: Get-DockerVmLog " + vmName + " -Tail 20.",
            };

        /// <summary>-Healthy on a container without a healthcheck: it would never report healthy.</summary>
        public static DockerVmException NoHealthcheck(string vmName) =>
            new(DockerVmErrorKind.NotReady,
                $"VM '{vmName}' has no healthcheck, so it never reports healthy: -Healthy needs one.", vmName)
            {
                RecommendedAction = "Create the VM with a healthcheck (New-DockerVm -CreateArgument '--health-cmd', 'CMD', '--health-interval', '1s') " +
                                    "or from an image with a HEALTHCHECK; or wait for something else (-ForLog, -ForPort).",
            };

        // ---- the Engine API transport -----------------------------------------------------------

        private const string UseCli = "Set $env:DOCKERVM_TRANSPORT = 'cli' to reach this engine through the docker CLI instead.";

        /// <summary>The engine refused an API request with a status that is none of the contract's errors.</summary>
        public static DockerVmException ApiFailed(string method, string path, int status, string message, string? vmName) =>
            new(DockerVmErrorKind.CommandFailed, $"The Docker engine refused '{method} {path}' (HTTP {status}): {Tail(message)}", vmName)
            {
                CommandLine = $"api {method} {path}",
                StandardError = message,
                RecommendedAction = "Read the engine's message above; -Verbose shows each request sent to the engine, or check the VM with Get-DockerVmProperties.",
            };

        /// <summary>The connection to the engine broke while a request was under way: the engine may or may not have acted.</summary>
        public static DockerVmException ApiConnectionLost(string commandLine, string endpoint, string? vmName, Exception e) =>
            new(DockerVmErrorKind.EngineUnavailable, $"The connection to the Docker engine at {endpoint} broke during '{commandLine}': {e.Message}", vmName, e)
            {
                CommandLine = commandLine,
                RecommendedAction = "Check that the Docker engine is running and reachable (docker info), then check the VM with Get-DockerVm.",
                OutcomeUnknown = true,
            };

        /// <summary>The engine answered an API request with something DockerVm cannot read.</summary>
        public static DockerVmException ApiUnreadable(string commandLine, string what, string? vmName, Exception? e = null) =>
            new(DockerVmErrorKind.CommandFailed, $"'{commandLine}' got an answer DockerVm cannot read: {what}", vmName, e)
            {
                CommandLine = commandLine,
                RecommendedAction = "Check that -Context, DOCKER_HOST or DOCKER_CONTEXT point at a Docker engine. " + UseCli,
            };

        /// <summary>The Engine API transport cannot reach this engine (ssh, an engine too old, TLS files this runtime cannot read).</summary>
        public static DockerVmException ApiUnsupported(string endpoint, string why) =>
            new(DockerVmErrorKind.EngineUnavailable, $"The Engine API transport cannot use the engine at {endpoint}: {why}.")
            {
                RecommendedAction = UseCli + " ($env:DOCKERVM_TRANSPORT = 'auto', the default, picks the CLI for such engines.)",
            };

        /// <summary>DOCKERVM_TRANSPORT names no transport.</summary>
        public static DockerVmException InvalidTransport(string variable, string value) =>
            new(DockerVmErrorKind.EngineUnavailable, $"${variable} is '{value}', which is not a transport: use auto (the default), api or cli.")
            {
                RecommendedAction = $"Set $env:{variable} to auto, api or cli, or remove it.",
            };

        /// <summary>A -CreateArgument the API transport does not translate, and no docker CLI to pass it on.</summary>
        public static DockerVmException CreateArgumentNeedsCli(string argument, string program, string vmName, System.Collections.Generic.IEnumerable<string> translated, DockerVmException cause) =>
            new(DockerVmErrorKind.CliNotFound,
                $"-CreateArgument '{argument}' has no Engine API translation, and the docker CLI that would pass it on ('{program}') could not be started: {cause.InnerException?.Message ?? cause.Message}", vmName, cause)
            {
                CommandLine = cause.CommandLine,
                RecommendedAction = $"Install the docker CLI (or set $DOCKERVM_CLI), or use only create arguments the API transport translates: {string.Join(", ", translated)}.",
            };

        /// <summary>The last few non-empty lines of a text, joined.</summary>
        public static string Tail(string text, int lines = 5)
        {
            var kept = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
            var tail = string.Join(" | ", kept.Skip(Math.Max(0, kept.Length - lines)));
            return tail.Length == 0 ? "(no error output)" : tail;
        }

        // ---- the machine toolkit: copy ----------------------------------------------------------

        private const string HostPathHint = "Check the path: relative paths are resolved from the current location (Get-Location); a folder's contents are copied with 'folder/.'.";
        private const string VmPathHint = "Check the path in the VM (docker cp paths are absolute in the VM): Invoke-DockerVmExec VM ls -la /the/folder lists a Running VM's files.";

        /// <summary>A copy source on the host that does not exist (found before any engine call).</summary>
        public static DockerVmException HostPathNotFound(string path, string? vmName) =>
            new(DockerVmErrorKind.PathNotFound, $"Cannot copy '{path}' into VM '{vmName}': it does not exist on the host.", vmName)
            {
                RecommendedAction = HostPathHint,
            };

        /// <summary>The host folder a copy out of a VM would write into does not exist (found before any engine call).</summary>
        public static DockerVmException HostFolderNotFound(string destination, string folder, string? vmName) =>
            new(DockerVmErrorKind.PathNotFound, $"Cannot copy out of VM '{vmName}' to '{destination}': the folder '{folder}' does not exist on the host.", vmName)
            {
                RecommendedAction = "Create the folder first (New-Item -ItemType Directory), or copy into a folder that exists.",
            };

        /// <summary>The engine says a path of a copy does not exist in the container (the transport's error, before the VM is known).</summary>
        public static DockerVmException EnginePathNotFound(string? target, string commandLine, int? exitCode, string detail) =>
            new(DockerVmErrorKind.PathNotFound, $"A path of the copy does not exist in the container: {Tail(detail)}", target)
            {
                RecommendedAction = VmPathHint,
                CommandLine = commandLine,
                StandardError = detail,
                ExitCode = exitCode,
            };

        /// <summary>A copy's path does not exist in the VM: the source (out of the VM), or the folder the destination goes into (into the VM).</summary>
        public static DockerVmException PathNotFoundInVm(string vmName, CopySpec spec, DockerVmException? cause) =>
            new(DockerVmErrorKind.PathNotFound,
                (spec.Direction == CopyDirection.FromContainer
                    ? $"Cannot copy '{spec.ContainerPath}' out of VM '{vmName}': it does not exist in the VM."
                    : $"Cannot copy '{spec.HostPath}' into VM '{vmName}': the destination '{spec.ContainerPath}' (or the folder it goes into) does not exist in the VM.")
                + (cause?.StandardError is { Length: > 0 } e ? $" docker: {Tail(e)}" : ""), vmName, cause)
            {
                RecommendedAction = VmPathHint,
                CommandLine = cause?.CommandLine,
                StandardError = cause?.StandardError,
                ExitCode = cause?.ExitCode,
            };

        /// <summary>A file or folder on the host could not be read or written during a copy (permissions, a full disk, a file in use).</summary>
        public static DockerVmException HostCopyFailed(string path, string? vmName, string commandLine, Exception e) =>
            new(DockerVmErrorKind.CommandFailed, $"Cannot copy to or from VM '{vmName}': '{path}' on the host: {e.Message}", vmName, e)
            {
                RecommendedAction = "Check the host path: its permissions, the free disk space, and that no other program holds the file.",
                CommandLine = commandLine,
            };

        /// <summary>A copy the engine's archive (or docker cp's rules) does not allow: a folder onto a file, an entry that would land outside the destination.</summary>
        public static DockerVmException CopyRefused(string? vmName, string commandLine, string why) =>
            new(DockerVmErrorKind.CommandFailed, $"Cannot copy to or from VM '{vmName}': {why}", vmName)
            {
                RecommendedAction = "Copy a folder into a folder (or to a new name), and a file to a file or into a folder; a folder's contents are copied with 'folder/.'.",
                CommandLine = commandLine,
            };

        // ---- the machine toolkit: checkpoints ---------------------------------------------------

        /// <summary>No warm pool of that name is defined on the engine.</summary>
        public static DockerVmException PoolNotFound(string name, string? context) =>
            new(DockerVmErrorKind.PoolNotFound, $"No warm pool named '{name}' exists{On(context)}.", name)
            {
                RecommendedAction = "Run Get-DockerVmPool to list the pools, or define one with New-DockerVmPool.",
            };

        private const string ListCheckpoints = "Run Get-DockerVmCheckpoint to list the checkpoints (those of deleted VMs too).";

        /// <summary>No checkpoint of that VM has that name.</summary>
        public static DockerVmException CheckpointNotFound(string? vmName, string name, string? context, DockerVmException? cause = null) =>
            new(DockerVmErrorKind.CheckpointNotFound,
                vmName is null ? $"No checkpoint named '{name}' exists{On(context)}." : $"VM '{vmName}' has no checkpoint named '{name}'{On(context)}.", vmName, cause)
            {
                RecommendedAction = ListCheckpoints,
                CommandLine = cause?.CommandLine,
                StandardError = cause?.StandardError,
            };

        /// <summary>The engine has no such image (the transport's error: a checkpoint removed meanwhile).</summary>
        public static DockerVmException CheckpointImageNotFound(string reference, string commandLine, int? exitCode, string detail) =>
            new(DockerVmErrorKind.CheckpointNotFound, $"The checkpoint image '{reference}' does not exist: {Tail(detail)}", reference)
            {
                RecommendedAction = ListCheckpoints,
                CommandLine = commandLine,
                StandardError = detail,
                ExitCode = exitCode,
            };

        /// <summary>A checkpoint name that is taken already for this VM.</summary>
        public static DockerVmException CheckpointExists(string vmName, string name, string? context) =>
            new(DockerVmErrorKind.NameConflict, $"VM '{vmName}' already has a checkpoint named '{name}'{On(context)}.", vmName)
            {
                RecommendedAction = "Choose another -CheckpointName, or remove the old one first (Remove-DockerVmCheckpoint).",
            };

        /// <summary>A checkpoint name DockerVm cannot keep.</summary>
        public static DockerVmException InvalidCheckpointName(string? name, string? vmName) =>
            new(DockerVmErrorKind.InvalidName,
                $"'{name}' is not a valid checkpoint name: it must have 1 to {Checkpoints.MaxNameLength} characters, no control characters, no wildcard characters (* ? [ ]) and no leading or trailing spaces.", vmName)
            {
                RecommendedAction = "Choose a name such as before-upgrade, or leave -CheckpointName out for a timestamp.",
            };

        /// <summary>The image is still used by a container (a VM created or restored from the checkpoint).</summary>
        public static DockerVmException ImageInUse(string reference, string commandLine, string detail) =>
            new(DockerVmErrorKind.CommandFailed,
                $"Cannot remove '{reference}': a container still uses it (a VM created or restored from this checkpoint). docker: {Tail(detail)}", reference)
            {
                RecommendedAction = "Remove the VMs created or restored from this checkpoint first (Get-DockerVm shows their Image), then remove the checkpoint.",
                CommandLine = commandLine,
                StandardError = detail,
            };

        /// <summary>Restore replaces an existing VM's container: the VM must exist.</summary>
        public static DockerVmException RestoreNeedsVm(string vmName, string checkpoint, string? context) =>
            new(DockerVmErrorKind.NotFound,
                $"Cannot restore checkpoint '{checkpoint}': VM '{vmName}' does not exist{On(context)}, and a restore replaces an existing VM's container.", vmName)
            {
                RecommendedAction = $"Create the VM again from the checkpoint: New-DockerVm -Checkpoint (Get-DockerVmCheckpoint -VMName {vmName} -Name '{checkpoint}') -Name {vmName}.",
            };
    }
}
