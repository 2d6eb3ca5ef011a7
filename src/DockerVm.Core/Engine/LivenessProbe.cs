using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>
    /// Tells a dead engine from a slow one: one GET /_ping, straight to the engine's socket, with a
    /// short deadline. Any HTTP answer means alive (however slow the request it watches); no
    /// connection (refused, no socket: at once), or no answer in time, means dead. Where the socket
    /// cannot be reached directly (ssh, TLS, a runtime without unix sockets) the transport's own probe
    /// is used instead.
    ///
    /// A user's request waits <see cref="Deadline"/> for the ping (a dead engine is reported within
    /// ~10 s); a clean-up (<see cref="Patient"/>) waits <see cref="CleanupDeadline"/>, so that an
    /// engine that accepts connections and answers, however late, is cleaned up after.
    /// </summary>
    public static class LivenessProbe
    {
        private static readonly AsyncLocal<bool> InCleanup = new();

        /// <summary>How long a ping may take before the engine counts as dead.</summary>
        public static TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(8);

        /// <summary>As <see cref="Deadline"/>, inside a clean-up.</summary>
        public static TimeSpan CleanupDeadline { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The deadline of a ping made now: a clean-up's, or a request's.</summary>
        public static TimeSpan CurrentDeadline => InCleanup.Value && CleanupDeadline > Deadline ? CleanupDeadline : Deadline;

        /// <summary>
        /// From here to the end of the calling async method (and what it awaits), pings wait
        /// <see cref="CleanupDeadline"/>: call it first in a clean-up.
        /// </summary>
        public static void Patient() => InCleanup.Value = true;

        private static readonly byte[] Ping = Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");

        /// <summary>True when the engine answers; false when it is dead; null when it cannot be pinged directly.</summary>
        public static async Task<bool?> PingAsync(EngineEndpoint endpoint, CancellationToken ct)
        {
            EndPoint? target = null;
            AddressFamily family;
            if (endpoint.UnixPath is { } path)
            {
                target = UnixEndPoint(path);
                family = AddressFamily.Unix;
            }
            else if (endpoint.Scheme == "tcp" && Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is null or "" &&
                     Uri.TryCreate("http://" + endpoint.Host.Substring("tcp://".Length), UriKind.Absolute, out var uri))
            {
                target = new DnsEndPoint(uri.Host, uri.Port);
                family = AddressFamily.InterNetwork;
            }
            else
            {
                return null;
            }
            if (target is null)
            {
                return null;
            }
            using var deadline = new CancellationTokenSource(CurrentDeadline);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            using var socket = family == AddressFamily.Unix
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var closer = linked.Token.Register(() => socket.Dispose());
            try
            {
                await Task.Factory.FromAsync(socket.BeginConnect, socket.EndConnect, target, null).ConfigureAwait(false);
                await Task.Factory.FromAsync((cb, s) => socket.BeginSend(Ping, 0, Ping.Length, SocketFlags.None, cb, s), socket.EndSend, null).ConfigureAwait(false);
                var buffer = new byte[16];
                var read = await Task.Factory.FromAsync((cb, s) => socket.BeginReceive(buffer, 0, buffer.Length, SocketFlags.None, cb, s), socket.EndReceive, null).ConfigureAwait(false);
                return read >= 5 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/", StringComparison.Ordinal);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return false; // refused, reset, gone, or no answer before the deadline
            }
        }

        // UnixDomainSocketEndPoint exists on every .NET Core runtime but not in netstandard2.0's surface.
        private static EndPoint? UnixEndPoint(string path)
        {
            var type = Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets") ??
                       typeof(Socket).Assembly.GetType("System.Net.Sockets.UnixDomainSocketEndPoint");
            return type is null ? null : (EndPoint?)Activator.CreateInstance(type, path);
        }
    }
}
