using System;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>One action in progress: the state it began in, and whether the engine may have acted.</summary>
    internal sealed class Step
    {
        public Step(VmState before, CancellationToken ct)
        {
            Before = before;
            Cancellation = ct;
        }

        public VmState Before { get; }
        public CancellationToken Cancellation { get; }

        /// <summary>True once a request that changes the container has been answered.</summary>
        public bool EngineActed { get; private set; }

        public void Acted() => EngineActed = true;
    }

    /// <summary>
    /// The transition protocol of one VM: it owns what is known of the VM (<see cref="Seen"/>), the
    /// per-VM lock, and the epoch that tells a stale read from a fresh one. An action is checked
    /// against the table before any engine call, runs in the table's transient state, and ends in
    /// the table's success state, or, after a failure, in the state the engine reports (ErrorUnknown
    /// when that cannot be read during a transient state).
    /// </summary>
    internal sealed class Transitions
    {
        private static readonly TimeSpan SettleTimeout = Timeouts.Cleanup;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly string _name;
        private readonly string _context;
        private readonly Func<CancellationToken, Task<ContainerInfo?>> _read;
        private Observation _seen;
        // Bumped when an action begins and when it ends: a read of the engine that overlapped an
        // action (in this or another runspace) is stale and must not overwrite the action's result.
        private long _epoch;

        public Transitions(string name, string context, Observation initial, Func<CancellationToken, Task<ContainerInfo?>> read)
        {
            _name = name;
            _context = context;
            _seen = initial;
            _read = read;
        }

        public Observation Seen => Volatile.Read(ref _seen);

        public long Epoch => Interlocked.Read(ref _epoch);

        private bool Busy => _gate.CurrentCount == 0;

        /// <summary>Runs <paramref name="work"/> holding the VM's lock: actions on one VM never interleave.</summary>
        public async Task LockedAsync(Func<Task> work, CancellationToken ct)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await work().ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>One action under the lock (see <see cref="StepAsync"/>).</summary>
        public Task RunAsync(VmAction action, Func<Step, Task<Observation?>> body, CancellationToken ct, bool settleOnFailure = true) =>
            LockedAsync(() => StepAsync(action, body, ct, settleOnFailure), ct);

        /// <summary>
        /// One action; the caller holds the lock. <paramref name="body"/> returns what the engine
        /// showed at its end, if it read it; the state is the table's success state either way.
        /// </summary>
        public async Task StepAsync(VmAction action, Func<Step, Task<Observation?>> body, CancellationToken ct, bool settleOnFailure = true)
        {
            var before = Seen.State;
            if (!StateMachine.TryTransition(before, action, out var transient))
            {
                throw Failures.InvalidTransition(before, action, _name);
            }
            Interlocked.Increment(ref _epoch);
            Set(Seen.In(transient));
            var step = new Step(before, ct);
            try
            {
                var shown = await body(step).ConfigureAwait(false);
                Set((shown ?? Seen).In(StateMachine.SuccessState(action)));
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound && action != VmAction.Clone)
            {
                Set(Seen.Gone());
                throw Failures.NotFound(_name, _context, e);
            }
            catch (DockerVmException e) when (e.IsFatal && !e.OutcomeUnknown && !step.EngineActed)
            {
                Set(Seen.In(before)); // the engine could not be reached: it never acted
                throw;
            }
            catch (Exception e)
            {
                // Whatever failed, the VM does not stay in a transient state: read the engine's view.
                if (StateMachine.ValidActions(Seen.State).Length == 0)
                {
                    if (settleOnFailure)
                    {
                        await SettleAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        Set(Seen.In(before));
                    }
                }
                if (e is DockerVmException || e is OperationCanceledException)
                {
                    throw;
                }
                throw Failures.ActionFailed(action, _name, e);
            }
            finally
            {
                Interlocked.Increment(ref _epoch);
            }
        }

        /// <summary>Takes the engine's view, as read now (the caller holds the lock, or no action can be running).</summary>
        public void Apply(ContainerInfo? info) => Set(info is null ? Seen.Gone() : Seen.From(info));

        /// <summary>
        /// Reads the container and takes the engine's view of it, unless an action began or ended
        /// meanwhile: that action knows better than this read. Returns what was read.
        /// </summary>
        public async Task<ContainerInfo?> ReadBackAsync(CancellationToken ct)
        {
            var epoch = Epoch;
            var info = await _read(ct).ConfigureAwait(false);
            if (Epoch == epoch)
            {
                Apply(info);
            }
            return info;
        }

        /// <summary>As <see cref="ReadBackAsync"/>, best effort within the clean-up budget: the failure being reported matters more than this read.</summary>
        public async Task TryReadBackAsync()
        {
            using var cts = new CancellationTokenSource(SettleTimeout);
            await TryReadBackAsync(cts.Token).ConfigureAwait(false);
        }

        /// <summary>As <see cref="ReadBackAsync"/>, best effort: the failure being reported matters more than this read.</summary>
        public async Task TryReadBackAsync(CancellationToken ct)
        {
            try
            {
                await ReadBackAsync(ct).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // the caller reports a failure of its own
            }
        }

        /// <summary>
        /// Takes a listing's read, made when the epoch was <paramref name="epochBeforeRead"/>, unless an
        /// action on this VM is in flight or ran since: that action sets the state it ends in.
        /// </summary>
        public void Offer(ContainerInfo? info, long epochBeforeRead)
        {
            if (!Busy && Epoch == epochBeforeRead)
            {
                Apply(info);
            }
        }

        // After a failure: learn the real state from the engine. When it cannot be read and an
        // action was under way, the state can no longer be known: ErrorUnknown (Delete recovers it,
        // and Get-DockerVm reads it again).
        private async Task SettleAsync()
        {
            try
            {
                using var cts = new CancellationTokenSource(SettleTimeout);
                Apply(await _read(cts.Token).ConfigureAwait(false));
            }
            catch (Exception)
            {
                if (StateMachine.ValidActions(Seen.State).Length == 0)
                {
                    Set(Seen.In(VmState.ErrorUnknown));
                }
            }
        }

        private void Set(Observation seen) => Volatile.Write(ref _seen, seen);
    }
}
