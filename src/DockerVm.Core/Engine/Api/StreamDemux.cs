using System;
using System.Text;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// Splits the engine's multiplexed stream (exec and logs of a container without a TTY) into its
    /// streams. Each frame is an 8-byte header (stream: 0 stdin, 1 stdout, 2 stderr, 3 the engine's
    /// own error; three zero bytes; the payload's length, big-endian) and the payload. Frames may be
    /// cut anywhere by the reads: the state carries over from one <see cref="Feed"/> to the next.
    /// </summary>
    internal sealed class StreamDemux
    {
        public const int Stdout = 1;
        public const int Stderr = 2;
        public const int SystemError = 3;

        private readonly byte[] _header = new byte[8];
        private readonly Action<int, byte[], int, int> _onPayload;
        private int _headerFill;
        private long _remaining;
        private int _stream;

        /// <param name="onPayload">Called with (stream, bytes, offset, count) for each piece of payload, in order.</param>
        /// <param name="multiplexed">true: frames; false: one raw stream (a TTY), all stdout; null: decided by the first 8 bytes.</param>
        public StreamDemux(Action<int, byte[], int, int> onPayload, bool? multiplexed = true)
        {
            _onPayload = onPayload;
            Multiplexed = multiplexed;
        }

        /// <summary>Whether the stream is framed; null until the first bytes decided it.</summary>
        public bool? Multiplexed { get; private set; }

        /// <summary>True when the stream ended in the middle of a frame.</summary>
        public bool Truncated => Multiplexed == true && (_headerFill > 0 || _remaining > 0);

        public void Feed(byte[] data, int offset, int count)
        {
            var end = offset + count;
            var i = offset;
            while (i < end)
            {
                if (Multiplexed == false)
                {
                    _onPayload(Stdout, data, i, end - i);
                    return;
                }
                if (_remaining > 0)
                {
                    var n = (int)Math.Min(_remaining, end - i);
                    _onPayload(_stream, data, i, n);
                    _remaining -= n;
                    i += n;
                    continue;
                }
                // a header, possibly over several reads
                var take = Math.Min(8 - _headerFill, end - i);
                Buffer.BlockCopy(data, i, _header, _headerFill, take);
                _headerFill += take;
                i += take;
                if (_headerFill < 8)
                {
                    continue;
                }
                _headerFill = 0;
                if (Multiplexed is null)
                {
                    Multiplexed = LooksLikeHeader(_header);
                    if (Multiplexed == false)
                    {
                        // not framed after all: those 8 bytes were text
                        _onPayload(Stdout, _header, 0, 8);
                        continue;
                    }
                }
                _stream = _header[0];
                _remaining = ((long)_header[4] << 24) | ((long)_header[5] << 16) | ((long)_header[6] << 8) | _header[7];
            }
        }

        /// <summary>At the end of the stream: bytes held back while deciding whether it is framed.</summary>
        public void Complete()
        {
            if (Multiplexed is null && _headerFill > 0)
            {
                Multiplexed = false;
                _onPayload(Stdout, _header, 0, _headerFill);
                _headerFill = 0;
            }
        }

        private static bool LooksLikeHeader(byte[] h) => h[0] <= SystemError && h[1] == 0 && h[2] == 0 && h[3] == 0;
    }

    /// <summary>
    /// One output stream of an exec: the exact text (all of it, or the last <c>keep</c> characters),
    /// and its lines handed to a callback as they complete. UTF-8 is decoded across frame and read
    /// boundaries; lines end as StreamReader.ReadLine sees them (\n, \r, or \r\n), like the CLI path.
    /// </summary>
    internal sealed class LineSink
    {
        private static readonly UTF8Encoding Utf8 = new(false);
        private readonly Decoder _decoder = Utf8.GetDecoder();
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _line = new();
        private readonly Action<string>? _onLine;
        private readonly int? _keep;
        private char[] _chars = new char[0];
        private bool _pendingCr;

        /// <param name="onLine">Each complete line (null: not streamed).</param>
        /// <param name="keep">How much text to keep: null, all; n, the last n characters.</param>
        public LineSink(Action<string>? onLine, int? keep)
        {
            _onLine = onLine;
            _keep = keep;
        }

        /// <summary>The first exception a line callback threw; no line is handed on after it.</summary>
        public Exception? Error { get; private set; }

        public string Text => _keep is { } keep && _text.Length > keep ? _text.ToString(_text.Length - keep, keep) : _text.ToString();

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

        public void Write(string text)
        {
            var chars = text.ToCharArray();
            Append(chars, chars.Length);
        }

        /// <summary>At the end of the stream: the last line, even without a line break.</summary>
        public void Complete()
        {
            var tail = new char[8];
            var n = _decoder.GetChars(new byte[0], 0, 0, tail, 0, flush: true);
            Append(tail, n);
            if (_line.Length > 0)
            {
                Emit();
            }
        }

        private void Append(char[] chars, int count)
        {
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
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
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
                Error = e;
            }
        }
    }
}
