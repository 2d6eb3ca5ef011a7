using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using static DockerVm.Engine.JsonFields;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// Reads the engine's container listing (GET /containers/json): one summary per container with
    /// what a listing needs (id, name, status, labels, image, created, addresses, ports, command), so
    /// that Get-DockerVm is one request however many VMs there are. A summary has less than inspect:
    /// no exit code, pid or start time; the command is one string.
    /// </summary>
    internal static class ContainerSummary
    {
        public static IReadOnlyList<ContainerInfo> ParseArray(string json)
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The container listing is not a JSON array.");
            }
            return doc.RootElement.EnumerateArray().Select(Parse).ToList();
        }

        public static IReadOnlyList<string> ParseIds(string json)
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The container listing is not a JSON array.");
            }
            return doc.RootElement.EnumerateArray().Select(e => Str(e, "Id")).Where(id => id.Length > 0).Distinct().ToList();
        }

        public static ContainerInfo Parse(JsonElement e)
        {
            var status = Str(e, "State");
            var names = e.TryGetProperty("Names", out var n) && n.ValueKind == JsonValueKind.Array
                ? n.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
                : new List<string>();
            // A container's own name has one slash; linked aliases (/other/alias) have more.
            var name = names.FirstOrDefault(x => x.LastIndexOf('/') == 0) ?? names.FirstOrDefault() ?? "";

            var networks = new List<ContainerNetwork>();
            if (Obj(e, "NetworkSettings") is { } ns && Obj(ns, "Networks") is { } nets)
            {
                foreach (var p in nets.EnumerateObject())
                {
                    networks.Add(new ContainerNetwork
                    {
                        Name = p.Name,
                        IPAddress = Str(p.Value, "IPAddress"),
                        GlobalIPv6Address = Str(p.Value, "GlobalIPv6Address"),
                        Gateway = Str(p.Value, "Gateway"),
                        MacAddress = Str(p.Value, "MacAddress"),
                    });
                }
            }
            // inspect's primary address is the default bridge's: put it first, where ContainerInfo looks.
            networks = networks.OrderBy(x => x.Name == "bridge" ? 0 : 1).ToList();

            var ports = new List<PortBinding>();
            if (e.TryGetProperty("Ports", out var ps) && ps.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in ps.EnumerateArray())
                {
                    var containerPort = Num(p, "PrivatePort").ToString(CultureInfo.InvariantCulture) + "/" + (Str(p, "Type") is { Length: > 0 } t ? t : "tcp");
                    var publicPort = Num(p, "PublicPort");
                    ports.Add(new PortBinding
                    {
                        ContainerPort = containerPort,
                        HostIp = publicPort > 0 ? Str(p, "IP") : "",
                        HostPort = publicPort > 0 ? publicPort.ToString(CultureInfo.InvariantCulture) : "",
                    });
                }
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Obj(e, "Labels") is { } l)
            {
                foreach (var p in l.EnumerateObject())
                {
                    labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.ToString();
                }
            }

            var created = Num(e, "Created");
            return new ContainerInfo
            {
                Id = Str(e, "Id"),
                Name = name.StartsWith("/", StringComparison.Ordinal) ? name.Substring(1) : name,
                Image = Str(e, "Image"),
                ImageId = Str(e, "ImageID"),
                Created = created > 0 ? DateTimeOffset.FromUnixTimeSeconds(created).UtcDateTime : null,
                State = new ContainerStateInfo
                {
                    StatusText = status,
                    Running = status == "running" || status == "paused" || status == "restarting",
                    Paused = status == "paused",
                    Restarting = status == "restarting",
                    Dead = status == "dead",
                },
                Networks = networks,
                Ports = ports,
                Labels = labels,
                // The summary joins the command into one string: split at spaces (exact in labels, which DockerVm reads first).
                Command = Str(e, "Command").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries),
            };
        }



    }
}
