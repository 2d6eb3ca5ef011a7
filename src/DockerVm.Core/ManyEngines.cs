using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>What one engine answered to a listing: its items, or why it could not (contract part 2 §10).</summary>
    public sealed class EngineAnswer<T>
    {
        public EngineAnswer(string context, IReadOnlyList<T> items, DockerVmException? failure)
        {
            Context = context;
            Items = items;
            Failure = failure;
        }

        /// <summary>The context asked ("" = the default engine).</summary>
        public string Context { get; }

        /// <summary>What the engine listed (empty when it failed).</summary>
        public IReadOnlyList<T> Items { get; }

        /// <summary>Why the engine could not be listed, naming its context; null when it answered.</summary>
        public DockerVmException? Failure { get; }
    }

    /// <summary>
    /// Many engines at once (contract part 2 §10): -Context patterns expanded over the docker context
    /// store, each engine asked in parallel within its own bound, the answers handed over in order as
    /// they come, so an engine that cannot be reached is one failure and holds up the others by its
    /// bound at most.
    /// </summary>
    public static class ManyEngines
    {
        /// <summary>
        /// The longest one engine's listing may take. The transports report a dead engine sooner
        /// (their liveness probe: 2 s, then a ping of <see cref="LivenessProbe.Deadline"/>); this
        /// bounds what they do not (a slow engine that still answers pings).
        /// </summary>
        public static TimeSpan EngineBound { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The contexts -Context names, in the order given, each once. A literal name is kept as it is
        /// ("" is the default engine; a name the store does not know fails when asked, as ever). A
        /// wildcard matches the names of the context store, `default` included, as `docker context ls`
        /// lists them; one that matches none adds nothing (no error, as Get-Process does). The
        /// `default` context a wildcard matches is "" when it is the one an empty -Context reaches, so
        /// its VMs are the same objects as those of a plain Get-DockerVm.
        /// </summary>
        public static IReadOnlyList<string> Expand(IReadOnlyList<string>? patterns) =>
            Expand(patterns, () => EngineEndpoint.Contexts().Select(c => c.Name).ToList(), () => EngineEndpoint.CurrentName());

        /// <summary><see cref="Expand(IReadOnlyList{string})"/> over a given store and current context (for tests).</summary>
        public static IReadOnlyList<string> Expand(IReadOnlyList<string>? patterns, Func<IReadOnlyList<string>> store, Func<string> current)
        {
            var given = patterns is { Count: > 0 } ? patterns : new[] { "" };
            var contexts = new List<string>();
            IReadOnlyList<string>? names = null;
            bool? defaultIsCurrent = null;
            foreach (var pattern in given.Select(p => p ?? ""))
            {
                if (!Wildcard.HasWildcards(pattern))
                {
                    contexts.Add(pattern);
                    continue;
                }
                names ??= store();
                defaultIsCurrent ??= current() == "default";
                var matches = Wildcard.Matcher(pattern);
                contexts.AddRange(names.Where(matches).Select(n => n == "default" && defaultIsCurrent == true ? "" : n));
            }
            return contexts.Distinct(StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// Asks every context's engine <paramref name="query"/> in parallel. <paramref name="answered"/>
        /// gets the answers in the order of <paramref name="contexts"/>, each as soon as it and those
        /// before it are in (so the output is the same for the same engines, and an engine that cannot
        /// be reached holds the ones after it back by its bound at most); it is called on a pool thread
        /// and must only queue the writes. A failure names its context. Returns when every engine has
        /// answered, failed or run past <see cref="EngineBound"/>. Cancelling <paramref name="ct"/>
        /// cancels them all.
        /// </summary>
        public static Task QueryAsync<T>(IReadOnlyList<string> contexts, Func<IDockerEngine, CancellationToken, Task<IReadOnlyList<T>>> query,
            Action<EngineAnswer<T>> answered, CancellationToken ct)
        {
            var bound = EngineBound;
            var answers = new EngineAnswer<T>?[contexts.Count];
            var next = 0;
            var gate = new object();
            return Task.WhenAll(contexts.Select((context, i) => Task.Run(async () =>
            {
                var answer = await AskAsync(context, query, bound, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                lock (gate)
                {
                    answers[i] = answer;
                    for (; next < answers.Length && answers[next] is { } ready; next++)
                    {
                        answered(ready);
                    }
                }
            }, ct)));
        }

        private static async Task<EngineAnswer<T>> AskAsync<T>(string context, Func<IDockerEngine, CancellationToken, Task<IReadOnlyList<T>>> query,
            TimeSpan bound, CancellationToken ct)
        {
            using var own = CancellationTokenSource.CreateLinkedTokenSource(ct);
            own.CancelAfter(bound);
            try
            {
                var items = await query(VmRegistry.Engine(context), own.Token).ConfigureAwait(false);
                return new EngineAnswer<T>(context, items, null);
            }
            catch (DockerVmException e)
            {
                return new EngineAnswer<T>(context, Array.Empty<T>(), Failures.OnContext(e, ContextName(context)));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new EngineAnswer<T>(context, Array.Empty<T>(), Failures.EngineTooSlow(ContextName(context), bound));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new EngineAnswer<T>(context, Array.Empty<T>(), Failures.OnContext(Failures.Unexpected(e, context), ContextName(context)));
            }
        }

        // The name a message gives a context: "" is the one an empty -Context reaches now.
        private static string ContextName(string context)
        {
            if (context.Length > 0)
            {
                return context;
            }
            try
            {
                return EngineEndpoint.CurrentName();
            }
            catch (Exception)
            {
                return "default";
            }
        }
    }
}
