using System;

namespace DockerVm
{
    /// <summary>Timeouts as timers take them: a timer cannot wait longer than int.MaxValue milliseconds (~24.8 days).</summary>
    internal static class Timeouts
    {
        private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue - 1);

        /// <summary>
        /// How long a clean-up or a read-back after a failure may take. Long on purpose: on a live but
        /// slow engine it must finish (it is never cancelled with the call it cleans up after); a dead
        /// engine ends it within seconds through the transport's liveness probe.
        /// </summary>
        public static readonly TimeSpan Cleanup = TimeSpan.FromMinutes(10);

        /// <summary>How long a VM that is let go of (a pool's half-made or unwanted VM, an ephemeral VM at exit) may take to go.</summary>
        public static readonly TimeSpan Discard = TimeSpan.FromSeconds(60);

        public static TimeSpan Clamp(TimeSpan t) => t > Longest ? Longest : t < TimeSpan.Zero ? TimeSpan.Zero : t;

        public static TimeSpan Seconds(long seconds) => seconds >= (long)Longest.TotalSeconds ? Longest : Clamp(TimeSpan.FromSeconds(seconds));
    }
}
