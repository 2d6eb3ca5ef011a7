using System;
using System.Globalization;
using System.Text.Json;

namespace DockerVm.Engine
{
    /// <summary>Reading the engine's JSON (inspect, listings): a field of the wanted kind, or a neutral value.</summary>
    internal static class JsonFields
    {
        public static JsonElement? Obj(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

        public static string Str(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

        public static bool Bool(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

        public static long Num(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

        /// <summary>An RFC 3339 time as UTC; null when absent, unreadable, or docker's "never" (0001-01-01).</summary>
        public static DateTime? Time(string? s) =>
            !string.IsNullOrEmpty(s) && !s!.StartsWith("0001-01-01", StringComparison.Ordinal) &&
            DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? t : null;

        public static DateTime? Time(JsonElement e, string name) => Time(Str(e, name));
    }
}
