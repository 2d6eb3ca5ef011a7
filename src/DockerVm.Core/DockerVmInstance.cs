using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// One Docker container driven as a VM through the contract's state machine. Every action is
    /// checked against the transition table before any engine call, and actions on one instance
    /// are serialised, so two callers never interleave on one VM.
    /// </summary>
    public sealed class DockerVmInstance
    {
        private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);
        private const int StartLogLines = 10;
        private readonly SemaphoreSlim _gate = new(1, 1);
        // Bumped when an action begins and when it ends: a read of the engine that overlapped an
        // action (in this or another runspace) is stale and must not overwrite the action's result.
        private long _epoch;
        private readonly IDockerEngine _engine;
        private readonly VmOptions _options;

        public DockerVmInstance(IDockerEngine engine, string name, string image, VmOptions? options = null)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            Name = name;
            Image = image;
            _options = options ?? new VmOptions();
        }

        public string Name { get; }
        public string Image { get; private set; }
        public VmState State { get; private set; } = VmState.Initial;
        public string IPAddress { get; private set; } = "";
        public string ContainerId { get; private set; } = "";
        public string Context => _engine.Context;
        /// <summary>Docker containers can be suspended (docker pause).</summary>
        public bool Suspendable => true;
        public VmAction[] ValidActions => StateMachine.ValidActions(State);
        public int StopTimeoutSec => _options.StopTimeoutSec;
        public int PollingIntervalMs => _options.PollingIntervalMs;
        public string[] ContainerCommand => _options.ContainerCommand.ToArray();
        public DateTime? CreatedAt { get; private set; }
        public CloneInfo CloneInfo => new(Image, Name);

        public override string ToString() => Name;

        // ---- actions --------------------------------------------------------------------------

        /// <summary>docker create: Initial/Deleted -> Stopped. On failure nothing is left behind.</summary>
        public Task CloneAsync(CancellationToken ct)
        {
            VmName.Validate(Name);
            return CloneCoreAsync(ct);
        }

        private Task CloneCoreAsync(CancellationToken ct) => RunAsync(VmAction.Clone, async before =>
        {
            var token = Guid.NewGuid().ToString("N");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in _options.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            labels[Labels.Managed] = "true";
            labels[Labels.Image] = Image;
            labels[Labels.StopTimeout] = StopTimeoutSec.ToString(CultureInfo.InvariantCulture);
            labels[Labels.PollingInterval] = PollingIntervalMs.ToString(CultureInfo.InvariantCulture);
            labels[Labels.Command] = Labels.EncodeCommand(_options.ContainerCommand);
            labels[Labels.CreateToken] = token;
            var spec = new CreateSpec
            {
                Name = Name,
                Image = Image,
                Labels = labels,
                Environment = _options.Environment,
                CreateArguments = _options.CreateArguments,
                ContainerCommand = _options.ContainerCommand,
            };
            try
            {
                ContainerId = await _engine.CreateAsync(spec, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || (e is DockerVmException d && d.Kind != DockerVmErrorKind.NameConflict))
            {
                // A cancelled or failed create may still have made the container: remove only ours.
                await RemoveByTokenAsync(token).ConfigureAwait(false);
                State = before;
                throw;
            }
            catch (DockerVmException)
            {
                State = before; // the name belongs to somebody else's container: leave it alone
                throw;
            }
            CreatedAt = DateTime.UtcNow;
            IPAddress = "";
            State = VmState.Stopped;
        }, ct, settleOnFailure: false);

        /// <summary>docker start (or unpause from Suspended), then wait until the engine reports running.</summary>
        public Task StartAsync(TimeSpan timeout, CancellationToken ct) => StartCoreAsync(timeout, ct, null);

        private Task StartCoreAsync(TimeSpan timeout, CancellationToken ct, Func<DockerVmException?>? precheck) => RunAsync(VmAction.Start, async before =>
        {
            if (before == VmState.Suspended)
            {
                await _engine.UnpauseAsync(Name, ct).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await _engine.StartAsync(Name, ct).ConfigureAwait(false);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.CommandFailed)
                {
                    // docker start itself failed (the command cannot run, a mount is missing, ...).
                    var info = await ReadBackAsync(ct).ConfigureAwait(false) ?? throw NotFound();
                    var failed = await StartFailedAsync(info, CliErrors.Tail(e.StandardError ?? e.Message)).ConfigureAwait(false);
                    failed.CommandLine = e.CommandLine;
                    failed.StandardError = e.StandardError;
                    throw failed;
                }
            }
            try
            {
                await WaitUntilRunningAsync(timeout, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.IsFatal)
            {
                e.OutcomeUnknown = true; // the container was started (or resumed) before the engine went away
                throw;
            }
        }, ct, precheck: precheck);

        /// <summary>Resume: Start from Suspended (docker unpause). Refused in any other state.</summary>
        public Task ResumeAsync(TimeSpan timeout, CancellationToken ct) =>
            // Checked under the per-VM lock, like every action: an in-flight Suspend finishes first.
            StartCoreAsync(timeout, ct, () => State == VmState.Suspended ? null : new DockerVmException(DockerVmErrorKind.InvalidTransition,
                $"Cannot resume VM '{Name}': it is {State}, and only a Suspended VM resumes. Valid actions in {State}: " +
                $"{(ValidActions.Length == 0 ? "none" : string.Join(", ", ValidActions))}.", Name)
            {
                State = State,
                Action = VmAction.Start,
                RecommendedAction = State == VmState.Stopped ? "Start it with Start-DockerVm." : Refusal(VmAction.Start, "resume").RecommendedAction,
            });

        /// <summary>docker stop --timeout: Running/Stopped -> Stopped. <paramref name="timeoutSec"/> 0 kills at once.</summary>
        public Task StopAsync(int? timeoutSec, CancellationToken ct) =>
            RunAsync(VmAction.Stop, _ => StopCoreAsync(timeoutSec ?? StopTimeoutSec, ct), ct);

        /// <summary>docker pause: Running/Suspended -> Suspended.</summary>
        public Task SuspendAsync(CancellationToken ct) => RunAsync(VmAction.Suspend, async _ =>
        {
            try
            {
                await _engine.PauseAsync(Name, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.StandardError?.IndexOf("already paused", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // idempotent: Suspended -> Suspended
            }
            IPAddress = "";
            State = VmState.Suspended;
        }, ct);

        /// <summary>
        /// docker rm: Initial/Stopped/Suspended/ErrorUnknown -> Deleted. With <paramref name="stopFirst"/>,
        /// a Running VM is stopped first. A missing container is NotFound and leaves the VM Deleted.
        /// </summary>
        public async Task DeleteAsync(bool stopFirst, CancellationToken ct)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (stopFirst && State == VmState.Running)
                {
                    await TransitionAsync(VmAction.Stop, _ => StopCoreAsync(StopTimeoutSec, ct), ct, true).ConfigureAwait(false);
                }
                await TransitionAsync(VmAction.Delete, async _ =>
                {
                    await _engine.RemoveAsync(Name, force: true, ct).ConfigureAwait(false);
                    IPAddress = "";
                    State = VmState.Deleted;
                }, ct, true).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// Removes the container whatever state the VM is in (docker rm --force), for undoing a
        /// create that must not survive. Never throws; the VM ends Deleted, or as the engine reports it.
        /// </summary>
        public async Task DiscardAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _gate.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // By id when known: the name may already belong to somebody else's container.
                await _engine.RemoveAsync(ContainerId.Length > 0 ? ContainerId : Name, force: true, cts.Token).ConfigureAwait(false);
                MarkDeleted();
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                MarkDeleted();
            }
            catch (Exception)
            {
                await SettleAsync().ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// docker exec. Requires Running. Output lines go to <paramref name="observer"/> as they come;
        /// the outcome has the exact text. A <paramref name="timeout"/> kills the exec with DockerVmTimeout.
        /// </summary>
        public async Task<ExecOutcome> ExecAsync(ExecSpec spec, IExecObserver? observer, TimeSpan? timeout, CancellationToken ct)
        {
            if (State != VmState.Running)
            {
                await RefreshAsync(ct).ConfigureAwait(false);
                if (State != VmState.Running)
                {
                    throw NotRunning();
                }
            }
            using var timer = timeout is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(timeout.Value));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            try
            {
                return await _engine.ExecAsync(Name, spec, observer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && timer.IsCancellationRequested)
            {
                throw new DockerVmException(DockerVmErrorKind.Timeout,
                    $"'{spec.Command}' in VM '{Name}' did not finish within {timeout!.Value.TotalSeconds:0.###} s and was killed.", Name)
                {
                    RecommendedAction = "Raise -TimeoutSec, or check why the command does not finish.",
                    State = State,
                };
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                MarkDeleted();
                throw WithState(e);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotRunning || e.Kind == DockerVmErrorKind.CommandFailed)
            {
                await SettleAsync().ConfigureAwait(false);
                throw State == VmState.Running ? WithState(e) : NotRunning();
            }
        }

        /// <summary>Reads the VM's properties live from the engine (and refreshes its state).</summary>
        public async Task<DockerVmProperties> GetPropertiesAsync(CancellationToken ct)
        {
            var info = await ReadBackAsync(ct).ConfigureAwait(false) ?? throw NotFound();
            return new DockerVmProperties
            {
                Name = Name,
                IPAddress = IPAddress,
                CloneInfo = CloneInfo,
                State = State,
                ContainerId = info.Id,
                Context = Context,
                Status = info.State.Status,
                ExitCode = info.State.ExitCode,
                Pid = info.State.Pid,
                OOMKilled = info.State.OOMKilled,
                CreatedAt = info.Created,
                StartedAt = info.State.StartedAt,
                FinishedAt = info.State.FinishedAt,
                Hostname = info.Hostname,
                ImageId = info.ImageId,
                Networks = info.Networks,
                IPAddresses = info.Networks.SelectMany(n => new[] { n.IPAddress, n.GlobalIPv6Address })
                    .Where(a => !string.IsNullOrEmpty(a)).Distinct().ToArray(),
                Ports = info.Ports,
                MemoryBytes = info.MemoryBytes,
                Cpus = info.NanoCpus / 1e9,
                ContainerCommand = info.Command,
                Labels = info.Labels,
            };
        }

        /// <summary>Reads the live state from the engine. A missing container is Deleted (Initial if never cloned).</summary>
        public async Task<VmState> RefreshAsync(CancellationToken ct)
        {
            await ReadBackAsync(ct).ConfigureAwait(false);
            return State;
        }

        /// <summary>Polls the engine until the VM is in <paramref name="target"/>; DockerVmTimeout when it does not come.</summary>
        public async Task WaitForStateAsync(VmState target, TimeSpan timeout, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                await ReadBackAsync(ct).ConfigureAwait(false);
                if (State == target)
                {
                    return;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new DockerVmException(DockerVmErrorKind.Timeout,
                        $"VM '{Name}' did not reach state {target} within {timeout.TotalSeconds:0.###} s; it is {State}.", Name)
                    {
                        State = State,
                        RecommendedAction = "Raise -TimeoutSec, or check the VM with Get-DockerVmProperties.",
                    };
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(PollingIntervalMs, Math.Max(1, left.TotalMilliseconds))), ct).ConfigureAwait(false);
            }
        }

        // ---- engine state --------------------------------------------------------------------

        /// <summary>Takes the engine's view of the container (from inspect or a listing).</summary>
        public void Apply(ContainerInfo info)
        {
            ContainerId = info.Id;
            State = info.VmState;
            IPAddress = State == VmState.Running ? info.IPAddress : "";
            CreatedAt = info.Created ?? CreatedAt;
            if (info.Labels.TryGetValue(Labels.Image, out var image) && image.Length > 0)
            {
                Image = image;
            }
        }

        /// <summary>
        /// Takes a listing's view of the container, unless an action on this VM is in flight: that
        /// action sets the state it ends in, and a listing read before it finished must not undo it.
        /// </summary>
        public void Observe(ContainerInfo info, long epochBeforeRead)
        {
            if (_gate.CurrentCount > 0 && Epoch == epochBeforeRead)
            {
                Apply(info);
            }
        }

        /// <summary>Changes whenever an action on this VM begins or ends.</summary>
        public long Epoch => Interlocked.Read(ref _epoch);

        /// <summary>Rebuilds an instance from a managed container's inspect data (another process made it).</summary>
        public static DockerVmInstance FromContainer(IDockerEngine engine, ContainerInfo info)
        {
            var labels = info.Labels;
            var options = new VmOptions
            {
                StopTimeoutSec = Labels.Int(labels, Labels.StopTimeout) ?? VmOptions.DefaultStopTimeoutSec,
                PollingIntervalMs = Labels.Int(labels, Labels.PollingInterval) ?? VmOptions.DefaultPollingIntervalMs,
                ContainerCommand = Labels.DecodeCommand(labels.TryGetValue(Labels.Command, out var c) ? c : null) ?? info.Command.ToArray(),
                Labels = labels.Where(kv => !kv.Key.StartsWith("dockervm.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value),
            };
            var image = labels.TryGetValue(Labels.Image, out var i) && i.Length > 0 ? i : info.Image;
            var vm = new DockerVmInstance(engine, info.Name, image, options);
            vm.Apply(info);
            return vm;
        }

        private async Task<ContainerInfo?> InspectAsync(CancellationToken ct) =>
            (await _engine.InspectAsync(new[] { Name }, ct).ConfigureAwait(false)).FirstOrDefault();

        // Reads the container and takes the engine's view of it (a missing one is Deleted), unless an
        // action began or ended meanwhile: that action knows better than this read. Returns what was read.
        private async Task<ContainerInfo?> ReadBackAsync(CancellationToken ct)
        {
            var epoch = Epoch;
            var info = await InspectAsync(ct).ConfigureAwait(false);
            if (Epoch == epoch)
            {
                if (info is null)
                {
                    MarkDeleted();
                }
                else
                {
                    Apply(info);
                }
            }
            return info;
        }

        /// <summary>The container is gone: Deleted (Initial if it was never cloned).</summary>
        internal void MarkDeleted()
        {
            IPAddress = "";
            State = State == VmState.Initial && ContainerId.Length == 0 ? VmState.Initial : VmState.Deleted;
        }

        // After a failure or Ctrl+C: learn the real state from the engine. When it cannot be read and
        // an action was under way, the state can no longer be known: ErrorUnknown (Delete recovers it,
        // and Get-DockerVm reads it again).
        private async Task SettleAsync()
        {
            try
            {
                using var cts = new CancellationTokenSource(SettleTimeout);
                await ReadBackAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                if (StateMachine.ValidActions(State).Length == 0)
                {
                    IPAddress = "";
                    State = VmState.ErrorUnknown;
                }
            }
        }

        private async Task StopCoreAsync(int timeoutSec, CancellationToken ct)
        {
            try
            {
                await _engine.StopAsync(Name, Math.Max(0, timeoutSec), ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotRunning)
            {
                // the seed's rule: "is not running" counts as stopped
            }
            IPAddress = "";
            State = VmState.Stopped;
        }

        private async Task WaitUntilRunningAsync(TimeSpan timeout, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var info = await InspectAsync(ct).ConfigureAwait(false);
                if (info is null)
                {
                    MarkDeleted();
                    throw NotFound();
                }
                switch (info.State.Status)
                {
                    case "running":
                        Apply(info);
                        return;
                    case "exited":
                    case "dead":
                    case "paused":
                        Apply(info);
                        throw await StartFailedAsync(info, null).ConfigureAwait(false);
                    case "restarting":
                        // The command exited and a restart policy is bringing it back: it did not
                        // start. End the restart loop so the VM is left Stopped, then report it.
                        await _engine.StopAsync(Name, 0, ct).ConfigureAwait(false);
                        var stopped = await InspectAsync(ct).ConfigureAwait(false) ?? info;
                        Apply(stopped);
                        throw await StartFailedAsync(info, null).ConfigureAwait(false);
                }
                if (DateTime.UtcNow >= deadline)
                {
                    Apply(info);
                    throw new DockerVmException(DockerVmErrorKind.Timeout,
                        $"VM '{Name}' did not reach Running within {timeout.TotalSeconds:0.###} s (docker status '{info.State.Status}').", Name)
                    {
                        State = State,
                        RecommendedAction = "Raise -TimeoutSec, or check the VM with Get-DockerVmProperties.",
                    };
                }
                await Task.Delay(PollingIntervalMs, ct).ConfigureAwait(false);
            }
        }

        private async Task<DockerVmException> StartFailedAsync(ContainerInfo info, string? dockerError)
        {
            string logs;
            try
            {
                using var cts = new CancellationTokenSource(SettleTimeout);
                logs = await _engine.LogsAsync(Name, StartLogLines, cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                logs = "";
            }
            var why = dockerError is not null
                ? $"did not start (docker: {dockerError}; exit code {info.State.ExitCode})"
                : info.State.Status == "paused"
                ? "was paused while starting"
                : $"exited with code {info.State.ExitCode} while starting{(string.IsNullOrEmpty(info.State.Error) ? "" : $" ({info.State.Error})")}";
            return new DockerVmException(DockerVmErrorKind.StartFailed,
                $"VM '{Name}' {why}. Last log lines: {(logs.Length == 0 ? "(none)" : logs.Replace("\r", "").Replace("\n", " | "))}", Name)
            {
                ExitCode = info.State.ExitCode,
                State = State,
                RecommendedAction = "The container command must keep running; check -ContainerCommand and the image.",
            };
        }

        private async Task RemoveByTokenAsync(string token)
        {
            try
            {
                using var cts = new CancellationTokenSource(SettleTimeout);
                foreach (var id in await _engine.ListIdsAsync(new[] { Labels.CreateToken + "=" + token }, cts.Token).ConfigureAwait(false))
                {
                    await _engine.RemoveAsync(id, force: true, cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // best effort; the create failed for a reason the caller reports
            }
        }

        // ---- plumbing ------------------------------------------------------------------------

        private async Task RunAsync(VmAction action, Func<VmState, Task> body, CancellationToken ct, bool settleOnFailure = true,
            Func<DockerVmException?>? precheck = null)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (precheck?.Invoke() is { } refusal)
                {
                    throw refusal;
                }
                await TransitionAsync(action, body, ct, settleOnFailure).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        // Checks the table against the state we hold (no engine call when refused), enters the
        // transient state, runs the body, and on failure leaves a known state.
        private async Task TransitionAsync(VmAction action, Func<VmState, Task> body, CancellationToken ct, bool settleOnFailure)
        {
            var before = State;
            if (!StateMachine.TryTransition(before, action, out var transient))
            {
                throw Refusal(action, null);
            }
            Interlocked.Increment(ref _epoch);
            State = transient;
            try
            {
                await body(before).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound && action != VmAction.Clone)
            {
                MarkDeleted();
                throw WithState(e);
            }
            catch (DockerVmException e) when (e.IsFatal && !e.OutcomeUnknown)
            {
                State = before; // the engine could not be reached: it never acted
                throw WithState(e);
            }
            catch (Exception e)
            {
                // Whatever failed, the VM does not stay in a transient state: read the engine's view.
                if (StateMachine.ValidActions(State).Length == 0)
                {
                    if (settleOnFailure)
                    {
                        await SettleAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        State = before;
                    }
                }
                if (e is DockerVmException d)
                {
                    throw WithState(d);
                }
                if (e is OperationCanceledException)
                {
                    throw;
                }
                throw WithState(new DockerVmException(DockerVmErrorKind.CommandFailed, $"{action} of VM '{Name}' failed: {e.Message}", Name, e));
            }
            finally
            {
                Interlocked.Increment(ref _epoch);
            }
        }

        private DockerVmException WithState(DockerVmException e)
        {
            e.VmName ??= Name;
            e.State = State;
            return e;
        }

        private DockerVmException Refusal(VmAction action, string? label)
        {
            var e = StateMachine.InvalidTransition(State, action, Name, label);
            e.RecommendedAction += " If the VM was changed outside DockerVm, Get-DockerVm reads its current state.";
            return e;
        }

        private DockerVmException NotRunning() => new(DockerVmErrorKind.NotRunning,
            $"VM '{Name}' is not running (state {State}); exec needs a Running VM.", Name)
        {
            State = State,
            RecommendedAction = State == VmState.Suspended ? "Resume the VM with Resume-DockerVm." : "Start the VM with Start-DockerVm.",
        };

        private DockerVmException NotFound() => new(DockerVmErrorKind.NotFound,
            $"The container of VM '{Name}' does not exist{(Context.Length > 0 ? $" on context '{Context}'" : "")}.", Name)
        {
            State = State,
            RecommendedAction = "Run Get-DockerVm to list the VMs that exist.",
        };
    }
}
