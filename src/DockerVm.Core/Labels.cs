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
                throw new DockerVmException(DockerVmErrorKind.InvalidName,
                    $"'{name}' is not a valid VM name: docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters, starting with a letter or digit).",
                    name)
                {
                    RecommendedAction = "Choose a name of letters, digits, '_', '.' and '-', starting with a letter or digit.",
                };
            }
        }

        /// <summary>A fresh default name: dockervm- and 8 hex digits.</summary>
        public static string NewDefault() => "dockervm-" + Guid.NewGuid().ToString("N").Substring(0, 8);
    }
}
