using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CliWrap;

namespace DockerVm.Engine
{
    /// <summary>
    /// A pipe target that keeps the exact text of a stream and hands each complete line
    /// (without its line ending) to a callback as soon as it arrives.
    /// </summary>
    internal sealed class LineSplittingTarget : PipeTarget
    {
        private readonly StringBuilder _exact = new();
        private readonly StringBuilder _line = new();
        private readonly Action<string>? _onLine;

        public LineSplittingTarget(Action<string>? onLine) => _onLine = onLine;

        public string Text
        {
            get { lock (_exact) { return _exact.ToString(); } }
        }

        public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
        {
            using var reader = new StreamReader(origin, new UTF8Encoding(false), false, 16 * 1024, leaveOpen: true);
            var buffer = new char[16 * 1024];
            int n;
            while ((n = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                lock (_exact)
                {
                    _exact.Append(buffer, 0, n);
                }
                for (var i = 0; i < n; i++)
                {
                    var c = buffer[i];
                    if (c == '\n')
                    {
                        Flush();
                    }
                    else
                    {
                        _line.Append(c);
                    }
                }
            }
            if (_line.Length > 0)
            {
                Flush();
            }
        }

        private void Flush()
        {
            if (_line.Length > 0 && _line[_line.Length - 1] == '\r')
            {
                _line.Length--;
            }
            var line = _line.ToString();
            _line.Clear();
            _onLine?.Invoke(line);
        }
    }
}
