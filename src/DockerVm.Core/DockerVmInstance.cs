using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// One Docker container driven as a VM through the transition table. Each action is planned
    /// once (<see cref="ActionPlan"/>: what -WhatIf shows is what runs), checked against the table
    /// before any engine call, and serialised with every other action on this VM by
    /// <see cref="Transitions"/>. The VM acts on its container's id, never on a name it remembers.
    /// </summary>
    public sealed partial class DockerVmInstance
    {
        private static readonly TimeSpan ReadBackTimeout = Timeouts.Cleanup;
        private readonly IDockerEngine _engine;
        private readonly VmOptions _options;
        private readonly Transitions _t;
        private bool _createdHere;

        public DockerVmInstance(IDockerEngine engine, string name, string image, VmOptions? options = null)
            : this(engine, name, options, Observation.Initial(image))
        {
        }

        private DockerVmInstance(IDockerEngine engine, string name, VmOptions? options, Observation seen)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            Name = name;
            _options = options ?? new VmOptions();
            _t = new Transitions(name, engine.Context, seen, ReadAsync);
        }

        public string Name { get; }
        public string Image => _t.Seen.Image;
        public VmState State => _t.Seen.State;
        public string IPAddress => _t.Seen.IPAddress;
        public string ContainerId => _t.Seen.ContainerId;
        public string Context => _engine.Context;
        /// <summary>Docker containers can be suspended (docker pause).</summary>
        public bool Suspendable => true;
        public VmAction[] ValidActions => StateMachine.ValidActions(State);
        public int StopTimeoutSec => _options.StopTimeoutSec;
        public int PollingIntervalMs => _options.PollingIntervalMs;
        public string[] ContainerCommand => _options.ContainerCommand.ToArray();
        /// <summary>Removed when the session that created it ends normally.</summary>
        public bool Ephemeral => _options.Ephemeral;
        /// <summary>An ephemeral VM whose creating PowerShell process has ended (known only on the creator's host).</summary>
        public bool Orphaned => Ephemeral && CreatedBy is { } by && !by.IsAlive();
        /// <summary>Who created the VM: user, host and PowerShell process (null when not recorded).</summary>
        public Creator? CreatedBy => _options.CreatedBy ?? (ContainerId.Length > 0 && _createdHere ? Creator.Current : null);
        /// <summary>The user's labels (DockerVm's own dockervm.* labels are not among them).</summary>
        public IReadOnlyDictionary<string, string> Labels => _options.Labels;
        public DateTime? CreatedAt => _t.Seen.CreatedAt;
        public CloneInfo CloneInfo => new(Image, Name);

        public override string ToString() => Name;

        /// <summary>Changes whenever an action on this VM begins or ends.</summary>
        internal long Epoch => _t.Epoch;

        // The container to act on: its id once it has one.
        private string Target => ContainerId.Length > 0 ? ContainerId : Name;

        // ---- plans: what each action sends, described once --------------------------------------

        public ActionPlan PlanClone() => Plans.Clone(_engine, Name, _options, _t.Seen);
        /// <summary>docker start, or unpause from Suspended.</summary>
        public ActionPlan PlanStart() => Plans.Start(_engine, Name, _t.Seen);
        public ActionPlan PlanResume() => Plans.Resume(_engine, Name, _t.Seen);
        /// <summary>docker stop with <paramref name="graceSec"/> before SIGKILL (default the VM's StopTimeoutSec; 0 kills at once).</summary>
        public ActionPlan PlanStop(int? graceSec = null) => Plans.Stop(_engine, Name, _t.Seen, graceSec ?? StopTimeoutSec);
        public ActionPlan PlanSuspend() => Plans.Suspend(_engine, Name, _t.Seen);
        /// <summary>docker rm (see <see cref="Plans.Delete"/>); with <paramref name="force"/> a Running VM is stopped first.</summary>
        public ActionPlan PlanDelete(bool force) => Plans.Delete(_engine, Name, _t.Seen, force, StopTimeoutSec);
        /// <summary>Stop (when Running) then start.</summary>
        public ActionPlan PlanRestart(int? graceSec) => State == VmState.Running ? PlanStop(graceSec).Then(Plans.Start(_engine, Name, _t.Seen.In(VmState.Stopped))) : PlanStart();

        // ---- actions --------------------------------------------------------------------------

        /// <summary>Create: Initial/Deleted -> Stopped. On failure nothing is left behind.</summary>
        public Task CloneAsync(CancellationToken ct)
        {
            VmName.Validate(Name);
            return _t.RunAsync(VmAction.Clone, async _ =>
            {
                var plan = PlanClone();
                var create = (CreateRequest)plan.Requests[0];
                try
                {
                    await plan.SendAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException || (e is DockerVmException d && d.Kind != DockerVmErrorKind.NameConflict && !d.IsFatal))
                {
                    // A cancelled or failed create may still have made the container: remove only ours
                    // (a name conflict means the name is somebody else's container: leave it alone; a
                    // dead engine cannot be cleaned, and what it may have made is a managed VM that
                    // Get-DockerVm lists).
                    await Cleanup.RemoveByTokenAsync(_engine, create.Spec.Labels[DockerVm.Labels.CreateToken]).ConfigureAwait(false);
                    throw;
                }
                _createdHere = true;
                return _t.Seen.Created(create.CreatedId!);
            }, ct, settleOnFailure: false);
        }

        /// <summary>Start (or unpause from Suspended), then wait until the engine reports running.</summary>
        public Task StartAsync(TimeSpan timeout, CancellationToken ct) => StartCoreAsync(timeout, resume: false, ct);
        /// <summary>Resume: Start from Suspended (unpause). Refused in any other state.</summary>
        public Task ResumeAsync(TimeSpan timeout, CancellationToken ct) => StartCoreAsync(timeout, resume: true, ct);

        private Task StartCoreAsync(TimeSpan timeout, bool resume, CancellationToken ct) => _t.LockedAsync(() =>
        {
            // Checked under the per-VM lock, like every action: an in-flight Suspend finishes first.
            if (resume && State != VmState.Suspended)
            {
                throw Failures.ResumeRefused(State, Name);
            }
            return StartStepAsync(timeout, ct);
        }, ct);

        /// <summary>
        /// Restart: Stop then Start, each through the table (Running -> Stopped -> Running); a Stopped VM
        /// just starts. <paramref name="graceSec"/> as for Stop.
        /// </summary>
        public Task RestartAsync(int? graceSec, TimeSpan timeout, CancellationToken ct) => _t.LockedAsync(async () =>
        {
            if (!StateMachine.Allowed(State, VmAction.Stop))
            {
                throw Failures.InvalidTransition(State, VmAction.Stop, Name, "restart"); // e.g. Suspended: resume it instead
            }
            if (State == VmState.Running)
            {
                await _t.StepAsync(VmAction.Stop, async _ =>
                {
                    await PlanStop(graceSec).SendAsync(ct).ConfigureAwait(false);
                    return null;
                }, ct).ConfigureAwait(false);
            }
            await StartStepAsync(timeout, ct).ConfigureAwait(false);
        }, ct);

        // The Start transition; the caller holds the lock.
        private Task StartStepAsync(TimeSpan timeout, CancellationToken ct)
        {
            var plan = PlanStart(); // from the state before the transition: unpause a Suspended VM
            return _t.StepAsync(VmAction.Start, async step =>
            {
                var probe = new StartProbe(_engine, Target, Name);
                try
                {
                    await plan.SendAsync(ct).ConfigureAwait(false);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.CommandFailed && step.Before != VmState.Suspended)
                {
                    // docker start itself failed (the command cannot run, a mount is missing, ...).
                    var info = await InspectAsync(ct).ConfigureAwait(false) ?? throw Failures.NotFound(Name, Context, e);
                    throw await probe.FailedAsync(info, e).ConfigureAwait(false);
                }
                step.Acted(); // from here, a lost engine leaves the outcome unknown
                var confirm = step.Before != VmState.Suspended; // a start can die at once; an unpause cannot
                return _t.Seen.From(await probe.WaitUntilRunningAsync(timeout, PollingIntervalMs, confirm, ct).ConfigureAwait(false));
            }, ct);
        }

        /// <summary>Stop: Running/Stopped -> Stopped. <paramref name="graceSec"/> 0 kills at once.</summary>
        public Task StopAsync(int? graceSec, CancellationToken ct) => _t.RunAsync(VmAction.Stop, async _ =>
        {
            await PlanStop(graceSec).SendAsync(ct).ConfigureAwait(false);
            return null;
        }, ct);

        /// <summary>Pause: Running/Suspended -> Suspended.</summary>
        public Task SuspendAsync(CancellationToken ct) => _t.RunAsync(VmAction.Suspend, async _ =>
        {
            await PlanSuspend().SendAsync(ct).ConfigureAwait(false);
            return null;
        }, ct);

        /// <summary>
        /// Delete: Initial/Stopped/Suspended/ErrorUnknown -> Deleted; with <paramref name="force"/>, a
        /// Running VM is stopped first. The container's state is read from the engine first, so a VM
        /// started elsewhere is never removed without -Force. A missing container is NotFound and
        /// leaves the VM Deleted.
        /// </summary>
        public Task DeleteAsync(bool force, CancellationToken ct) => _t.LockedAsync(async () =>
        {
            if (!StateMachine.Allowed(State, VmAction.Delete) && !(force && State == VmState.Running))
            {
                throw Failures.InvalidTransition(State, VmAction.Delete, Name); // refused before any engine call
            }
            if (ContainerId.Length > 0)
            {
                var info = await InspectAsync(ct).ConfigureAwait(false);
                _t.Apply(info);
                if (info is null)
                {
                    throw Failures.NotFound(Name, Context);
                }
            }
            var plan = PlanDelete(force);
            // Stop (with -Force) and remove are two transitions, each through the table.
            foreach (var request in plan.Requests.DefaultIfEmpty(null))
            {
                await _t.StepAsync(request is StopRequest ? VmAction.Stop : VmAction.Delete, async _ =>
                {
                    await (request?.SendAsync(_engine, ct) ?? Task.CompletedTask).ConfigureAwait(false);
                    return null;
                }, ct).ConfigureAwait(false);
            }
        }, ct);

        /// <summary>
        /// Removes the container whatever state the VM is in (rm --force by id), to undo a create
        /// that must not survive. Never throws; the VM ends Deleted, or as the engine reports it.
        /// </summary>
        public Task DiscardAsync(TimeSpan timeout) =>
            ContainerId.Length == 0 ? Task.CompletedTask : Cleanup.DiscardAsync(_engine, _t, ContainerId, timeout);

        /// <summary>
        /// Runs a process in the VM. Requires Running. Output lines go to <paramref name="observer"/> as they come;
        /// the outcome has the exact text. A <paramref name="timeout"/> kills the process with DockerVmTimeout.
        /// </summary>
        public async Task<ExecOutcome> ExecAsync(ExecSpec spec, IExecObserver? observer, TimeSpan? timeout, CancellationToken ct)
        {
            InputRules.CheckExec(Name, spec);
            if (State != VmState.Running && await RefreshAsync(ct).ConfigureAwait(false) != VmState.Running)
            {
                throw Failures.NotRunning(Name, State);
            }
            using var timer = timeout is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(timeout.Value));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            try
            {
                return await _engine.ExecAsync(Target, spec, observer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && timer.IsCancellationRequested)
            {
                throw Failures.ExecTimeout(Name, spec.Command, timeout!.Value);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                await TryReadBackAsync().ConfigureAwait(false);
                throw Failures.NotFound(Name, Context, e);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotRunning || e.Kind == DockerVmErrorKind.CommandFailed)
            {
                await TryReadBackAsync().ConfigureAwait(false);
                if (State == VmState.Running)
                {
                    throw;
                }
                throw Failures.NotRunning(Name, State);
            }
        }

        /// <summary>An interactive process (a shell) on this process's console; requires Running. Returns its exit code.</summary>
        public async Task<int> EnterAsync(ExecSpec spec, CancellationToken ct)
        {
            InputRules.CheckExec(Name, spec);
            if (State != VmState.Running && await RefreshAsync(ct).ConfigureAwait(false) != VmState.Running)
            {
                throw Failures.NotRunning(Name, State);
            }
            return await _engine.RunInteractiveAsync(Target, spec, ct).ConfigureAwait(false);
        }

        /// <summary>Reads the VM's properties live from the engine (and refreshes its state).</summary>
        public async Task<DockerVmProperties> GetPropertiesAsync(CancellationToken ct)
        {
            var info = await _t.ReadBackAsync(ct).ConfigureAwait(false) ?? throw Failures.NotFound(Name, Context);
            return DockerVmProperties.From(this, info);
        }

        /// <summary>Reads the live state from the engine. A missing container is Deleted (Initial if never created).</summary>
        public async Task<VmState> RefreshAsync(CancellationToken ct)
        {
            await _t.ReadBackAsync(ct).ConfigureAwait(false);
            return State;
        }

        /// <summary>Polls the engine until the VM is in <paramref name="target"/>; DockerVmTimeout when it does not come.</summary>
        public async Task WaitForStateAsync(VmState target, TimeSpan timeout, CancellationToken ct)
        {
            // -TimeoutSec bounds the reads too: a slow engine never stretches the wait.
            if (timeout <= TimeSpan.Zero)
            {
                // no wait: one look
                if (await RefreshAsync(ct).ConfigureAwait(false) != target)
                {
                    throw Failures.WaitTimeout(Name, target, timeout, State);
                }
                return;
            }
            using var limit = new CancellationTokenSource(Timeouts.Clamp(timeout));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            try
            {
                while (await RefreshAsync(linked.Token).ConfigureAwait(false) != target)
                {
                    await Task.Delay(PollingIntervalMs, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw Failures.WaitTimeout(Name, target, timeout, State);
            }
        }

        /// <summary>
        /// Streams the VM's log lines to <paramref name="observer"/> as they come (see
        /// <see cref="IDockerEngine.StreamLogsAsync"/>); works in any state the container exists in.
        /// A VM without a container (never created, or removed) is DockerVmNotFound.
        /// </summary>
        public async Task StreamLogsAsync(LogRequest request, ILogObserver observer, CancellationToken ct)
        {
            if (ContainerId.Length == 0)
            {
                throw Failures.NotFound(Name, Context);
            }
            try
            {
                await _engine.StreamLogsAsync(ContainerId, request, observer, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                await TryReadBackAsync().ConfigureAwait(false);
                throw Failures.NotFound(Name, Context, e);
            }
        }

        /// <summary>
        /// Waits until the VM is in <paramref name="state"/> and then until every check says ready, in
        /// order, all within <paramref name="timeout"/> (0: one look at each). Past it: DockerVmNotReady
        /// naming what the pending check last saw. Waiting for Running, a VM that stops meanwhile is
        /// DockerVmNotReady at once.
        /// </summary>
        public async Task WaitUntilReadyAsync(VmState state, IReadOnlyList<Readiness.ReadinessCheck> checks, TimeSpan timeout, CancellationToken ct)
        {
            if (checks.Count == 0)
            {
                await WaitForStateAsync(state, timeout, ct).ConfigureAwait(false);
                return;
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await WaitForStateAsync(state, timeout, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.Timeout)
            {
                throw Failures.NotReady(Name, checks[0].WaitsFor, timeout, $"the VM is {State}, never {state}");
            }
            // What the state wait left of the time; none left: one look, as with -TimeoutSec 0.
            var remaining = timeout - watch.Elapsed;
            var once = remaining <= TimeSpan.Zero;
            using var limit = once ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(remaining));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            var vm = new Readiness.ReadinessTarget(_engine, ContainerId, Name);
            foreach (var check in checks)
            {
                try
                {
                    while (true)
                    {
                        var info = await _t.ReadBackAsync(linked.Token).ConfigureAwait(false) ?? throw Failures.NotFound(Name, Context);
                        if (state == VmState.Running && info.State.Status != ContainerStatus.Running)
                        {
                            var why = info.State.Status == ContainerStatus.Exited
                                ? $"it stopped (exit code {info.State.ExitCode})"
                                : $"it is {State} (docker status '{info.State.StatusText}')";
                            throw Failures.NeverReady(Name, check.WaitsFor, why, check.LastSeen,
                                info.State.Status == ContainerStatus.Exited ? info.State.ExitCode : null, State);
                        }
                        if (await check.IsReadyAsync(vm, info, linked.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                        if (once)
                        {
                            throw Failures.NotReady(Name, check.WaitsFor, timeout, check.LastSeen);
                        }
                        await Task.Delay(PollingIntervalMs, linked.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    throw Failures.NotReady(Name, check.WaitsFor, timeout, check.LastSeen);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
                {
                    await TryReadBackAsync().ConfigureAwait(false);
                    throw Failures.NotFound(Name, Context, e);
                }
            }
        }

        /// <summary>Takes the engine's view of the container, as read now.</summary>
        internal void Apply(ContainerInfo info) => _t.Apply(info);

        /// <summary>Takes a listing's view of the container, unless an action on this VM overlapped the read.</summary>
        internal void Observe(ContainerInfo? info, long epochBeforeRead) => _t.Offer(info, epochBeforeRead);

        /// <summary>Rebuilds an instance from a managed container's inspect data (another process made it).</summary>
        public static DockerVmInstance FromContainer(IDockerEngine engine, ContainerInfo info)
        {
            var (image, options) = DockerVm.Labels.Read(info);
            return new DockerVmInstance(engine, info.Name, options, Observation.Initial(image).From(info));
        }

        private async Task<ContainerInfo?> InspectAsync(CancellationToken ct) =>
            (await _engine.InspectAsync(new[] { Target }, ct).ConfigureAwait(false)).FirstOrDefault();

        // A VM never created has no container to read: a name alone may be somebody else's.
        private Task<ContainerInfo?> ReadAsync(CancellationToken ct) =>
            ContainerId.Length == 0 ? Task.FromResult<ContainerInfo?>(null) : InspectAsync(ct);

        private async Task TryReadBackAsync()
        {
            try
            {
                using var cts = new CancellationTokenSource(ReadBackTimeout);
                await _t.ReadBackAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // the failure being reported matters more than this read
            }
        }
    }
}
