using System;

namespace DockerVm
{
    /// <summary>Timeouts as timers take them: a timer cannot wait longer than int.MaxValue milliseconds (~24.8 days).</summary>
    internal static class Timeouts
    {
        private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue - 1);

        public static TimeSpan Clamp(TimeSpan t) => t > Longest ? Longest : t < TimeSpan.Zero ? TimeSpan.Zero : t;

        public static TimeSpan Seconds(long seconds) => seconds >= (long)Longest.TotalSeconds ? Longest : Clamp(TimeSpan.FromSeconds(seconds));
    }
}
