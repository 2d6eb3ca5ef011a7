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
}
