using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// After a start request: polls the engine until the container runs, and fails at once when it
    /// exits, is paused or keeps restarting instead — never waits out the timeout for a dead VM.
    /// </summary>
    internal sealed class StartProbe
    {
        private static readonly TimeSpan LogsTimeout = TimeSpan.FromMinutes(1);
        private const int LogLines = 10;
        // A command that dies at once is still "running" for a few milliseconds after the start:
        // running is believed only when a second look this much later says so too.
        private static readonly TimeSpan Confirm = TimeSpan.FromMilliseconds(50);
        // Right after an unpause the engine can say "paused" for some milliseconds more: dockerd handles
        // containerd's event of the pause before after the unpause has returned, and flips the state back
        // until the unpause's own event follows (seen with back-to-back pause/unpause under load). Only a
        // pause that outlasts this is a failure.
        private static readonly TimeSpan LatePauseEvent = TimeSpan.FromSeconds(2);
        private readonly IDockerEngine _engine;
        private readonly string _target;
        private readonly string _name;

        public StartProbe(IDockerEngine engine, string target, string name)
        {
            _engine = engine;
            _target = target;
            _name = name;
        }

        /// <summary>
        /// What the engine shows once the container runs. <paramref name="confirm"/> (after a start,
        /// not an unpause): running counts only when a second look says so too.
        /// </summary>
        public async Task<ContainerInfo> WaitUntilRunningAsync(TimeSpan timeout, int pollingIntervalMs, bool confirm, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + timeout;
            var lateEvents = DateTime.UtcNow + LatePauseEvent;
            ContainerInfo? seenRunning = null;
            while (true)
            {
                var info = (await _engine.InspectAsync(new[] { _target }, ct).ConfigureAwait(false)).FirstOrDefault()
                    ?? throw Failures.NotFound(_name, _engine.Context);
                switch (info.State.Status)
                {
                    case ContainerStatus.Running when !confirm || (seenRunning is not null && info.State.StartedAt == seenRunning.State.StartedAt):
                        return info;
                    case ContainerStatus.Running:
                        seenRunning = info;
                        await Task.Delay(Confirm, ct).ConfigureAwait(false);
                        continue;
                    case ContainerStatus.Paused when !confirm && DateTime.UtcNow < lateEvents && DateTime.UtcNow < deadline:
                        await Task.Delay(20, ct).ConfigureAwait(false); // after an unpause: see above
                        continue;
                    case ContainerStatus.Exited:
                    case ContainerStatus.Dead:
                    case ContainerStatus.Paused:
                        throw await FailedAsync(info, null).ConfigureAwait(false);
                    case ContainerStatus.Restarting:
                        // The command exited and a restart policy is bringing it back: it did not
                        // start. End the restart loop so the VM is left Stopped, then report it.
                        await _engine.StopAsync(_target, 0, ct).ConfigureAwait(false);
                        throw await FailedAsync(info, null).ConfigureAwait(false);
                }
                if (DateTime.UtcNow >= deadline)
                {
                    throw Failures.StartTimeout(_name, timeout, info.State.StatusText);
                }
                await Task.Delay(pollingIntervalMs, ct).ConfigureAwait(false);
            }
        }

        /// <summary>DockerVmStartFailed for a container that did not reach Running, with its last log lines.</summary>
        public async Task<DockerVmException> FailedAsync(ContainerInfo info, DockerVmException? cause)
        {
            string logs;
            try
            {
                using var cts = new CancellationTokenSource(LogsTimeout);
                logs = await _engine.LogsAsync(_target, LogLines, cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                logs = "";
            }
            return Failures.StartFailed(_name, info.State.StatusText, info.State.ExitCode, info.State.Error, logs, cause);
        }
    }
}
