using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Readiness
{
    /// <summary>
    /// Does the container's healthcheck report healthy? A container without a healthcheck never
    /// will: DockerVmNotReady at once, not at the timeout.
    /// </summary>
    public sealed class UntilHealthy : ReadinessCheck
    {
        public override string WaitsFor => "its healthcheck to report healthy";

        public override Task<bool> IsReadyAsync(ReadinessTarget vm, ContainerInfo seen, CancellationToken ct)
        {
            if (!seen.HasHealthcheck)
            {
                throw Failures.NoHealthcheck(vm.Name);
            }
            var health = seen.State.Health;
            if (health is null)
            {
                LastSeen = "no health report yet";
                return Task.FromResult(false);
            }
            if (health.IsHealthy)
            {
                LastSeen = "healthy";
                return Task.FromResult(true);
            }
            var last = health.Log.LastOrDefault();
            LastSeen = $"health status '{health.Status}' (failing streak {health.FailingStreak})" +
                       (last is null ? ", no check finished yet" : $"; the last check exited {last.ExitCode} with output {Quote(last.Output.Trim())}");
            return Task.FromResult(false);
        }
    }
}
