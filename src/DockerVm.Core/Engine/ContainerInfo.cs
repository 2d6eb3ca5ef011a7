using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using static DockerVm.Engine.JsonFields;

namespace DockerVm.Engine
{
    /// <summary>A container's status as the engine reports it.</summary>
    public enum ContainerStatus
    {
        Unknown,
        Created,
        Running,
        Paused,
        Restarting,
        Removing,
        Exited,
        Dead,
    }

    /// <summary>The State part of `docker inspect`.</summary>
    public sealed class ContainerStateInfo
    {
        /// <summary>The engine's status word, parsed.</summary>
        public ContainerStatus Status => Parse(StatusText);

        /// <summary>The engine's status word as it said it (created, running, paused, ...).</summary>
        public string StatusText { get; init; } = "";

        public static ContainerStatus Parse(string? status) => status switch
        {
            "created" => ContainerStatus.Created,
            "running" => ContainerStatus.Running,
            "paused" => ContainerStatus.Paused,
            "restarting" => ContainerStatus.Restarting,
            "removing" => ContainerStatus.Removing,
            "exited" => ContainerStatus.Exited,
            "dead" => ContainerStatus.Dead,
            _ => ContainerStatus.Unknown,
        };

        public bool Running { get; init; }
        public bool Paused { get; init; }
        public bool Restarting { get; init; }
        public bool Dead { get; init; }
        public bool OOMKilled { get; init; }
        public int Pid { get; init; }
        public int ExitCode { get; init; }
        public string Error { get; init; } = "";
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }

