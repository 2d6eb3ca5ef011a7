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
