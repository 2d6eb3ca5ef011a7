using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockerVm
{
    /// <summary>The dockervm.* labels that mark a managed container and record its options.</summary>
    public static class Labels
    {
        public const string Managed = "dockervm.managed";
        public const string Image = "dockervm.image";
        public const string StopTimeout = "dockervm.stop-timeout";
        public const string Command = "dockervm.command";
        public const string PollingInterval = "dockervm.polling-interval";
        public const string CreateToken = "dockervm.create-token";
        /// <summary>Who created the VM (<see cref="DockerVm.Creator"/>).</summary>
        public const string CreatedBy = "dockervm.created-by";
        /// <summary>Marks a VM removed when the session that created it ends (or found by Get-DockerVm -Orphaned).</summary>
        public const string Ephemeral = "dockervm.ephemeral";

        /// <summary>The labels DockerVm writes itself: a user may not set them.</summary>
        public static IReadOnlyCollection<string> Reserved { get; } = new[] { Managed, Image, StopTimeout, Command, PollingInterval, CreateToken, CreatedBy, Ephemeral };

        /// <summary>
        /// Whether <paramref name="key"/> is one of DockerVm's own records (the reserved labels, the pool
        /// labels): -WhatIf shows them, -Verbose and error messages leave them out (<see cref="Engine.TraceView"/>).
        /// </summary>
        public static bool IsOwn(string key) =>
            Reserved.Contains(key) || key == Pools.PoolNames.PoolLabel || key.StartsWith(Pools.PoolNames.PoolLabel + ".", StringComparison.Ordinal);

        /// <summary>The `docker ps` filter that selects managed containers.</summary>
        public const string ManagedFilter = Managed + "=true";

        /// <summary>The labels a VM's container is created with: the user's, then DockerVm's own, which record its options.</summary>
        public static IReadOnlyDictionary<string, string> For(string image, VmOptions options, string createToken)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in options.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            labels[Managed] = "true";
            labels[Image] = image;
            labels[StopTimeout] = options.StopTimeoutSec.ToString(CultureInfo.InvariantCulture);
            labels[PollingInterval] = options.PollingIntervalMs.ToString(CultureInfo.InvariantCulture);
            labels[Command] = EncodeCommand(options.ContainerCommand);
            labels[CreateToken] = createToken;
            labels[CreatedBy] = Creator.Current.ToString();
            if (options.Ephemeral)
            {
                labels[Ephemeral] = "true";
            }
            return labels;
        }

        /// <summary>The image and options a managed container was created with, read back from its labels.</summary>
        public static (string Image, VmOptions Options) Read(Engine.ContainerInfo info)
        {
            var labels = info.Labels;
            var options = new VmOptions
            {
                StopTimeoutSec = Int(labels, StopTimeout) ?? VmOptions.DefaultStopTimeoutSec,
                PollingIntervalMs = Int(labels, PollingInterval) ?? VmOptions.DefaultPollingIntervalMs,
                ContainerCommand = DecodeCommand(labels.TryGetValue(Command, out var c) ? c : null) ?? info.Command.ToArray(),
                Labels = labels.Where(kv => !kv.Key.StartsWith("dockervm.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value),
                CreatedBy = Creator.Parse(labels.TryGetValue(CreatedBy, out var by) ? by : null),
                Ephemeral = labels.TryGetValue(Ephemeral, out var e) && e == "true",
            };
            var image = labels.TryGetValue(Image, out var i) && i.Length > 0 ? i : info.Image;
            return (image, options);
        }

        public static string EncodeCommand(IEnumerable<string> command) => JsonSerializer.Serialize(command.ToArray());

        public static string[]? DecodeCommand(string? json)
        {
            if (string.IsNullOrEmpty(json))
            {
                return null;
            }
            try
            {
                return JsonSerializer.Deserialize<string[]>(json!);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public static int? Int(IReadOnlyDictionary<string, string> labels, string key) =>
            labels.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>What New-DockerVm and Invoke-DockerVmExec accept, checked before any engine call.</summary>
    public static class InputRules
    {
        // [ip:][hostPort[-end]:]containerPort[-end][/proto]; an IPv6 ip in brackets.
        private static readonly Regex PortSyntax = new(
            @"\A((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?((\d{1,5}(-\d{1,5})?)?:)?\d{1,5}(-\d{1,5})?(/(tcp|udp|sctp))?\z", RegexOptions.Compiled);

        // What docker takes as a variable name (an env file's rule): not empty, no '=', no white space, no NUL.
        // Names a shell cannot read (spring.profiles.active, 1X) are still environment variables: programs read them.
        private static readonly Regex EnvironmentName = new(@"\A[^=\s\0]+\z", RegexOptions.Compiled);

        /// <summary>Whether <paramref name="key"/> can name an environment variable: not empty, no '=', white space or NUL.</summary>
        public static bool IsEnvironmentName(string? key) => key is not null && EnvironmentName.IsMatch(key);

        /// <summary>Refuses an -Environment key that is not a variable name (an empty one, a space, '=', a NUL ...).</summary>
        public static void CheckEnvironment(IEnumerable<string> keys, string? vmName)
        {
            if (keys.FirstOrDefault(k => !IsEnvironmentName(k)) is { } bad)
            {
                throw Failures.InvalidEnvironmentKey(bad, vmName);
            }
        }

        /// <summary>Refuses a NUL character anywhere in <paramref name="values"/>.</summary>
        public static void NoNul(string parameter, string? vmName, IEnumerable<string?> values)
        {
            if (values.Any(v => v is not null && v.IndexOf('\0') >= 0))
            {
                throw Failures.NulCharacter(parameter, vmName);
            }
        }

        /// <summary>An exec request: no NUL anywhere.</summary>
        public static void CheckExec(string vmName, Engine.ExecSpec spec)
        {
            NoNul("Command", vmName, new[] { spec.Command });
            NoNul("ArgumentList", vmName, spec.Arguments);
            CheckEnvironment(spec.Environment.Keys, vmName);
            NoNul("Environment", vmName, spec.Environment.Values);
            NoNul("WorkingDirectory", vmName, new[] { spec.WorkingDirectory, spec.User });
        }

        /// <summary>The create request of a VM: image, options, and create arguments that keep the VM a DockerVm VM.</summary>
        /// <summary>
        /// A pool's options: every VM of a pool is made alike and several live at once (waiting, taken, a
        /// replacement), so a fixed host port (8080:80) would let only one of them start.
        /// </summary>
        public static void CheckPool(string pool, VmOptions options)
        {
            if (options.Ports.FirstOrDefault(p => HostPort(p).Length > 0) is { } fixedPort)
            {
                throw Failures.InvalidOption("Port", fixedPort,
                    "a pool's VMs each need a host port of their own: give the container port alone (80, 53/udp) or an address without a host port (127.0.0.1::80), and each VM gets a free host port", pool);
            }
        }

        /// <summary>The host port of a -Port entry as docker reads it ([ip:]hostPort:containerPort); "" when it has none.</summary>
        internal static string HostPort(string port)
        {
            var p = port.Split('/')[0];
            if (p.StartsWith("[", StringComparison.Ordinal) && p.IndexOf("]:", StringComparison.Ordinal) is var end && end > 0)
            {
                p = "ip:" + p.Substring(end + 2); // an IPv6 address holds colons of its own
            }
            var parts = p.Split(':');
            return parts.Length switch { 2 => parts[0], 3 => parts[1], _ => "" };
        }

        public static void CheckCreate(string name, string image, VmOptions options)
        {
            NoNul("Image", name, new[] { image });
            if (image.StartsWith("-", StringComparison.Ordinal))
            {
                throw Failures.InvalidImage(image, name);
            }
            NoNul("ContainerCommand", name, options.ContainerCommand);
            NoNul("Port", name, options.Ports);
            NoNul("Volume", name, options.Volumes);
            NoNul("Network", name, new[] { options.Network });
            if (options.Ports.FirstOrDefault(p => !PortSyntax.IsMatch(p)) is { } port)
            {
                throw Failures.InvalidOption("Port", port, "docker -p syntax: 8080:80, 80 (any free host port), 127.0.0.1:8080:80, 53/udp", name);
            }
            if (options.Volumes.FirstOrDefault(v => v.Trim().Length == 0 || v.StartsWith("-", StringComparison.Ordinal)) is { } volume)
            {
                throw Failures.InvalidOption("Volume", volume, "docker -v syntax: /host/path:/path[:ro], volume-name:/path, or /path", name);
            }
            NoNul("CreateArgument", name, options.CreateArguments);
            CheckEnvironment(options.Environment.Keys, name);
            NoNul("Environment", name, options.Environment.Values);
            NoNul("Label", name, options.Labels.Keys.Concat(options.Labels.Values));
            if (options.Labels.Keys.FirstOrDefault(Labels.Reserved.Contains) is { } own)
            {
                throw Failures.ForbiddenCreateArgument("-Label " + own, "that label is DockerVm's own record of the VM.", name);
            }
            var args = options.CreateArguments;
            for (var i = 0; i < args.Count; i++)
            {
                var a = args[i];
                var flag = a.Split('=')[0];
                if (flag == "--rm")
                {
                    throw Failures.ForbiddenCreateArgument(a, "a VM must outlive its stop (--rm would make it vanish while DockerVm says Stopped).", name);
                }
                if (flag == "--name")
                {
                    throw Failures.ForbiddenCreateArgument(a, "the VM's name is -Name.", name);
                }
                if (flag is "--label" or "-l")
                {
                    var value = a.Contains("=") && a.StartsWith("--label=", StringComparison.Ordinal) ? a.Substring("--label=".Length) : i + 1 < args.Count ? args[i + 1] : "";
                    if (Labels.Reserved.Contains(value.Split('=')[0]))
                    {
                        throw Failures.ForbiddenCreateArgument(a + " " + value, "that label is DockerVm's own record of the VM.", name);
                    }
                }
                if (flag == "--label-file")
                {
                    throw Failures.ForbiddenCreateArgument(a, "labels go in -Label, where DockerVm can check them.", name);
                }
            }
        }
    }

    /// <summary>Docker's rule for container names, checked before any engine call.</summary>
    public static class VmName
    {
        private static readonly Regex Valid = new(@"\A[a-zA-Z0-9][a-zA-Z0-9_.-]+\z", RegexOptions.Compiled);

        public static bool IsValid(string? name) => name is not null && Valid.IsMatch(name);

        public static void Validate(string? name)
        {
            if (!IsValid(name))
            {
                throw Failures.InvalidName(name);
            }
        }

        /// <summary>A fresh default name: dockervm- and 8 hex digits.</summary>
        public static string NewDefault() => "dockervm-" + Guid.NewGuid().ToString("N").Substring(0, 8);
    }
}