        /// <summary>What the container's healthcheck reports; null when it has none (or has not run yet).</summary>
        public ContainerHealth? Health { get; init; }
    }

    /// <summary>The State.Health part of `docker inspect`: the healthcheck's verdict and its last runs.</summary>
    public sealed class ContainerHealth
    {
        /// <summary>starting, healthy or unhealthy, as the engine says it.</summary>
        public string Status { get; init; } = "";
        public int FailingStreak { get; init; }
        /// <summary>The last runs of the check, oldest first (the engine keeps five).</summary>
        public IReadOnlyList<HealthCheckRun> Log { get; init; } = Array.Empty<HealthCheckRun>();
        public bool IsHealthy => Status == "healthy";
    }

    /// <summary>One run of a healthcheck.</summary>
    public sealed class HealthCheckRun
    {
        public DateTime? Start { get; init; }
        public DateTime? End { get; init; }
        public int ExitCode { get; init; }
        public string Output { get; init; } = "";
    }

    /// <summary>One network a container is attached to.</summary>
    public sealed class ContainerNetwork
    {
        public string Name { get; init; } = "";
        public string IPAddress { get; init; } = "";
        public string GlobalIPv6Address { get; init; } = "";
        public string Gateway { get; init; } = "";
        public string MacAddress { get; init; } = "";
        public override string ToString() => $"{Name}={IPAddress}";
    }

    /// <summary>One published port.</summary>
    public sealed class PortBinding
    {
        public string ContainerPort { get; init; } = "";
        public string HostIp { get; init; } = "";
        public string HostPort { get; init; } = "";
        public override string ToString() =>
            string.IsNullOrEmpty(HostPort) ? ContainerPort : $"{(string.IsNullOrEmpty(HostIp) ? "0.0.0.0" : HostIp)}:{HostPort}->{ContainerPort}";
    }

    /// <summary>The parsed output of `docker inspect` for one container.</summary>
    public sealed class ContainerInfo
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Image { get; init; } = "";
        public string ImageId { get; init; } = "";
        public DateTime? Created { get; init; }
        public ContainerStateInfo State { get; init; } = new();
        public IReadOnlyList<ContainerNetwork> Networks { get; init; } = Array.Empty<ContainerNetwork>();
        public IReadOnlyList<PortBinding> Ports { get; init; } = Array.Empty<PortBinding>();
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
        public IReadOnlyList<string> Command { get; init; } = Array.Empty<string>();
        public long MemoryBytes { get; init; }
        public long NanoCpus { get; init; }
        public string Hostname { get; init; } = "";
        /// <summary>Config.Healthcheck.Test: the healthcheck command (["CMD-SHELL", "..."]); ["NONE"] turns off the image's; empty: none set.</summary>
        public IReadOnlyList<string> HealthcheckTest { get; init; } = Array.Empty<string>();
        /// <summary>Config.Env's names (what every exec in the container inherits); null when the answer had no Config.</summary>
        public IReadOnlyList<string>? EnvironmentNames { get; init; }
        private string DefaultIPAddress { get; init; } = "";

        /// <summary>True when the container has a healthcheck (its own, or its image's, not turned off).</summary>
        public bool HasHealthcheck => State.Health is not null || (HealthcheckTest.Count > 0 && HealthcheckTest[0] != "NONE");

        /// <summary>The primary address: the default bridge's, else the first network's.</summary>
        public string IPAddress =>
            !string.IsNullOrEmpty(DefaultIPAddress) ? DefaultIPAddress
            : Networks.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a)) ?? "";

        /// <summary>The VM state the engine's status means (the mapping is the state machine's).</summary>
        public VmState VmState => StateMachine.StateOf(State.Status);

        /// <summary>True when the container carries the label that marks a DockerVm VM.</summary>
        public bool IsManaged => Labels.TryGetValue(DockerVm.Labels.Managed, out var m) && m == "true";

        /// <summary>Parses the JSON array `docker inspect` prints. Missing containers are simply absent.</summary>
        public static IReadOnlyList<ContainerInfo> ParseArray(string json) => JsonFields.ParseArray(json, Parse, "docker inspect");

        /// <summary>Parses one container object (the Engine API's inspect answer: docker inspect's array element).</summary>
        public static ContainerInfo ParseObject(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement);
        }

        private static ContainerInfo Parse(JsonElement e)
        {
            var config = Obj(e, "Config");
            var state = Obj(e, "State");
            var net = Obj(e, "NetworkSettings");
            var host = Obj(e, "HostConfig");
            var networks = new List<ContainerNetwork>();
            if (net is { } n && Obj(n, "Networks") is { } nets)
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
            var ports = new List<PortBinding>();
            if (net is { } n2 && Obj(n2, "Ports") is { } portMap)
            {
                foreach (var p in portMap.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.Array)
                    {
                        ports.Add(new PortBinding { ContainerPort = p.Name });
                        continue;
                    }
                    foreach (var b in p.Value.EnumerateArray())
                    {
                        ports.Add(new PortBinding { ContainerPort = p.Name, HostIp = Str(b, "HostIp"), HostPort = Str(b, "HostPort") });
                    }
                }
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (config is { } c && Obj(c, "Labels") is { } l)
            {
                foreach (var p in l.EnumerateObject())
                {
                    labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.ToString();
                }
            }
            var command = new List<string>();
            if (config is { } c2 && c2.TryGetProperty("Cmd", out var cmd) && cmd.ValueKind == JsonValueKind.Array)
            {
                command.AddRange(cmd.EnumerateArray().Select(x => x.GetString() ?? ""));
            }
            List<string>? environment = null;
            if (config is { } c6)
            {
                environment = new List<string>();
                if (c6.TryGetProperty("Env", out var env) && env.ValueKind == JsonValueKind.Array)
                {
                    environment.AddRange(env.EnumerateArray().Select(x => x.GetString() ?? "").Select(x => x.IndexOf('=') is var i && i >= 0 ? x.Substring(0, i) : x));
                }
            }
            var healthcheck = new List<string>();
            if (config is { } c5 && Obj(c5, "Healthcheck") is { } hc && hc.TryGetProperty("Test", out var test) && test.ValueKind == JsonValueKind.Array)
            {
                healthcheck.AddRange(test.EnumerateArray().Select(x => x.GetString() ?? ""));
            }
            return new ContainerInfo
            {
                Id = Str(e, "Id"),
                Name = Str(e, "Name").TrimStart('/'),
                Image = config is { } c3 ? Str(c3, "Image") : "",
                ImageId = Str(e, "Image"),
                Created = Time(e, "Created"),
                Hostname = config is { } c4 ? Str(c4, "Hostname") : "",
                EnvironmentNames = environment,
                State = state is { } s ? new ContainerStateInfo
                {
                    StatusText = Str(s, "Status"),
                    Running = Bool(s, "Running"),
                    Paused = Bool(s, "Paused"),
                    Restarting = Bool(s, "Restarting"),
                    Dead = Bool(s, "Dead"),
                    OOMKilled = Bool(s, "OOMKilled"),
                    Pid = (int)Num(s, "Pid"),
                    ExitCode = (int)Num(s, "ExitCode"),
                    Error = Str(s, "Error"),
                    StartedAt = Time(s, "StartedAt"),
                    FinishedAt = Time(s, "FinishedAt"),
                    Health = Obj(s, "Health") is { } health ? ParseHealth(health) : null,
                } : new ContainerStateInfo(),
                DefaultIPAddress = net is { } n3 ? Str(n3, "IPAddress") : "",
                Networks = networks,
                Ports = ports,
                Labels = labels,
                Command = command,
                HealthcheckTest = healthcheck,
                MemoryBytes = host is { } h ? Num(h, "Memory") : 0,
                NanoCpus = host is { } h2 ? Num(h2, "NanoCpus") : 0,
            };
        }

        private static ContainerHealth ParseHealth(JsonElement h)
        {
            var runs = new List<HealthCheckRun>();
            if (h.TryGetProperty("Log", out var log) && log.ValueKind == JsonValueKind.Array)
            {
                runs.AddRange(log.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object).Select(r => new HealthCheckRun
                {
                    Start = Time(r, "Start"),
                    End = Time(r, "End"),
                    ExitCode = (int)Num(r, "ExitCode"),
                    Output = Str(r, "Output"),
                }));
            }
            return new ContainerHealth { Status = Str(h, "Status"), FailingStreak = (int)Num(h, "FailingStreak"), Log = runs };
        }





    }
}
