using System;
using System.Diagnostics;
using System.Globalization;

namespace DockerVm
{
    /// <summary>
    /// Who created a VM: user, host, and the PowerShell process (its id and start time, so a reused
    /// process id is never mistaken for the creator). Recorded in a label at create.
    /// </summary>
    public sealed class Creator : IEquatable<Creator>
    {
        public Creator(string user, string host, int processId, long processStartUnixMs)
        {
            User = user;
            Host = host;
            ProcessId = processId;
            ProcessStartUnixMs = processStartUnixMs;
        }

        public string User { get; }
        public string Host { get; }
        public int ProcessId { get; }
        public long ProcessStartUnixMs { get; }

        private static readonly Lazy<Creator> This = new(() =>
        {
            using var p = Process.GetCurrentProcess();
            return new Creator(Environment.UserName, Environment.MachineName, p.Id,
                new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds());
        });

        /// <summary>This process.</summary>
        public static Creator Current => This.Value;

        /// <summary>user@host/pid/start (the label's value).</summary>
        public override string ToString() =>
            $"{User}@{Host}/{ProcessId.ToString(CultureInfo.InvariantCulture)}/{ProcessStartUnixMs.ToString(CultureInfo.InvariantCulture)}";

        public static Creator? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            var parts = text!.Split('/');
            var at = parts[0].LastIndexOf('@');
            return parts.Length == 3 && at > 0 &&
                   int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) &&
                   long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
                ? new Creator(parts[0].Substring(0, at), parts[0].Substring(at + 1), pid, start)
                : null;
        }

        /// <summary>
        /// False only when this creator's process is known to be gone: on this host, no process with
        /// its id, or one that started at another time (the id was reused). Another host: true (unknown).
        /// </summary>
        public bool IsAlive()
        {
            if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            try
            {
                using var p = Process.GetProcessById(ProcessId);
                var started = new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
                return Math.Abs(started - ProcessStartUnixMs) < 1000;
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is System.ComponentModel.Win32Exception)
            {
                return false; // no such process (any more)
            }
        }

        public bool Equals(Creator? other) => other is not null && User == other.User && Host == other.Host &&
                                              ProcessId == other.ProcessId && ProcessStartUnixMs == other.ProcessStartUnixMs;

        public override bool Equals(object? obj) => Equals(obj as Creator);

        public override int GetHashCode() => ProcessId ^ ProcessStartUnixMs.GetHashCode();
    }
}
