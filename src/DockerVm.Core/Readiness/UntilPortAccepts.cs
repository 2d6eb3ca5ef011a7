using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Readiness
{
    /// <summary>
    /// Does a TCP connect to the port succeed? To the published host port when the container port is
    /// published (0.0.0.0 is reached as 127.0.0.1, :: as ::1), else to the VM's own address.
    /// <para>
    /// Through a published port, docker's port proxy accepts every connection itself, even with
    /// nothing listening in the VM, and then closes it at once. So a connect through a published
    /// port counts only when the connection is not closed right away (the service waits for a
    /// request, or greets).
    /// </para>
    /// </summary>
    public sealed class UntilPortAccepts : ReadinessCheck
    {
        private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
        private static readonly TimeSpan ProxyProbe = TimeSpan.FromMilliseconds(300);

        public UntilPortAccepts(int port)
        {
            if (port < 1 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, "a TCP port is 1 to 65535");
            }
            Port = port;
        }

        public int Port { get; }

        public override string WaitsFor => $"TCP port {Port} to accept a connection";

        /// <summary>Where to connect for <paramref name="port"/> of the container; null (and why) when there is nowhere.</summary>
        public static (IPEndPoint? EndPoint, bool Published, string Why) EndPointOf(ContainerInfo info, int port)
        {
            var key = port.ToString(CultureInfo.InvariantCulture) + "/tcp";
            var bindings = info.Ports.Where(p => p.ContainerPort == key && p.HostPort.Length > 0).ToList();
            // docker lists a binding per address family: take IPv4 first.
            var binding = bindings.FirstOrDefault(b => !b.HostIp.Contains(":")) ?? bindings.FirstOrDefault();
            if (binding is not null && int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort))
            {
                var host = binding.HostIp switch
                {
                    "" or "0.0.0.0" => IPAddress.Loopback,
                    "::" => IPAddress.IPv6Loopback,
                    var ip => IPAddress.TryParse(ip, out var a) ? a : IPAddress.Loopback,
                };
                return (new IPEndPoint(host, hostPort), true, "");
            }
            if (info.Networks.Any(n => n.Name == "host"))
            {
                return (new IPEndPoint(IPAddress.Loopback, port), false, ""); // the host's own network
            }
            if (IPAddress.TryParse(info.IPAddress, out var address))
            {
                return (new IPEndPoint(address, port), false, "");
            }
            return (null, false, $"port {port} is not published and the VM has no IP address to connect to");
        }

        public override async Task<bool> IsReadyAsync(ReadinessTarget vm, ContainerInfo seen, CancellationToken ct)
        {
            var (endPoint, published, why) = EndPointOf(seen, Port);
            if (endPoint is null)
            {
                LastSeen = why;
                return false;
            }
            var where = $"{(published ? "published port " : "")}{endPoint}";
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (!await CompletesAsync(socket.ConnectAsync(endPoint), ConnectTimeout, ct).ConfigureAwait(false))
                {
                    LastSeen = $"connecting to {where}: no answer within {ConnectTimeout.TotalSeconds:0} s";
                    return false;
                }
                if (published)
                {
                    var receive = socket.ReceiveAsync(new ArraySegment<byte>(new byte[1]), SocketFlags.None);
                    if (await CompletesAsync(receive, ProxyProbe, ct).ConfigureAwait(false) && await receive.ConfigureAwait(false) == 0)
                    {
                        LastSeen = $"{where} accepted the connection and closed it at once (docker's port proxy, with nothing listening on port {Port} in the VM)";
                        return false;
                    }
                }
                LastSeen = $"{where} accepted a connection";
                return true;
            }
            catch (SocketException e)
            {
                LastSeen = $"connecting to {where}: {e.Message}";
                return false;
            }
            catch (ObjectDisposedException)
            {
                LastSeen = $"connecting to {where}: the attempt was abandoned";
                return false;
            }
        }

        // True when the task ends within the time (its outcome then read by the caller); false when it
        // does not (it is left to end with the socket). Cancellation is thrown.
        private static async Task<bool> CompletesAsync(Task task, TimeSpan within, CancellationToken ct)
        {
            _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(within);
            var first = await Task.WhenAny(task, Task.Delay(Timeout.Infinite, timer.Token)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (first != task)
            {
                return false;
            }
            await task.ConfigureAwait(false); // a failed connect throws its SocketException here
            return true;
        }
    }
}
