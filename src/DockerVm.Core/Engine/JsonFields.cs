using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Text.Json;

namespace DockerVm.Engine
{
    /// <summary>Reading the engine's JSON (inspect, listings): a field of the wanted kind, or a neutral value.</summary>
    internal static class JsonFields
    {
        /// <summary>Each element of the JSON array a docker inspect command prints, parsed; empty for no output.</summary>
        public static IReadOnlyList<T> ParseArray<T>(string json, Func<JsonElement, T> parse, string command)
        {
            if (string.IsNullOrWhiteSpace(json))
            {
                return Array.Empty<T>();
            }
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{command} did not print a JSON array.");
            }
            return doc.RootElement.EnumerateArray().Select(parse).ToList();
        }

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
