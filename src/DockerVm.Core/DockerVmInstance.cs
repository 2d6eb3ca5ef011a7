using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;
using DockerVm.Vm;

namespace DockerVm
{
    /// <summary>
    /// One Docker container driven as a VM through the transition table. Each action is planned
    /// once (<see cref="ActionPlan"/>: what -WhatIf shows is what runs), checked against the table
    /// before any engine call, and serialised with every other action on this VM by
    /// <see cref="Transitions"/>. The VM acts on its container's id, never on a name it remembers.
    /// It is the facade of the VM: copying, checkpoints, waits, logs and processes live in the
    /// classes of DockerVm.Vm, each reaching the VM through its internal members.
    /// </summary>
    public sealed class DockerVmInstance
    {
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
        internal IDockerEngine Engine => _engine;
        internal Transitions Transitions => _t;
        internal VmOptions Options => _options;

        /// <summary>The container to act on: its id once it has one.</summary>
        internal string Target => ContainerId.Length > 0 ? ContainerId : Name;

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
                var create = (CreateRequest)PlanClone().Requests[0];
                await Cleanup.CreateAsync(_engine, create, ct).ConfigureAwait(false);
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
            if (State == VmState.Deleting) // under the lock, the engine's word (removing): another remove is under way
            {
                _t.Apply(null);
                throw Failures.NotFound(Name, Context);
            }
            if (!StateMachine.Allowed(State, VmAction.Delete) && !(force && State == VmState.Running))
            {
                throw Failures.InvalidTransition(State, VmAction.Delete, Name); // refused before any engine call
            }
            if (ContainerId.Length > 0)
            {
                var info = await InspectAsync(ct).ConfigureAwait(false);
                var removing = info?.State.Status == ContainerStatus.Removing;
                _t.Apply(removing ? null : info);
                if (info is null || removing)
                {
                    throw Failures.NotFound(Name, Context);
                }
            }
            var plan = PlanDelete(force);
            // Stop (with -Force) and remove are two transitions, each through the table.
            foreach (var request in plan.Requests.DefaultIfEmpty(null))
            {
                await RemovalStepAsync(request, ct).ConfigureAwait(false);
            }
        }, ct);

        /// <summary>One request of a delete plan as its transition (stop: Stop, rm: Delete); the caller holds the lock.</summary>
        internal Task RemovalStepAsync(EngineRequest? request, CancellationToken ct) =>
            _t.StepAsync(request is StopRequest ? VmAction.Stop : VmAction.Delete, async _ =>
            {
                await (request?.SendAsync(_engine, ct) ?? Task.CompletedTask).ConfigureAwait(false);
                return null;
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
        public Task<ExecOutcome> ExecAsync(ExecSpec spec, IExecObserver? observer, TimeSpan? timeout, CancellationToken ct) =>
            Processes.ExecAsync(this, spec, observer, timeout, ct);

        /// <summary>An interactive process (a shell) on this process's console; requires Running. Returns its exit code.</summary>
        public Task<int> EnterAsync(ExecSpec spec, CancellationToken ct) => Processes.EnterAsync(this, spec, ct);

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
        public Task WaitForStateAsync(VmState target, TimeSpan timeout, CancellationToken ct) => Waiting.ForStateAsync(this, target, timeout, ct);

        /// <summary>
        /// Waits until the VM is in <paramref name="state"/> and then until every check says ready, in
        /// order, all within <paramref name="timeout"/> (0: one look at each). Past it: DockerVmNotReady
        /// naming what the pending check last saw. Waiting for Running, a VM that stops meanwhile is
        /// DockerVmNotReady at once.
        /// </summary>
        public Task WaitUntilReadyAsync(VmState state, IReadOnlyList<Readiness.ReadinessCheck> checks, TimeSpan timeout, CancellationToken ct) =>
            Waiting.UntilReadyAsync(this, state, checks, timeout, ct);

        /// <summary>
        /// Streams the VM's log lines to <paramref name="observer"/> as they come (see
        /// <see cref="IDockerEngine.StreamLogsAsync"/>); works in any state the container exists in.
        /// A VM without a container (never created, or removed) is DockerVmNotFound.
        /// </summary>
        public Task StreamLogsAsync(LogRequest request, ILogObserver observer, CancellationToken ct) => LogStreaming.StreamAsync(this, request, observer, ct);

        // ---- the machine toolkit: copy, checkpoint, restore -----------------------------------

        /// <summary>docker cp between the host and the VM's container (by id).</summary>
        public ActionPlan PlanCopy(CopySpec spec) => Copying.Plan(this, spec);

        /// <summary>
        /// Copies a file or folder between the host and the VM (docker cp semantics; Stopped, Running
        /// or Suspended). A missing source is PathNotFound: on the host found before any engine call,
        /// in the VM as the engine reports it.
        /// </summary>
        public Task CopyAsync(CopySpec spec, CancellationToken ct) => Copying.CopyAsync(this, spec, ct);

        /// <summary>The folder of a path that ends in /. (docker cp: its contents); null for any other path.</summary>
        public static string? ContentsOf(string path) => Copying.ContentsOf(path);

        /// <summary>docker commit of the VM's container as checkpoint <paramref name="checkpointName"/>, taken at <paramref name="createdUtc"/>.</summary>
        public ActionPlan PlanCheckpoint(string checkpointName, DateTime createdUtc) => Checkpointing.PlanCheckpoint(this, checkpointName, createdUtc);

        /// <summary>
        /// Snapshots the VM's filesystem as checkpoint <paramref name="checkpointName"/> (docker commit;
        /// a Running VM is paused meanwhile), in any state with a container; the state does not change.
        /// A name the VM has a checkpoint of already is NameConflict, unless <paramref name="nextFreeName"/>
        /// (a default name): then -2, -3 ... is appended.
        /// </summary>
        public Task<DockerVmCheckpoint> CheckpointAsync(string checkpointName, DateTime createdUtc, bool nextFreeName, CancellationToken ct) =>
            Checkpointing.CheckpointAsync(this, checkpointName, createdUtc, nextFreeName, ct);

        /// <summary>The temporary name of the container a restore creates before the VM's own goes.</summary>
        public string RestoringName => Checkpointing.RestoringName(this);

        /// <summary>
        /// Restore: docker create from the checkpoint under <see cref="RestoringName"/>, then the VM's
        /// container removed (stopped first when Running), then the new one renamed to the VM's name.
        /// </summary>
        public ActionPlan PlanRestore(DockerVmCheckpoint checkpoint) => Checkpointing.PlanRestore(this, checkpoint);

        /// <summary>
        /// Replaces the VM's container by one created from <paramref name="checkpoint"/>, with the same
        /// name and the options its labels record. The VM ends Stopped. Until the new container exists
        /// nothing of the VM changes; a failure after that removes the new container again.
        /// Through the table: [Running → Stop →] Stopped → Delete → Deleted → Clone → Stopped.
        /// </summary>
        public Task RestoreAsync(DockerVmCheckpoint checkpoint, CancellationToken ct) => Checkpointing.RestoreAsync(this, checkpoint, ct);

        // ---- what the pieces share ------------------------------------------------------------

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

        internal async Task<ContainerInfo?> InspectAsync(CancellationToken ct) =>
            (await _engine.InspectAsync(new[] { Target }, ct).ConfigureAwait(false)).FirstOrDefault();

        // A VM never created has no container to read: a name alone may be somebody else's.
        private Task<ContainerInfo?> ReadAsync(CancellationToken ct) =>
            ContainerId.Length == 0 ? Task.FromResult<ContainerInfo?>(null) : InspectAsync(ct);

        /// <summary>A VM without a container (never created, or removed) is NotFound, before any engine call.</summary>
        internal void RequireContainer()
        {
            if (ContainerId.Length == 0)
            {
                throw Failures.NotFound(Name, Context);
            }
        }

        /// <summary>The engine no longer has the container (<paramref name="cause"/>): the VM reads it back, and this is the NotFound to throw.</summary>
        internal async Task<DockerVmException> GoneAsync(DockerVmException cause)
        {
            await _t.TryReadBackAsync().ConfigureAwait(false);
            return Failures.NotFound(Name, Context, cause);
        }
    }
}
