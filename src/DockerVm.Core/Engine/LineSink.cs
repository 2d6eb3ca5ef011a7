using System;
using System.Text;

namespace DockerVm.Engine
{
    /// <summary>
    /// One output stream: its exact text (all of it, or the last <c>keep</c> characters) and its
    /// lines handed to a callback as they complete. UTF-8 is decoded across read boundaries; lines
    /// end as StreamReader.ReadLine sees them (\n, \r, or \r\n), or only at \n when a \r does not end
    /// a line. Used by the process runner (the CLI) and by the Engine API's stream demultiplexer.
    /// </summary>
    internal sealed class LineSink
    {
        private static readonly UTF8Encoding Utf8 = new(false);
        private readonly Decoder _decoder = Utf8.GetDecoder();
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _line = new();
        private readonly Action<string>? _onLine;
        private char[] _chars = new char[0];
        private bool _pendingCr;

        private readonly int? _keep;
        private readonly bool _crEndsLine;

        // The preamble: a first line that is ours, not the stream's (the exec wrapper's root pid).
        private string? _preamble;
        private Action<string>? _onPreamble;
        private StringBuilder? _head;

        /// <param name="onLine">Each complete line (null: not streamed).</param>
        /// <param name="keep">How much text to keep: null, all; n, the last n characters.</param>
        public LineSink(Action<string>? onLine, int? keep, bool crEndsLine = true)
        {
            _onLine = onLine;
            _keep = keep;
            _crEndsLine = crEndsLine;
        }

        public Action? Failed { get; set; }

        /// <summary>
        /// Takes the stream's first line out when it begins with <paramref name="prefix"/>: handed to
        /// <paramref name="onPreamble"/> (without its line end), neither kept nor streamed. Any other
        /// first line is the stream's own, untouched. Call before the first write.
        /// </summary>
        public void ExpectPreamble(string prefix, Action<string> onPreamble)
        {
            _preamble = prefix;
            _onPreamble = onPreamble;
            _head = new StringBuilder();
        }

        public Exception? Error { get; private set; }

        public string Text => _keep is { } keep && _text.Length > keep ? _text.ToString(_text.Length - keep, keep) : _text.ToString();

        public void Write(byte[] bytes, int count) => Write(bytes, 0, count);

        public void Write(byte[] bytes, int offset, int count)
        {
            var need = _decoder.GetCharCount(bytes, offset, count, flush: false);
            if (_chars.Length < need)
            {
                _chars = new char[Math.Max(need, 1024)];
            }
            var n = _decoder.GetChars(bytes, offset, count, _chars, 0, flush: false);
            Append(_chars, n);
        }

        public void Complete()
        {
            var need = _decoder.GetCharCount(new byte[0], 0, 0, flush: true);
            if (need > 0)
            {
                var tail = new char[need];
                var n = _decoder.GetChars(new byte[0], 0, 0, tail, 0, flush: true);
                Append(tail, n);
            }
            ReleaseHead();
            if (_line.Length > 0)
            {
                Emit();
            }
        }

        private void Append(char[] chars, int count)
        {
            if (_head is null)
            {
                AppendText(chars, 0, count);
                return;
            }
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
                if (c == '\n')
                {
                    var line = _head.ToString().TrimEnd('\r');
                    _head = null;
                    _onPreamble!(line);
                    AppendText(chars, i + 1, count - i - 1);
                    return;
                }
                _head.Append(c);
                var n = _head.Length;
                if (n > _preamble!.Length + 256 || (n <= _preamble.Length && _preamble[n - 1] != c))
                {
                    ReleaseHead(); // not ours: the stream's own first line
                    AppendText(chars, i + 1, count - i - 1);
                    return;
                }
            }
        }

        private void ReleaseHead()
        {
            if (_head is { } head)
            {
                _head = null;
                var held = head.ToString().ToCharArray();
                AppendText(held, 0, held.Length);
            }
        }

        private void AppendText(char[] chars, int offset, int count)
        {
            if (count <= 0)
            {
                return;
            }
            if (offset > 0)
            {
                var rest = new char[count];
                Array.Copy(chars, offset, rest, 0, count);
                chars = rest;
            }
            if (_keep != 0)
            {
                _text.Append(chars, 0, count);
                if (_keep is { } keep && _text.Length > 2 * keep + 4096)
                {
                    _text.Remove(0, _text.Length - keep); // amortised: the tail only
                }
            }
            if (_onLine is null)
            {
                return;
            }
            // Line ends as StreamReader.ReadLine sees them: \n, \r, or \r\n (or only \n, when a \r does not end a line).
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
                if (!_crEndsLine)
                {
                    if (c != '\n')
                    {
                        _line.Append(c);
                        continue;
                    }
                    if (_line.Length > 0 && _line[_line.Length - 1] == '\r')
                    {
                        _line.Length--;
                    }
                    Emit();
                    continue;
                }
                if (_pendingCr)
                {
                    _pendingCr = false;
                    if (c == '\n')
                    {
                        continue;
                    }
                }
                if (c == '\r')
                {
                    Emit();
                    _pendingCr = true;
                }
                else if (c == '\n')
                {
                    Emit();
                }
                else
                {
                    _line.Append(c);
                }
            }
        }

        private void Emit()
        {
            var line = _line.ToString();
            _line.Clear();
            if (_onLine is null || Error is not null)
            {
                return;
            }
            try
            {
                _onLine(line);
            }
            catch (Exception e)
            {
                // Stop calling back and end the process (as CliWrap does when a pipe target fails); the error is thrown at the end.
                Error = e;
                Failed?.Invoke();
            }
        }
    }
}
