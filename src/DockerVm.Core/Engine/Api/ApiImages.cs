using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using static DockerVm.Engine.JsonFields;

namespace DockerVm.Engine
{
    /// <summary>Checkpoint images on the Engine API: commit, remove, list; the CLI transport's errors and ids.</summary>
    public sealed partial class DockerApi
    {
        /// <summary>POST /commit, with the same LABEL change as docker commit --change; the new image's id.</summary>
        public Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct) =>
            SendAsync(new Call("commit", "POST", CommitPath(target, spec), target, ChangeCeiling), async (r, t) =>
            {
                if (r.Status != 201 && r.Status != 200)
                {
                    throw Map("commit", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                return Str(doc.RootElement, "Id") is { Length: > 0 } id ? id : throw new FormatException("the answer has no image id");
            }, ct);

        internal static string CommitPath(string target, CommitSpec spec)
        {
            var path = "/commit?container=" + Esc(target) + "&repo=" + Esc(spec.Repository) + "&tag=" + Esc(spec.Tag) + "&pause=" + (spec.Pause ? "1" : "0");
            if (DockerCommands.CommitChange(spec) is { } change)
            {
                path += "&changes=" + Esc(change);
            }
            return path;
        }

        /// <summary>DELETE /images/{reference}: untags it (docker rmi); missing is CheckpointNotFound, in use is refused.</summary>
        public Task RemoveImageAsync(string reference, CancellationToken ct) =>
            SendAsync(new Call("rmi", "DELETE", "/images/" + EscPath(reference), reference, ChangeCeiling), async (r, t) =>
            {
                if (r.Status == 200 || r.Status == 204)
                {
                    await r.ReadAllAsync(t).ConfigureAwait(false);
                    return true;
                }
                var message = await MessageAsync(r, t).ConfigureAwait(false);
                if (CliErrors.IsImageInUse(message))
                {
                    throw Failures.ImageInUse(reference, Display(r), message);
                }
                throw Map("rmi", r, message, reference);
            }, ct);

        /// <summary>GET /images/json with the label filters: the images (not intermediate layers) with what DockerVm reads, in one request.</summary>
        public Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
        {
            var path = "/images/json";
            if (labelFilters.Count > 0)
            {
                path += "?filters=" + Uri.EscapeDataString(Encoding.UTF8.GetString(Json(w => Strings(w, "label", labelFilters))));
            }
            return SendAsync(new Call("images", "GET", path, null, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("images", r, await MessageAsync(r, t).ConfigureAwait(false), null);
                }
                return ParseImageList(await r.ReadStringAsync(t).ConfigureAwait(false));
            }, ct);
        }

        /// <summary>The image list's summaries as <see cref="ImageInfo"/> (Created there is seconds since the epoch; "&lt;none&gt;" tags left out).</summary>
        internal static IReadOnlyList<ImageInfo> ParseImageList(string json) => JsonFields.ParseArray(json, e =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Obj(e, "Labels") is { } l)
            {
                foreach (var p in l.EnumerateObject())
                {
                    labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.ToString();
                }
            }
            var tags = e.TryGetProperty("RepoTags", out var rt) && rt.ValueKind == JsonValueKind.Array
                ? rt.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString() ?? "")
                    .Where(x => x.Length > 0 && x.IndexOf("<none>", StringComparison.Ordinal) < 0).ToList()
                : new List<string>();
            var created = Num(e, "Created");
            return new ImageInfo
            {
                Id = Str(e, "Id"),
                RepoTags = tags,
                Created = created > 0 ? UnixEpoch.AddSeconds(created) : null,
                Labels = labels,
                Size = Num(e, "Size"),
            };
        }, "GET /images/json");

        /// <summary>A reference in a path: every character escaped but the '/' of a repository's name.</summary>
        private static string EscPath(string s) => string.Join("/", s.Split('/').Select(Uri.EscapeDataString));
    }
}
