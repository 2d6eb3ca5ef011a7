using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using static DockerVm.Engine.JsonFields;

namespace DockerVm.Engine
{
    /// <summary>What DockerVm reads of a local image (`docker image inspect`, or the API's image list).</summary>
    public sealed class ImageInfo
    {
        /// <summary>The full id, sha256:...</summary>
        public string Id { get; init; } = "";
        /// <summary>Its repository:tag references (empty for a dangling image).</summary>
        public IReadOnlyList<string> RepoTags { get; init; } = Array.Empty<string>();
        public DateTime? Created { get; init; }
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
        public long Size { get; init; }

        /// <summary>Parses the JSON array `docker image inspect` prints.</summary>
        public static IReadOnlyList<ImageInfo> ParseArray(string json) => JsonFields.ParseArray(json, Parse, "docker image inspect");

        private static ImageInfo Parse(JsonElement e)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (e.TryGetProperty("Config", out var config) && config.ValueKind == JsonValueKind.Object &&
                config.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in l.EnumerateObject())
                {
                    labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.ToString();
                }
            }
            var tags = new List<string>();
            if (e.TryGetProperty("RepoTags", out var t) && t.ValueKind == JsonValueKind.Array)
            {
                tags.AddRange(t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString() ?? "").Where(x => x.Length > 0));
            }
            return new ImageInfo
            {
                Id = Str(e, "Id"),
                RepoTags = tags,
                Created = Time(Str(e, "Created")),
                Labels = labels,
                Size = e.TryGetProperty("Size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : 0,
            };
        }


    }
}
