using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// What every DockerVm cmdlet shares: the async boundary (work runs off the pipeline thread,
    /// which drains queued writes until it is done), Ctrl+C cancellation, the -Verbose trace of
    /// engine commands, and error reporting through <see cref="Errors"/>.
    /// </summary>
    public abstract class DockerVmCmdlet : PSCmdlet
    {
        protected const string ByName = "ByName";
        protected const string ByObject = "ByObject";

        private readonly CancellationTokenSource _stopping = new();
        private readonly ConcurrentQueue<Action> _writes = new();
        // A kernel wait, not a spinning one: many cmdlets in parallel runspaces wait at once.
        private readonly AutoResetEvent _posted = new(false);

        // At most this many streamed lines wait for the pipeline thread: a fast producer is slowed to
        // the pipeline's pace (the engine command's pipe fills and it waits), so memory stays constant.
        private const int MaxQueuedLines = 4096;
        private readonly SemaphoreSlim _room = new(MaxQueuedLines, MaxQueuedLines);

        protected CancellationToken Cancellation => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// Writes a line of the engine trace to the verbose stream. Under -Debug PowerShell makes every
        /// verbose write of a compiled cmdlet ask "Continue?" (and fail under -NonInteractive): there
        /// the trace goes to the host's debug line instead, and never prompts.
        /// </summary>
        protected void Trace(string line)
        {
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true })
            {
                Host.UI.WriteDebugLine(line);
                return;
            }
            WriteVerbose(line);
        }

        /// <summary>Queues a write for the pipeline thread (callable from any thread).</summary>
        protected void Post(Action write)
        {
            _writes.Enqueue(write);
            _posted.Set();
        }

        /// <summary>
        /// Queues a streamed line's write (from a reader thread), waiting while the queue is full. After
        /// Ctrl+C or a stopped pipeline the line is dropped.
        /// </summary>
        protected void PostStreamed(Action write)
        {
            try
            {
                _room.Wait(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Post(() =>
            {
                _room.Release();
                write();
            });
        }

        /// <summary>Runs async Core work; only this (pipeline) thread calls Write*.</summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work)
        {
            Task<T> task;
            using (CommandTrace.Begin(e => Post(() => Trace(e.ToString()))))
            {
                task = Task.Run(() => work(Cancellation));
            }
            task.ContinueWith(_ => _posted.Set(), TaskScheduler.Default);
            try
            {
                while (true)
                {
                    while (_writes.TryDequeue(out var write))
                    {
                        write();
                    }
                    if (task.IsCompleted && _writes.IsEmpty)
                    {
                        break;
                    }
                    _posted.WaitOne();
                }
            }
            catch
            {
                // A write threw (the pipeline is stopping: Select-Object -First, Ctrl+C, -ErrorAction Stop):
                // end the engine command too, and let it clean up, before the exception goes on.
                _stopping.Cancel();
                try
                {
                    task.Wait(TimeSpan.FromSeconds(30));
                }
                catch (AggregateException)
                {
                    // its failure is moot: the pipeline is already failing
                }
                throw;
            }
            return task.GetAwaiter().GetResult();
        }

        protected void Await(Func<CancellationToken, Task> work) =>
            Await(async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            });

        /// <summary>
        /// Runs one unit of work for one target. A DockerVm failure on it is reported (non-terminating,
        /// or terminating when the CLI is missing or the engine is down) and the cmdlet goes on.
        /// Returns false when the work failed or was cancelled.
        /// </summary>
        protected bool Try(object? target, Action work, bool fatalEndsCommand = true)
        {
            try
            {
                work();
                return true;
            }
            catch (DockerVmException e)
            {
                Report(e, target, fatalEndsCommand);
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (e is not PipelineStoppedException && e is not ActionPreferenceStopException && e is not RuntimeException
                                       && e is not FlowControlException) // break, continue, exit from downstream pass through
            {
                WriteError(Errors.Unexpected(e, target));
            }
            return false;
        }

        /// <summary>
        /// Lists every engine -Context names (wildcards over the context store, contract part 2 §10) at
        /// once: each engine's items go to <paramref name="write"/>, on this thread, in the order of the
        /// contexts, as soon as that engine (and those before it) answered; an engine that fails is one
        /// non-terminating error naming its context. Returns the contexts that answered.
        /// </summary>
        protected IReadOnlyList<string> ListEngines<T>(IReadOnlyList<string>? contexts, Func<IDockerEngine, CancellationToken, Task<IReadOnlyList<T>>> query,
            Action<string, IReadOnlyList<T>> write)
        {
            var answered = new List<string>();
            Try(contexts, () => Await(ct => ManyEngines.QueryAsync(ManyEngines.Expand(contexts), query, answer => Post(() =>
            {
                if (answer.Failure is { } e)
                {
                    Report(e, answer.Context, fatalEndsCommand: false);
                    return;
                }
                answered.Add(answer.Context);
                write(answer.Context, answer.Items);
            }), ct)), fatalEndsCommand: false);
            return answered;
        }

        protected void Report(DockerVmException e, object? target, bool fatalEndsCommand = true)
        {
            var record = Errors.From(e, target);
            if (e.IsFatal && fatalEndsCommand)
            {
                ThrowTerminatingError(record);
            }
            WriteError(record);
        }

        /// <summary>Writes to -Verbose what this session's background pool replenishing did since the last cmdlet.</summary>
        protected void TracePoolEvents()
        {
            foreach (var e in Pools.Replenisher.DrainEvents())
            {
                Trace("(background) " + e);
            }
        }

        /// <summary>
        /// The pools <paramref name="names"/> select, in order: a literal name as given (a missing pool is
        /// the caller's DockerVmPoolNotFound; Listed is null), a wildcard as the pools it matches (one listing,
        /// whose definitions come along as Listed; none is no error).
        /// </summary>
        protected IEnumerable<(string Name, Pools.PoolDefinition? Listed)> PoolsMatching(IDockerEngine engine, IEnumerable<string> names)
        {
            IReadOnlyList<Pools.PoolDefinition>? all = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (!WildcardPattern.ContainsWildcardCharacters(name))
                {
                    if (seen.Add(name))
                    {
                        yield return (name, null);
                    }
                    continue;
                }
                if (all is null && !Try(name, () => all = Await(ct => Pools.PoolCatalog.ListAsync(engine, ct))))
                {
                    yield break;
                }
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                foreach (var pool in all!.Where(p => pattern.IsMatch(p.Name) && seen.Add(p.Name)))
                {
                    yield return (pool.Name, pool);
                }
            }
        }

        protected static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);

        /// <summary>
        /// The plan as ShouldProcess shows it: whole (every label, the exact docker command) to -WhatIf and
        /// -Confirm; as the trace shows it (without DockerVm's own labels) when it is only a -Verbose line.
        /// </summary>
        protected string Describe(ActionPlan plan) => plan.ToString(whole: WhatIfOrConfirm());

        private bool WhatIfOrConfirm()
        {
            bool? Bound(string name) => MyInvocation.BoundParameters.TryGetValue(name, out var v) ? LanguagePrimitives.IsTrue(v) : null;
            if (Bound("WhatIf") ?? LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
            {
                return true;
            }
            if (Bound("Confirm") is { } confirm)
            {
                return confirm;
            }
            var impact = (GetType().GetCustomAttributes(typeof(CmdletAttribute), true) is { Length: > 0 } a ? ((CmdletAttribute)a[0]).ConfirmImpact : ConfirmImpact.Medium);
            var preference = GetVariableValue("ConfirmPreference") is { } p && LanguagePrimitives.TryConvertTo<ConfirmImpact>(p, out var c) ? c : ConfirmImpact.High;
            return preference != ConfirmImpact.None && impact >= preference;
        }
    }
}
