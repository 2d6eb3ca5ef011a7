using System;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// Podman's Docker-compatible API (`podman system service`) answers as the Engine API does, but its
    /// container inspect passes libpod's own state words through (docs/podman.md). They are read here as
    /// the docker words that mean the same, so that everything above the transport sees one engine:
    /// <list type="bullet">
    /// <item><c>stopped</c>: the command has exited and podman's clean-up (or, under a restart policy, the
    /// next start) is still to come. Docker says <c>restarting</c> for a container its restart policy
    /// brings back, and <c>exited</c> otherwise.</item>
    /// <item><c>stopping</c>: a stop is under way; docker still says <c>running</c> then.</item>
    /// <item><c>State.Health</c> with an empty status on every container, healthcheck or not: docker leaves
    /// Health out of a container without one, and DockerVm reads its presence as "has a healthcheck".</item>
    /// </list>
    /// Docker never writes these words, so an answer from docker passes through untouched.
    /// </summary>
    internal static class PodmanCompat
    {
        /// <summary>
        /// The contract's error for an answer whose podman wording docker's rules (CliErrors) do not know; null:
        /// docker's rules apply. A create whose name is taken: podman answers 500 "... the container name "x" is
        /// already in use by &lt;id&gt;. ...: that name is already in use" (docker: 409 "... is already in use by container &lt;id&gt;").
        /// </summary>
        internal static DockerVmErrorKind? ErrorKind(string operation, string message) =>
            operation == "create" && message.IndexOf("that name is already in use", StringComparison.Ordinal) >= 0
                ? DockerVmErrorKind.NameConflict
                : null;

        /// <summary>One container's inspect object (GET /containers/{id}/json), with docker's state words.</summary>
        internal static string Inspect(string json)
        {
            if (json.IndexOf("\"stopped\"", StringComparison.Ordinal) < 0 && json.IndexOf("\"stopping\"", StringComparison.Ordinal) < 0 &&
                !EmptyHealth.IsMatch(json))
            {
                return json; // docker's answer (or podman's with nothing to change): not parsed twice
            }
            if (JsonNode.Parse(json) is not JsonObject container || container["State"] is not JsonObject state)
            {
                return json;
            }
            if (state["Health"] is JsonObject health && Text(health["Status"]) == "")
            {
                state.Remove("Health");
            }
            switch (Text(state["Status"]))
            {
                case "stopping":
                    state["Status"] = "running";
                    break;
                case "stopped" when WillRestart(container, state):
                    state["Status"] = "restarting";
                    state["Restarting"] = true;
                    break;
                case "stopped":
                    state["Status"] = "exited";
                    break;
            }
            return container.ToJsonString();
        }

        private static readonly Regex EmptyHealth = new("\"Health\"\\s*:\\s*\\{\\s*\"Status\"\\s*:\\s*\"\"", RegexOptions.CultureInvariant);

        /// <summary>True when the container's restart policy starts it again after this exit (as docker's restart manager decides).</summary>
        private static bool WillRestart(JsonObject container, JsonObject state)
        {
            var policy = (container["HostConfig"] as JsonObject)?["RestartPolicy"] as JsonObject;
            switch (Text(policy?["Name"]))
            {
                case "always":
                case "unless-stopped":
                    return true;
                case "on-failure":
                    var max = Int(policy?["MaximumRetryCount"]);
                    return Int(state["ExitCode"]) != 0 && (max <= 0 || Int(container["RestartCount"]) < max);
                default:
                    return false;
            }
        }

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        private static int Int(JsonNode? node) =>
            node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : 0;
    }
}
