using System;

namespace DockerVm
{
    /// <summary>The contract's error ids. The cmdlet layer maps each to its ErrorCategory.</summary>
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
        /// <summary>A readiness wait (-ForLog, -ForPort, -Healthy) ran past its timeout, or can never succeed.</summary>
        NotReady,
        /// <summary>A copy source (or the folder a copy goes into) does not exist, in the VM or on the host.</summary>
        PathNotFound,
        /// <summary>No checkpoint has that name.</summary>
        CheckpointNotFound,
        /// <summary>No warm pool has that name.</summary>
        PoolNotFound,
    }

    /// <summary>
    /// Every failure the Core reports: one kind from the contract, a message a user can act on.
    /// Immutable: every one is built by <see cref="Failures"/>, complete, where it is first known.
    /// </summary>
    public sealed class DockerVmException : Exception
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
        public string? VmName { get; }

        /// <summary>What the user can do about it.</summary>
        public string? RecommendedAction { get; init; }

        /// <summary>The engine command that failed, as a user would type it (secrets masked), when one did.</summary>
        public string? CommandLine { get; init; }

        /// <summary>What the engine said about the failure (the CLI's stderr, the API's message).</summary>
        public string? StandardError { get; init; }

        /// <summary>The CLI's or the process's exit code, when there is one.</summary>
        public int? ExitCode { get; init; }

        /// <summary>The VM's state the failure refers to (the state an action was refused in).</summary>
        public VmState? State { get; init; }

        /// <summary>The action refused, for InvalidTransition.</summary>
        public VmAction? Action { get; init; }

        /// <summary>
        /// The engine may have acted before the failure (a request went unanswered): whoever holds
        /// the VM must read its state back rather than assume nothing happened.
        /// </summary>
        public bool OutcomeUnknown { get; init; }

        /// <summary>True for failures that end the whole command rather than one VM.</summary>
        public bool IsFatal => Kind == DockerVmErrorKind.CliNotFound || Kind == DockerVmErrorKind.EngineUnavailable;

        public static string IdOf(DockerVmErrorKind kind) => kind switch
        {
            DockerVmErrorKind.EngineUnavailable => "DockerEngineUnavailable",
            DockerVmErrorKind.CliNotFound => "DockerCliNotFound",
            DockerVmErrorKind.CommandFailed => "DockerCommandFailed",
            _ => "DockerVm" + kind,
        };
    }
}
