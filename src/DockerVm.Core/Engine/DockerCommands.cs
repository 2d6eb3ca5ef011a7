using System.Collections.Generic;
using System.Globalization;

namespace DockerVm.Engine
{
    /// <summary>
    /// The argv of each docker command DockerVm issues. The CLI transport runs them; the cmdlets
    /// show them (masked) in -WhatIf and -Confirm messages.
    /// </summary>
    public static class DockerCommands
    {
        public static CliArguments Begin(string? context, string subcommand)
        {
            var args = new CliArguments();
            if (!string.IsNullOrEmpty(context))
            {
                args.Add("--context").Add(context!);
            }
            return args.Add(subcommand);
        }

        public static CliArguments Create(string? context, CreateSpec spec)
        {
            var args = Begin(context, "create");
            if (spec.Init)
            {
                args.Add("--init");
            }
            return args.Add("--name").Add(spec.Name)
                .AddPairs("--label", spec.Labels, secret: false)
                .AddPairs("--env", spec.Environment, secret: true)
                .Add(spec.CreateArguments)
                .Add(spec.Image)
                .Add(spec.ContainerCommand);
        }

        public static CliArguments Start(string? context, string name) => Begin(context, "start").Add(name);

        public static CliArguments Stop(string? context, string name, int timeoutSec) =>
            Begin(context, "stop").Add("--timeout").Add(timeoutSec.ToString(CultureInfo.InvariantCulture)).Add(name);

        public static CliArguments Pause(string? context, string name) => Begin(context, "pause").Add(name);

        public static CliArguments Unpause(string? context, string name) => Begin(context, "unpause").Add(name);

        public static CliArguments Remove(string? context, string name, bool force)
        {
            var args = Begin(context, "rm");
            if (force)
            {
                args.Add("--force");
            }
            return args.Add(name);
        }

        /// <summary>docker exec; <paramref name="marker"/> tags the process so a cancelled exec can be ended inside the container.</summary>
        public static CliArguments Exec(string? context, string name, ExecSpec spec, string? marker)
        {
            var args = Begin(context, "exec");
            if (spec.StandardInput is not null)
            {
                args.Add("--interactive");
            }
            if (marker is not null)
            {
                args.AddPairs("--env", new[] { new KeyValuePair<string, string>(DockerCli.ExecMarkerVariable, marker) }, secret: false);
            }
            args.AddPairs("--env", spec.Environment, secret: true);
            if (!string.IsNullOrEmpty(spec.WorkingDirectory))
            {
                args.Add("--workdir").Add(spec.WorkingDirectory!);
            }
            if (!string.IsNullOrEmpty(spec.User))
            {
                args.Add("--user").Add(spec.User!);
            }
            return args.Add(name).Add(spec.Command).Add(spec.Arguments);
        }
    }
}
