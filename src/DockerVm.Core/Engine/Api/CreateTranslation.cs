using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// What a create request's body carries: the spec (image, name, labels, environment, command,
    /// init) and the docker CLI flags of -CreateArgument that the API transport translates. A flag it
    /// does not know, or a value it cannot read exactly as the CLI would, is not guessed at: the create
    /// goes through the CLI instead (see <see cref="DockerApi.CreateAsync"/>).
    /// </summary>
    internal sealed class CreateOptions
    {
        public List<string> Env { get; } = new();
        public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);
        public bool? Init { get; set; }
        public long? Memory { get; set; }
        public long? MemorySwap { get; set; }
        public long? NanoCpus { get; set; }
        public long? CpuShares { get; set; }
        public string? NetworkMode { get; set; }
        public List<string> ExposedPorts { get; } = new();
        public Dictionary<string, List<(string HostIp, string HostPort)>> PortBindings { get; } = new(StringComparer.Ordinal);
        public List<string> Binds { get; } = new();
        public List<string> Volumes { get; } = new();
        public string? Hostname { get; set; }
        public string? User { get; set; }
        public string? WorkingDir { get; set; }
        public List<string>? Entrypoint { get; set; }
        public (string Name, int MaximumRetryCount)? RestartPolicy { get; set; }
        public bool? Privileged { get; set; }
        public bool? ReadonlyRootfs { get; set; }
        public bool? Tty { get; set; }
        public bool? OpenStdin { get; set; }
        public List<string> CapAdd { get; } = new();
        public List<string> CapDrop { get; } = new();
        public Dictionary<string, string> Tmpfs { get; } = new(StringComparer.Ordinal);
        public List<string> ExtraHosts { get; } = new();
        public List<string> Dns { get; } = new();
        public long? ShmSize { get; set; }
        public long? PidsLimit { get; set; }
        public Dictionary<string, string> Sysctls { get; } = new(StringComparer.Ordinal);
        public string? IpcMode { get; set; }
        public string? PidMode { get; set; }
        public string? LogDriver { get; set; }
        public Dictionary<string, string> LogOptions { get; } = new(StringComparer.Ordinal);
        public string? StopSignal { get; set; }
        public int? StopTimeout { get; set; }
        public string? HealthCmd { get; set; }
        public bool NoHealthcheck { get; set; }
        public long? HealthInterval { get; set; }
        public long? HealthTimeout { get; set; }
        public long? HealthStartPeriod { get; set; }
        public int? HealthRetries { get; set; }
    }

    /// <summary>Docker CLI create flags → the Engine API's create body.</summary>
    internal static class CreateTranslation
    {
        private sealed class Flag
        {
            public Flag(bool isBool, Func<CreateOptions, string, bool> apply)
            {
                IsBool = isBool;
                Apply = apply;
            }

            public bool IsBool { get; }
            /// <summary>Applies the value; false when it cannot be read exactly as the CLI would.</summary>
            public Func<CreateOptions, string, bool> Apply { get; }
        }

        private static readonly Dictionary<string, Flag> Long = new(StringComparer.Ordinal);
        private static readonly Dictionary<char, Flag> Short = new();

        static CreateTranslation()
        {
            Value("memory", 'm', (o, v) => Set(Bytes(v), x => o.Memory = x));
            Value("memory-swap", null, (o, v) => v == "-1" ? Set<long>(-1L, x => o.MemorySwap = x) : Set(Bytes(v), x => o.MemorySwap = x));
            Value("cpus", null, (o, v) => Set(NanoCpus(v), x => o.NanoCpus = x));
            Value("cpu-shares", 'c', (o, v) => Set(Int64(v), x => o.CpuShares = x));
            Value("network", null, (o, v) => Text(v, x => o.NetworkMode = x));
            Value("net", null, (o, v) => Text(v, x => o.NetworkMode = x));
            Value("publish", 'p', Publish);
            Value("expose", null, (o, v) => Port(v, out var p) && Add(o.ExposedPorts, p));
            Value("volume", 'v', Volume);
            Value("hostname", 'h', (o, v) => Text(v, x => o.Hostname = x));
            Value("user", 'u', (o, v) => Text(v, x => o.User = x));
            Value("workdir", 'w', (o, v) => Text(v, x => o.WorkingDir = x));
            Value("entrypoint", null, (o, v) =>
            {
                o.Entrypoint = new List<string> { v }; // "" clears the image's entrypoint, as the CLI does
                return true;
            });
            Value("restart", null, Restart);
            Value("cap-add", null, (o, v) => Add(o.CapAdd, v));
            Value("cap-drop", null, (o, v) => Add(o.CapDrop, v));
            Value("tmpfs", null, (o, v) =>
            {
                var colon = v.IndexOf(':');
                var path = colon < 0 ? v : v.Substring(0, colon);
                if (path.Length == 0)
                {
                    return false;
                }
                o.Tmpfs[path] = colon < 0 ? "" : v.Substring(colon + 1);
                return true;
            });
            Value("add-host", null, (o, v) => v.IndexOf(':') > 0 && Add(o.ExtraHosts, v));
            Value("dns", null, (o, v) => Add(o.Dns, v));
            Value("env", 'e', Env);
            Value("label", 'l', (o, v) =>
            {
                var eq = v.IndexOf('=');
                var key = eq < 0 ? v : v.Substring(0, eq);
                if (key.Length == 0)
                {
                    return false;
                }
                o.Labels[key] = eq < 0 ? "" : v.Substring(eq + 1);
                return true;
            });
            Value("shm-size", null, (o, v) => Set(Bytes(v), x => o.ShmSize = x));
            Value("pids-limit", null, (o, v) => Set(Int64(v), x => o.PidsLimit = x));
            Value("sysctl", null, (o, v) =>
            {
                var eq = v.IndexOf('=');
                if (eq <= 0)
                {
                    return false;
                }
                o.Sysctls[v.Substring(0, eq)] = v.Substring(eq + 1);
                return true;
            });
            Value("ipc", null, (o, v) => Text(v, x => o.IpcMode = x));
            Value("pid", null, (o, v) => Text(v, x => o.PidMode = x));
            Value("log-driver", null, (o, v) => Text(v, x => o.LogDriver = x));
            Value("log-opt", null, (o, v) =>
            {
                var eq = v.IndexOf('=');
                if (eq <= 0)
                {
                    return false;
                }
                o.LogOptions[v.Substring(0, eq)] = v.Substring(eq + 1);
                return true;
            });
            Value("stop-signal", null, (o, v) => Text(v, x => o.StopSignal = x));
            Value("stop-timeout", null, (o, v) => Set(Int32(v), x => o.StopTimeout = x));
            Value("health-cmd", null, (o, v) => Text(v, x => o.HealthCmd = x));
            Value("health-interval", null, (o, v) => Set(Duration(v), x => o.HealthInterval = x));
            Value("health-timeout", null, (o, v) => Set(Duration(v), x => o.HealthTimeout = x));
            Value("health-start-period", null, (o, v) => Set(Duration(v), x => o.HealthStartPeriod = x));
            Value("health-retries", null, (o, v) => Set(Int32(v), x => o.HealthRetries = x));
            Bool("init", null, (o, b) => o.Init = b);
            Bool("privileged", null, (o, b) => o.Privileged = b);
            Bool("read-only", null, (o, b) => o.ReadonlyRootfs = b);
            Bool("tty", 't', (o, b) => o.Tty = b);
            Bool("interactive", 'i', (o, b) => o.OpenStdin = b);
            Bool("no-healthcheck", null, (o, b) => o.NoHealthcheck = b);
        }

        /// <summary>The flags translated, for messages.</summary>
        public static IEnumerable<string> Known => Long.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => "--" + k);

        /// <summary>
        /// Reads <paramref name="arguments"/> (docker create flags) into <paramref name="options"/>. False,
        /// with the argument that stopped it in <paramref name="untranslated"/>, when one is not a flag
        /// this knows or has a value it does not read exactly as the CLI would.
        /// </summary>
        public static bool TryTranslate(IReadOnlyList<string> arguments, CreateOptions options, out string? untranslated)
        {
            untranslated = null;
            for (var i = 0; i < arguments.Count; i++)
            {
                var a = arguments[i];
                if (a.Length < 2 || a[0] != '-' || a == "--")
                {
                    untranslated = a;
                    return false;
                }
                if (a.StartsWith("--", StringComparison.Ordinal))
                {
                    var eq = a.IndexOf('=');
                    var name = eq < 0 ? a.Substring(2) : a.Substring(2, eq - 2);
                    string? value = eq < 0 ? null : a.Substring(eq + 1);
                    if (!Long.TryGetValue(name, out var flag))
                    {
                        untranslated = a;
                        return false;
                    }
                    if (!flag.IsBool && value is null)
                    {
                        if (i + 1 >= arguments.Count)
                        {
                            untranslated = a;
                            return false;
                        }
                        value = arguments[++i];
                    }
                    if (!flag.Apply(options, value ?? "true"))
                    {
                        untranslated = eq < 0 && !flag.IsBool ? a + " " + value : a;
                        return false;
                    }
                    continue;
                }
                // -m 512m, -m=512m, -m512m; -it (booleans grouped)
                var s = a.Substring(1);
                for (var j = 0; j < s.Length; j++)
                {
                    if (!Short.TryGetValue(s[j], out var flag))
                    {
                        untranslated = a;
                        return false;
                    }
                    if (flag.IsBool)
                    {
                        if (j + 1 < s.Length && s[j + 1] == '=')
                        {
                            if (!flag.Apply(options, s.Substring(j + 2)))
                            {
                                untranslated = a;
                                return false;
                            }
                            break;
                        }
                        flag.Apply(options, "true");
                        continue;
                    }
                    var rest = s.Substring(j + 1);
                    if (rest.StartsWith("=", StringComparison.Ordinal))
                    {
                        rest = rest.Substring(1);
                    }
                    else if (rest.Length == 0)
                    {
                        if (i + 1 >= arguments.Count)
                        {
                            untranslated = a;
                            return false;
                        }
                        rest = arguments[++i];
                    }
                    if (!flag.Apply(options, rest))
                    {
                        untranslated = a + (s.Length == 1 ? " " + rest : "");
                        return false;
                    }
                    break;
                }
            }
            if (options.NoHealthcheck && (options.HealthCmd is not null || options.HealthInterval is not null || options.HealthTimeout is not null ||
                                          options.HealthStartPeriod is not null || options.HealthRetries is not null))
            {
                untranslated = "--no-healthcheck"; // the CLI refuses the mix: let it say so
                return false;
            }
            return true;
        }

        /// <summary>The JSON body of POST /containers/create for <paramref name="spec"/> with its translated flags.</summary>
        public static byte[] Body(CreateSpec spec, CreateOptions o)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                Opt(w, "Hostname", o.Hostname);
                Opt(w, "User", o.User);
                if (o.Tty is { } tty)
                {
                    w.WriteBoolean("Tty", tty);
                }
                if (o.OpenStdin is { } stdin)
                {
                    w.WriteBoolean("OpenStdin", stdin);
                    w.WriteBoolean("AttachStdin", stdin);
                }
                if (o.ExposedPorts.Count > 0 || o.PortBindings.Count > 0)
                {
                    w.WriteStartObject("ExposedPorts");
                    foreach (var p in o.ExposedPorts.Concat(o.PortBindings.Keys).Distinct())
                    {
                        w.WriteStartObject(p);
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                }
                // The spec's environment first (sorted, as the CLI's env file), then -e flags, as docker create orders them.
                var env = spec.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value).Concat(o.Env).ToList();
                if (env.Count > 0)
                {
                    Strings(w, "Env", env);
                }
                if (spec.ContainerCommand.Count > 0)
                {
                    Strings(w, "Cmd", spec.ContainerCommand);
                }
                if (o.NoHealthcheck || o.HealthCmd is not null || o.HealthInterval is not null || o.HealthTimeout is not null ||
                    o.HealthStartPeriod is not null || o.HealthRetries is not null)
                {
                    w.WriteStartObject("Healthcheck");
                    if (o.NoHealthcheck)
                    {
                        Strings(w, "Test", new[] { "NONE" });
                    }
                    else if (o.HealthCmd is not null)
                    {
                        Strings(w, "Test", new[] { "CMD-SHELL", o.HealthCmd });
                    }
                    Opt(w, "Interval", o.HealthInterval);
                    Opt(w, "Timeout", o.HealthTimeout);
                    Opt(w, "StartPeriod", o.HealthStartPeriod);
                    if (o.HealthRetries is { } r)
                    {
                        w.WriteNumber("Retries", r);
                    }
                    w.WriteEndObject();
                }
                w.WriteString("Image", spec.Image);
                if (o.Volumes.Count > 0)
                {
                    w.WriteStartObject("Volumes");
                    foreach (var v in o.Volumes.Distinct())
                    {
                        w.WriteStartObject(v);
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                }
                Opt(w, "WorkingDir", o.WorkingDir);
                if (o.Entrypoint is not null)
                {
                    Strings(w, "Entrypoint", o.Entrypoint);
                }
                // The spec's labels, then --label flags (a later value wins, as on the CLI's command line).
                w.WriteStartObject("Labels");
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var kv in spec.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    labels[kv.Key] = kv.Value;
                }
                foreach (var kv in o.Labels)
                {
                    labels[kv.Key] = kv.Value;
                }
                foreach (var kv in labels)
                {
                    w.WriteString(kv.Key, kv.Value);
                }
                w.WriteEndObject();
                Opt(w, "StopSignal", o.StopSignal);
                if (o.StopTimeout is { } st)
                {
                    w.WriteNumber("StopTimeout", st);
                }

                w.WriteStartObject("HostConfig");
                var init = o.Init ?? (spec.Init ? true : null);
                if (init is { } i)
                {
                    w.WriteBoolean("Init", i);
                }
                if (o.Binds.Count > 0)
                {
                    Strings(w, "Binds", o.Binds);
                }
                Opt(w, "NetworkMode", o.NetworkMode);
                if (o.PortBindings.Count > 0)
                {
                    w.WriteStartObject("PortBindings");
                    foreach (var kv in o.PortBindings)
                    {
                        w.WriteStartArray(kv.Key);
                        foreach (var (ip, port) in kv.Value)
                        {
                            w.WriteStartObject();
                            w.WriteString("HostIp", ip);
                            w.WriteString("HostPort", port);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                if (o.RestartPolicy is { } rp)
                {
                    w.WriteStartObject("RestartPolicy");
                    w.WriteString("Name", rp.Name);
                    w.WriteNumber("MaximumRetryCount", rp.MaximumRetryCount);
                    w.WriteEndObject();
                }
                if (o.CapAdd.Count > 0)
                {
                    Strings(w, "CapAdd", o.CapAdd);
                }
                if (o.CapDrop.Count > 0)
                {
                    Strings(w, "CapDrop", o.CapDrop);
                }
                if (o.Dns.Count > 0)
                {
                    Strings(w, "Dns", o.Dns);
                }
                if (o.ExtraHosts.Count > 0)
                {
                    Strings(w, "ExtraHosts", o.ExtraHosts);
                }
                Opt(w, "IpcMode", o.IpcMode);
                Opt(w, "PidMode", o.PidMode);
                if (o.Privileged is { } priv)
                {
                    w.WriteBoolean("Privileged", priv);
                }
                if (o.ReadonlyRootfs is { } ro)
                {
                    w.WriteBoolean("ReadonlyRootfs", ro);
                }
                Opt(w, "ShmSize", o.ShmSize);
                if (o.Tmpfs.Count > 0)
                {
                    Map(w, "Tmpfs", o.Tmpfs);
                }
                if (o.Sysctls.Count > 0)
                {
                    Map(w, "Sysctls", o.Sysctls);
                }
                if (o.LogDriver is not null || o.LogOptions.Count > 0)
                {
                    w.WriteStartObject("LogConfig");
                    w.WriteString("Type", o.LogDriver ?? "");
                    Map(w, "Config", o.LogOptions);
                    w.WriteEndObject();
                }
                Opt(w, "Memory", o.Memory);
                Opt(w, "MemorySwap", o.MemorySwap);
                Opt(w, "NanoCpus", o.NanoCpus);
                Opt(w, "CpuShares", o.CpuShares);
                Opt(w, "PidsLimit", o.PidsLimit);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            return stream.ToArray();
        }

        // ---- flag values --------------------------------------------------------------------------

        private static bool Publish(CreateOptions o, string v)
        {
            // [ip:][hostPort:]containerPort[/proto]; ip may be [v6]. Ranges are left to the CLI.
            var proto = "tcp";
            var slash = v.LastIndexOf('/');
            if (slash >= 0)
            {
                proto = v.Substring(slash + 1).ToLowerInvariant();
                v = v.Substring(0, slash);
                if (proto != "tcp" && proto != "udp" && proto != "sctp")
                {
                    return false;
                }
            }
            string ip = "", rest = v;
            if (v.StartsWith("[", StringComparison.Ordinal))
            {
                var close = v.IndexOf("]:", StringComparison.Ordinal);
                if (close < 0)
                {
                    return false;
                }
                ip = v.Substring(1, close - 1);
                rest = v.Substring(close + 2);
            }
            var parts = rest.Split(':');
            string hostPort, containerPort;
            if (ip.Length > 0)
            {
                if (parts.Length != 2)
                {
                    return false;
                }
                (hostPort, containerPort) = (parts[0], parts[1]);
            }
            else
            {
                switch (parts.Length)
                {
                    case 1:
                        (hostPort, containerPort) = ("", parts[0]);
                        break;
                    case 2:
                        (hostPort, containerPort) = (parts[0], parts[1]);
                        break;
                    case 3:
                        (ip, hostPort, containerPort) = (parts[0], parts[1], parts[2]);
                        break;
                    default:
                        return false;
                }
            }
            if (!IsPort(containerPort) || (hostPort.Length > 0 && !IsPort(hostPort)))
            {
                return false;
            }
            if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _))
            {
                return false;
            }
            var key = int.Parse(containerPort, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "/" + proto;
            if (!o.PortBindings.TryGetValue(key, out var list))
            {
                o.PortBindings[key] = list = new List<(string, string)>();
            }
            list.Add((ip, hostPort.Length == 0 ? "" : int.Parse(hostPort, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)));
            return true;
        }

        private static bool Port(string v, out string port)
        {
            port = "";
            var proto = "tcp";
            var slash = v.LastIndexOf('/');
            if (slash >= 0)
            {
                proto = v.Substring(slash + 1).ToLowerInvariant();
                v = v.Substring(0, slash);
            }
            if (!IsPort(v) || (proto != "tcp" && proto != "udp" && proto != "sctp"))
            {
                return false;
            }
            port = int.Parse(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "/" + proto;
            return true;
        }

        private static bool IsPort(string s) =>
            s.Length > 0 && s.Length <= 5 && s.All(c => c >= '0' && c <= '9') && int.Parse(s, CultureInfo.InvariantCulture) is > 0 and <= 65535;

        private static bool Volume(CreateOptions o, string v)
        {
            if (v.Length == 0)
            {
                return false;
            }
            // A path relative to the caller's folder, or a Windows drive path: the CLI resolves those.
            if (v.StartsWith(".", StringComparison.Ordinal) || v.StartsWith("~", StringComparison.Ordinal) || Regex.IsMatch(v, @"^[A-Za-z]:[\\/]") || v.IndexOf('\\') >= 0)
            {
                return false;
            }
            if (v.IndexOf(':') < 0)
            {
                o.Volumes.Add(v); // anonymous volume
            }
            else
            {
                o.Binds.Add(v); // host path or named volume, with its options: the engine reads them
            }
            return true;
        }

        private static bool Restart(CreateOptions o, string v)
        {
            var colon = v.IndexOf(':');
            var name = colon < 0 ? v : v.Substring(0, colon);
            var count = 0;
            if (colon >= 0 && (name != "on-failure" || !int.TryParse(v.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count)))
            {
                return false;
            }
            if (name is not ("no" or "always" or "unless-stopped" or "on-failure"))
            {
                return false;
            }
            o.RestartPolicy = (name, count);
            return true;
        }

        private static bool Env(CreateOptions o, string v)
        {
            if (v.Length == 0 || v.StartsWith("=", StringComparison.Ordinal))
            {
                return false;
            }
            if (v.IndexOf('=') > 0)
            {
                o.Env.Add(v);
                return true;
            }
            // -e NAME takes the value from the caller's environment; unset: not passed (as the CLI does).
            var value = Environment.GetEnvironmentVariable(v);
            if (value is not null)
            {
                o.Env.Add(v + "=" + value);
            }
            return true;
        }

        private static readonly Regex RamPattern = new(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$", RegexOptions.Compiled);

        /// <summary>docker's RAMInBytes: 512m, 1.5g, 1024 (binary units, an optional b).</summary>
        internal static long? Bytes(string v)
        {
            var m = RamPattern.Match(v);
            if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var size))
            {
                return null;
            }
            var unit = m.Groups[2].Success ? char.ToLowerInvariant(m.Groups[2].Value[0]) : ' ';
            var multiplier = unit switch
            {
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                't' => 1L << 40,
                'p' => 1L << 50,
                _ => 1L,
            };
            return (long)(size * multiplier);
        }

        /// <summary>--cpus 1.5 → 1500000000 nano-CPUs; more precise than that is the CLI's error to give.</summary>
        internal static long? NanoCpus(string v)
        {
            if (!decimal.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus))
            {
                return null;
            }
            var nano = cpus * 1_000_000_000m;
            return nano == decimal.Truncate(nano) ? (long)nano : null;
        }

        private static readonly Regex DurationPart = new(@"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", RegexOptions.Compiled);

        /// <summary>A Go duration (30s, 1m30s, 500ms) in nanoseconds.</summary>
        internal static long? Duration(string v)
        {
            if (v == "0")
            {
                return 0;
            }
            var pos = 0;
            double total = 0;
            foreach (Match m in DurationPart.Matches(v))
            {
                if (m.Index != pos)
                {
                    return null;
                }
                pos += m.Length;
                var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                total += n * m.Groups[2].Value switch
                {
                    "ns" => 1d,
                    "us" or "µs" => 1e3,
                    "ms" => 1e6,
                    "s" => 1e9,
                    "m" => 60e9,
                    _ => 3600e9,
                };
            }
            return pos == v.Length && pos > 0 ? (long)total : null;
        }

        private static long? Int64(string v) => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

        private static int? Int32(string v) => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

        private static bool? ParseBool(string v) => v switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => null,
        };

        private static bool Set<T>(T? value, Action<T> set) where T : struct
        {
            if (value is null)
            {
                return false;
            }
            set(value.Value);
            return true;
        }

        private static bool Text(string v, Action<string> set)
        {
            set(v);
            return true;
        }

        private static bool Add(List<string> list, string v)
        {
            if (v.Length == 0)
            {
                return false;
            }
            list.Add(v);
            return true;
        }

        private static void Value(string name, char? shorthand, Func<CreateOptions, string, bool> apply)
        {
            var flag = new Flag(false, apply);
            Long[name] = flag;
            if (shorthand is { } c)
            {
                Short[c] = flag;
            }
        }

        private static void Bool(string name, char? shorthand, Action<CreateOptions, bool> apply)
        {
            var flag = new Flag(true, (o, v) =>
            {
                if (ParseBool(v) is not { } b)
                {
                    return false;
                }
                apply(o, b);
                return true;
            });
            Long[name] = flag;
            if (shorthand is { } c)
            {
                Short[c] = flag;
            }
        }

        private static void Opt(Utf8JsonWriter w, string name, string? value)
        {
            if (value is not null)
            {
                w.WriteString(name, value);
            }
        }

        private static void Opt(Utf8JsonWriter w, string name, long? value)
        {
            if (value is { } v)
            {
                w.WriteNumber(name, v);
            }
        }

        private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }
            w.WriteEndArray();
        }

        private static void Map(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
        {
            w.WriteStartObject(name);
            foreach (var kv in map)
            {
                w.WriteString(kv.Key, kv.Value);
            }
            w.WriteEndObject();
        }
    }
}
