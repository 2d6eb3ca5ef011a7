using System;

namespace DockerVm
{
    /// <summary>The contract's error ids (§4). The cmdlet layer maps each to its ErrorCategory.</summary>
    public enum DockerVmErrorKind
    {
        InvalidTransition,
        NotFound,
        NotRunning,
        NameConflict,
        InvalidName,
        ImageNotFound,
        StartFailed,
        ExecFailed,
        Timeout,
        EngineUnavailable,
        CliNotFound,
        CommandFailed,
    }

    /// <summary>Every failure the Core reports: one kind from the contract, a message a user can act on.</summary>
    public class DockerVmException : Exception
    {
        public DockerVmException(DockerVmErrorKind kind, string message, string? vmName = null, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            VmName = vmName;
        }

        public DockerVmErrorKind Kind { get; }

        /// <summary>The contract's error id, e.g. DockerVmNotFound.</summary>
        public string ErrorId => IdOf(Kind);

        /// <summary>The VM the failure is about, when there is one.</summary>
        public string? VmName { get; set; }

        /// <summary>What the user can do about it.</summary>
        public string? RecommendedAction { get; set; }

        /// <summary>The docker command line that failed (secrets masked), when one did.</summary>
        public string? CommandLine { get; set; }

        /// <summary>The CLI's standard error, when a command failed.</summary>
        public string? StandardError { get; set; }

        /// <summary>The CLI's or the process's exit code, when there is one.</summary>
        public int? ExitCode { get; set; }

        /// <summary>The VM's state when the failure was reported.</summary>
        public VmState? State { get; set; }

        /// <summary>The action refused, for InvalidTransition.</summary>
        public VmAction? Action { get; set; }

        public static string IdOf(DockerVmErrorKind kind) => kind switch
        {
            DockerVmErrorKind.EngineUnavailable => "DockerEngineUnavailable",
            DockerVmErrorKind.CliNotFound => "DockerCliNotFound",
            DockerVmErrorKind.CommandFailed => "DockerCommandFailed",
            _ => "DockerVm" + kind,
        };

        /// <summary>
        /// True when the engine may have acted before the failure (a command went unanswered, or an
        /// action failed after its first command succeeded): the VM's state must be read back.
        /// </summary>
        public bool OutcomeUnknown { get; set; }

        /// <summary>True for failures that end the whole command rather than one VM.</summary>
        public bool IsFatal => Kind == DockerVmErrorKind.CliNotFound || Kind == DockerVmErrorKind.EngineUnavailable;
    }
}
