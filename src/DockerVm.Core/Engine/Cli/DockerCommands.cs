using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DockerVm.Engine
{
    /// <summary>
    /// The argv of every docker command the CLI transport issues, and nothing else: requests in,
    /// argument lists out. The same argv is run, and shown (masked) in -WhatIf and -Verbose.
    /// </summary>
    public static class DockerCommands
    {
        /// <summary>The variable that tags an exec's process, so a cancelled exec can be ended inside the container.</summary>
        public const string ExecMarkerVariable = "DOCKERVM_EXEC_ID";

        public static CliArguments Begin(string? context, string subcommand)
        {
            var args = new CliArguments();
            if (!string.IsNullOrEmpty(context))
            {
                args.Add("--context").Add(context!);
            }
            return args.Add(subcommand);
        }

        /// <summary>The argv of a change request.</summary>
        public static CliArguments For(string? context, EngineRequest request) => request switch
        {
            CreateRequest c => Create(context, c.Spec, null),
            StartRequest s => Begin(context, "start").Add(s.Target),
            StopRequest s => Begin(context, "stop").Add("--timeout").Add(s.GraceSec.ToString(CultureInfo.InvariantCulture)).Add(s.Target),
            PauseRequest p => Begin(context, "pause").Add(p.Target),
            UnpauseRequest u => Begin(context, "unpause").Add(u.Target),
            RemoveRequest r => r.Force ? Begin(context, "rm").Add("--force").Add(r.Target) : Begin(context, "rm").Add(r.Target),
            CopyRequest c => Copy(context, c.Target, c.Spec),
            CommitRequest c => Commit(context, c.Target, c.Spec),
            RemoveImageRequest r => Begin(context, "rmi").Add(r.Target),
            RenameRequest r => Begin(context, "rename").Add(r.Target).Add(r.NewName),
            _ => throw new System.ArgumentOutOfRangeException(nameof(request), request.GetType().Name),
        };

        /// <summary>docker create; the environment is kept off the command line by <paramref name="secrets"/> when given.</summary>
        internal static CliArguments Create(string? context, CreateSpec spec, SecretEnvironment? secrets)
        {
            var args = Begin(context, "create");
            if (spec.Init)
            {
                args.Add("--init");
            }
            // `--` ends the options: an image is never read as a flag.
            args.Add("--name").Add(spec.Name).Add(TypedOptions(spec));
            return args
                .AddPairs("--label", spec.Labels, secret: false)
                .AddEnvironment(spec.Environment, secrets)
                .Add(spec.CreateArguments)
                .Add("--")
                .Add(spec.Image)
                .Add(spec.ContainerCommand);
        }

        /// <summary>The create spec's first-class options (ports, mounts, limits, network) as docker create flags.</summary>
        public static IReadOnlyList<string> TypedOptions(CreateSpec spec)
        {
            var flags = new List<string>();
            foreach (var p in spec.Ports)
            {
                flags.Add("--publish");
                flags.Add(p);
            }
            foreach (var v in spec.Volumes)
            {
                flags.Add("--volume");
                flags.Add(v);
            }
            if (spec.MemoryBytes > 0)
            {
                flags.Add("--memory");
                flags.Add(spec.MemoryBytes.ToString(CultureInfo.InvariantCulture));
            }
            if (spec.Cpus > 0)
            {
                flags.Add("--cpus");
                flags.Add(spec.Cpus.ToString("0.###", CultureInfo.InvariantCulture));
            }
            if (spec.Network.Length > 0)
            {
                flags.Add("--network");
                flags.Add(spec.Network);
            }
            return flags;
        }

        public static CliArguments Inspect(string? context, IReadOnlyList<string> targets) =>
            Begin(context, "inspect").Add("--type").Add("container").Add(targets);

        public static CliArguments ListIds(string? context, IReadOnlyList<string> labelFilters)
        {
            var args = Begin(context, "ps").Add("--all").Add("--quiet").Add("--no-trunc");
            foreach (var f in labelFilters)
            {
                args.Add("--filter").Add("label=" + f);
            }
            return args;
        }

        public static CliArguments Logs(string? context, string target, int tail) =>
            Begin(context, "logs").Add("--tail").Add(tail.ToString(CultureInfo.InvariantCulture)).Add(target);

        /// <summary>
        /// docker logs --timestamps, always: each line comes back dated, and a line without a date on
        /// stderr is docker's own word, not the container's.
        /// </summary>
        public static CliArguments Logs(string? context, string target, LogRequest request)
        {
            var args = Begin(context, "logs").Add("--timestamps");
            if (request.Follow)
            {
                args.Add("--follow");
            }
            if (request.Since is { } since)
            {
                args.Add("--since").Add(LogLines.FormatSince(since));
            }
            if (request.Tail is { } tail)
            {
                args.Add("--tail").Add(System.Math.Max(0, tail).ToString(CultureInfo.InvariantCulture));
            }
            return args.Add(target);
        }

        /// <summary>
        /// docker exec; <paramref name="marker"/> tags the process so a cancelled exec can be ended inside the
        /// container; <paramref name="command"/> is what runs (the exec wrapper around the command, see
        /// <see cref="ExecRoot"/>), shown as the command itself. Null: the command as given.
        /// </summary>
        internal static CliArguments Exec(string? context, string target, ExecSpec spec, string? marker, SecretEnvironment? secrets, IReadOnlyList<string>? command = null)
        {
            var args = Begin(context, "exec");
            if (spec.StandardInput is not null)
            {
                args.Add("--interactive");
            }
            if (marker is not null)
            {
                args.AddPairs("--env", new[] { new KeyValuePair<string, string>(ExecMarkerVariable, marker) }, secret: false);
            }
            args.AddEnvironment(spec.Environment, secrets);
            if (!string.IsNullOrEmpty(spec.WorkingDirectory))
            {
                args.Add("--workdir").Add(spec.WorkingDirectory!);
            }
            if (!string.IsNullOrEmpty(spec.User))
            {
                args.Add("--user").Add(spec.User!);
            }
            var given = new[] { spec.Command }.Concat(spec.Arguments).ToList();
            return args.Add(target).AddShownAs(command ?? given, given);
        }

        /// <summary>docker exec --interactive --tty: a shell on the console.</summary>
        public static CliArguments Interactive(string? context, string target, ExecSpec spec)
        {
            var args = Begin(context, "exec").Add("--interactive").Add("--tty");
            if (!string.IsNullOrEmpty(spec.WorkingDirectory))
            {
                args.Add("--workdir").Add(spec.WorkingDirectory!);
            }
            if (!string.IsNullOrEmpty(spec.User))
            {
                args.Add("--user").Add(spec.User!);
            }
            return args.Add(target).Add(spec.Command).Add(spec.Arguments);
        }

        /// <summary>docker cp: the container's side is TARGET:PATH, the host's an absolute path (never read as TARGET:PATH).</summary>
        public static CliArguments Copy(string? context, string target, CopySpec spec)
        {
            var inContainer = target + ":" + spec.ContainerPath;
            return spec.Direction == CopyDirection.ToContainer
                ? Begin(context, "cp").Add(spec.HostPath).Add(inContainer)
                : Begin(context, "cp").Add(inContainer).Add(spec.HostPath);
        }

        /// <summary>docker commit; the labels go in one LABEL instruction (--change), each value quoted for it.</summary>
        public static CliArguments Commit(string? context, string target, CommitSpec spec)
        {
            var args = Begin(context, "commit");
            if (!spec.Pause)
            {
                args.Add("--pause=false");
            }
            if (CommitChange(spec) is { } change)
            {
                args.Add("--change").Add(change);
            }
            return args.Add(target).Add(spec.Reference);
        }

        /// <summary>The one LABEL instruction a commit applies (null: none), as the CLI's --change and the API's changes= take it.</summary>
        public static string? CommitChange(CommitSpec spec) =>
            spec.Labels.Count == 0
                ? null
                : "LABEL " + string.Join(" ", spec.Labels.OrderBy(kv => kv.Key, System.StringComparer.Ordinal).Select(kv => LabelWord(kv.Key) + "=" + LabelWord(kv.Value)));

        // A Dockerfile word in double quotes: \, \" and \$ escaped (LABEL would expand $VARIABLES of the
        // container's environment). No value holds a line break: the Core's checkpoint names refuse control characters.
        private static string LabelWord(string value) =>
            "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$") + "\"";

        /// <summary>The full ids of the images (not intermediate layers) carrying every label.</summary>
        public static CliArguments ListImageIds(string? context, IReadOnlyList<string> labelFilters)
        {
            var args = Begin(context, "images").Add("--quiet").Add("--no-trunc");
            foreach (var f in labelFilters)
            {
                args.Add("--filter").Add("label=" + f);
            }
            return args;
        }

        public static CliArguments InspectImages(string? context, IReadOnlyList<string> ids) =>
            Begin(context, "image").Add("inspect").Add(ids);

        /// <summary>Ends, inside the container and as root, every process an exec started (<see cref="ExecRoot.KillCommand"/>).</summary>
        internal static CliArguments KillExec(string? context, string target, ExecRoot root) =>
            Begin(context, "exec").Add("--user").Add("0").Add(target).Add(root.KillCommand());
    }
}
