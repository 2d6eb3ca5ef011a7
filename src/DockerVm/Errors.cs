using System;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Core failures as error records: contract ids, precise categories, the VM as target, a recommended action (the messages are Core's <see cref="Failures"/>).</summary>
    internal static class Errors
    {
        public static ErrorCategory CategoryOf(DockerVmErrorKind kind) => kind switch
        {
            DockerVmErrorKind.InvalidTransition => ErrorCategory.InvalidOperation,
            DockerVmErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            DockerVmErrorKind.NotRunning => ErrorCategory.InvalidOperation,
            DockerVmErrorKind.NameConflict => ErrorCategory.ResourceExists,
            DockerVmErrorKind.InvalidName => ErrorCategory.InvalidArgument,
            DockerVmErrorKind.ImageNotFound => ErrorCategory.ObjectNotFound,
            DockerVmErrorKind.StartFailed => ErrorCategory.InvalidResult,
            DockerVmErrorKind.ExecFailed => ErrorCategory.InvalidResult,
            DockerVmErrorKind.Timeout => ErrorCategory.OperationTimeout,
            DockerVmErrorKind.EngineUnavailable => ErrorCategory.ResourceUnavailable,
            DockerVmErrorKind.CliNotFound => ErrorCategory.ObjectNotFound,
            DockerVmErrorKind.NotReady => ErrorCategory.OperationTimeout,
            DockerVmErrorKind.PathNotFound => ErrorCategory.ObjectNotFound,
            DockerVmErrorKind.CheckpointNotFound => ErrorCategory.ObjectNotFound,
            DockerVmErrorKind.PoolNotFound => ErrorCategory.ObjectNotFound,
            _ => ErrorCategory.NotSpecified,
        };

        public static ErrorRecord From(DockerVmException e, object? target)
        {
            var record = new ErrorRecord(e, e.ErrorId, CategoryOf(e.Kind), target ?? e.VmName);
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.RecommendedAction ?? "" };
            return record;
        }

        /// <summary>Anything that is not a DockerVmException becomes DockerCommandFailed: no raw .NET exception reaches the user.</summary>
        public static ErrorRecord Unexpected(Exception e, object? target) => From(Failures.Unexpected(e, target?.ToString()), target);
    }
}
