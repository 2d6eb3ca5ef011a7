using System;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Readiness
{
    /// <summary>The VM a readiness check asks about: its engine, its container and its name.</summary>
    public sealed class ReadinessTarget
    {
        public ReadinessTarget(IDockerEngine engine, string containerId, string name)
        {
            Engine = engine;
            ContainerId = containerId;
            Name = name;
        }

        public IDockerEngine Engine { get; }
        public string ContainerId { get; }
        public string Name { get; }
    }

    /// <summary>
    /// One readiness question, asked again until the answer is yes or the time is up (Testcontainers'
    /// wait strategies: UntilMessageIsLogged, UntilTcpConnected, UntilContainerIsHealthy). The wait
    /// (<see cref="DockerVmInstance.WaitUntilReadyAsync"/>) reads the container once per round and
    /// hands the check what it saw; the check keeps what it last saw, for DockerVmNotReady.
    /// A check holds state across rounds: one instance per VM and wait.
    /// </summary>
    public abstract class ReadinessCheck
    {
        /// <summary>What is waited for, as a message says it: "a log line matching 'ready'".</summary>
        public abstract string WaitsFor { get; }

        /// <summary>What the last round saw (the last log line, the last connect error, the last health status), for the timeout message.</summary>
        public string LastSeen { get; protected set; } = "nothing yet (no look was finished)";

        /// <summary>
        /// Asks once: true when the VM is ready. <paramref name="seen"/> is the container as inspected
        /// this round. Throws DockerVmNotReady when the answer can never be yes (no healthcheck).
        /// </summary>
        public abstract Task<bool> IsReadyAsync(ReadinessTarget vm, ContainerInfo seen, CancellationToken ct);

        /// <summary>A text cut to a length a message can carry, quoted.</summary>
        protected static string Quote(string text, int max = 200)
        {
            var t = text.Replace("\r", "\\r").Replace("\n", "\\n");
            return "'" + (t.Length > max ? t.Substring(0, max) + "…" : t) + "'";
        }

        protected static string Time(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture) : "(unknown time)";
    }
}
