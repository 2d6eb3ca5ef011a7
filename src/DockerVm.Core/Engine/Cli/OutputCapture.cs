using System;
using System.Text;
using CliWrap;

namespace DockerVm.Engine
{
    /// <summary>
    /// One output stream of a command: its exact text, and (when asked) each line handed to a
    /// callback as soon as it arrives. Built from CliWrap's own targets.
    /// </summary>
    internal sealed class OutputCapture
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);
        private readonly StringBuilder _text = new();

        public OutputCapture(Action<string>? onLine)
        {
            var exact = PipeTarget.ToStringBuilder(_text, Utf8);
            Target = onLine is null ? exact : PipeTarget.Merge(exact, PipeTarget.ToDelegate(onLine, Utf8));
        }

        public PipeTarget Target { get; }

        /// <summary>The exact text (read it after the command has finished).</summary>
        public string Text => _text.ToString();
    }
}
