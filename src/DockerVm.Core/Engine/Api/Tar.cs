using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine.Api
{
    /// <summary>The kinds of tar entry a copy carries; anything else (devices, fifos) is <see cref="Other"/> and skipped.</summary>
    internal enum TarEntryType
    {
        File,
        Directory,
        SymbolicLink,
        HardLink,
        Other,
    }

    /// <summary>Unix permission bits (C# has no octal literals: each value's octal form beside it).</summary>
    internal static class UnixModes
    {
        /// <summary>7777: permissions, sticky, setuid, setgid.</summary>
        public const int Permissions = 0xFFF;
        /// <summary>1777: permissions and sticky, no setuid or setgid.</summary>
        public const int NoSetId = 0x3FF;
        /// <summary>755: a folder (and a file on Windows, as docker cp gives them).</summary>
        public const int Folder = 0x1ED;
        /// <summary>644: a file.</summary>
        public const int File = 0x1A4;
        /// <summary>777: a link.</summary>
        public const int Link = 0x1FF;
    }

    /// <summary>One entry's header: its name ('/'-separated, as written), kind, mode, size, time and link target.</summary>
    internal sealed class TarEntry
    {
        public string Name { get; set; } = "";
        public TarEntryType Type { get; set; }
        /// <summary>The permission bits (octal 7777 at most).</summary>
        public int Mode { get; set; }
        public long Size { get; set; }
        public DateTime ModifiedUtc { get; set; } = DateTime.UtcNow;
        public string LinkName { get; set; } = "";
    }

    /// <summary>
    /// Writes a tar stream (POSIX ustar; a pax extended header before an entry whose name or link target
    /// does not fit ustar's 100 bytes or is not ASCII, or whose size does not fit 11 octal digits), as
    /// the engine's PUT /containers/{id}/archive takes it. Entry data is written by the caller through
    /// <see cref="WriteDataAsync"/>, so a file is never held in memory.
    /// </summary>
    internal sealed class TarWriter
    {
        public const int Block = 512;
        private const long MaxOctalSize = 0x1FFFFFFFFL; // 11 octal digits: 77777777777
        private static readonly byte[] Zeros = new byte[Block * 2];
        private readonly Stream _out;
        private long _dataLeft;
        private long _written;

        public TarWriter(Stream output) => _out = output;

        /// <summary>Writes the header of the next entry; its <see cref="TarEntry.Size"/> bytes of data follow (files only).</summary>
        public async Task WriteHeaderAsync(TarEntry entry, CancellationToken ct)
        {
            if (_dataLeft != 0)
            {
                throw new InvalidOperationException("The previous entry's data was not written completely.");
            }
            var name = entry.Name;
            if (entry.Type == TarEntryType.Directory && !name.EndsWith("/", StringComparison.Ordinal))
            {
                name += "/";
            }
            var size = entry.Type == TarEntryType.File ? entry.Size : 0;
            var pax = new List<KeyValuePair<string, string>>();
            if (!FitsUstar(name, 100))
            {
                pax.Add(new KeyValuePair<string, string>("path", name));
            }
            if (entry.LinkName.Length > 0 && !FitsUstar(entry.LinkName, 100))
            {
                pax.Add(new KeyValuePair<string, string>("linkpath", entry.LinkName));
            }
            if (size > MaxOctalSize)
            {
                pax.Add(new KeyValuePair<string, string>("size", size.ToString(CultureInfo.InvariantCulture)));
            }
            if (pax.Count > 0)
            {
                var records = PaxRecords(pax);
                var paxHeader = Header(PaxName(name), 'x', UnixModes.File, records.Length, entry.ModifiedUtc, "");
                await WriteRawAsync(paxHeader, paxHeader.Length, ct).ConfigureAwait(false);
                await WriteRawAsync(records, records.Length, ct).ConfigureAwait(false);
                await PadAsync(records.Length, ct).ConfigureAwait(false);
            }
            var type = entry.Type switch
            {
                TarEntryType.File => '0',
                TarEntryType.Directory => '5',
                TarEntryType.SymbolicLink => '2',
                TarEntryType.HardLink => '1',
                _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Type, "not an entry type a copy writes"),
            };
            var header = Header(FitsUstar(name, 100) ? name : Ascii(name, 100), type, entry.Mode, size > MaxOctalSize ? 0 : size, entry.ModifiedUtc,
                FitsUstar(entry.LinkName, 100) ? entry.LinkName : Ascii(entry.LinkName, 100));
            await WriteRawAsync(header, header.Length, ct).ConfigureAwait(false);
            _dataLeft = size;
        }

        /// <summary>Writes part of the current entry's data; more than its size is an error.</summary>
        public async Task WriteDataAsync(byte[] buffer, int count, CancellationToken ct)
        {
            if (count > _dataLeft)
            {
                throw new InvalidOperationException("More data than the entry's size.");
            }
            await WriteRawAsync(buffer, count, ct).ConfigureAwait(false);
            _dataLeft -= count;
            if (_dataLeft == 0)
            {
                await PadAsync(_written, ct).ConfigureAwait(false);
            }
        }

        /// <summary>The end of the archive: two zero blocks.</summary>
        public async Task FinishAsync(CancellationToken ct)
        {
            if (_dataLeft != 0)
            {
                throw new InvalidOperationException("The last entry's data was not written completely.");
            }
            await _out.WriteAsync(Zeros, 0, Zeros.Length, ct).ConfigureAwait(false);
            await _out.FlushAsync(ct).ConfigureAwait(false);
        }

        private async Task WriteRawAsync(byte[] data, int count, CancellationToken ct)
        {
            await _out.WriteAsync(data, 0, count, ct).ConfigureAwait(false);
            _written += count;
        }

        private async Task PadAsync(long length, CancellationToken ct)
        {
            var pad = (int)((Block - length % Block) % Block);
            if (pad > 0)
            {
                await WriteRawAsync(Zeros, pad, ct).ConfigureAwait(false);
            }
        }

        private static bool FitsUstar(string s, int max)
        {
            if (s.Length > max)
            {
                return false;
            }
            foreach (var c in s)
            {
                if (c == 0 || c > 126)
                {
                    return false;
                }
            }
            return true;
        }

        // What goes in the ustar field when the real value is in the pax header: a readable ASCII stand-in.
        private static string Ascii(string s, int max)
        {
            var b = new StringBuilder(max);
            foreach (var c in s)
            {
                if (b.Length == max)
                {
                    break;
                }
                b.Append(c > 0 && c < 127 ? c : '_');
            }
            return b.ToString();
        }

        private static string PaxName(string name)
        {
            var trimmed = name.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            return Ascii("PaxHeaders.0/" + (slash >= 0 ? trimmed.Substring(slash + 1) : trimmed), 99);
        }

        /// <summary>"%d key=value\n", the length counting itself.</summary>
        internal static byte[] PaxRecords(IEnumerable<KeyValuePair<string, string>> records)
        {
            var all = new MemoryStream();
            foreach (var r in records)
            {
                var body = Encoding.UTF8.GetBytes(" " + r.Key + "=" + r.Value + "\n");
                var length = body.Length + 1;
                while (length.ToString(CultureInfo.InvariantCulture).Length + body.Length != length)
                {
                    length = length.ToString(CultureInfo.InvariantCulture).Length + body.Length;
                }
                var prefix = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture));
                all.Write(prefix, 0, prefix.Length);
                all.Write(body, 0, body.Length);
            }
            return all.ToArray();
        }

        private static byte[] Header(string name, char type, int mode, long size, DateTime mtime, string link)
        {
            var h = new byte[Block];
            Put(h, 0, 100, Encoding.ASCII.GetBytes(name));
            Octal(h, 100, 8, mode & UnixModes.Permissions);
            Octal(h, 108, 8, 0); // uid: the engine gives the files to the container's root (no CopyUIDGID)
            Octal(h, 116, 8, 0); // gid
            Octal(h, 124, 12, size);
            var seconds = (long)Math.Max(0, Math.Floor((mtime.ToUniversalTime() - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds));
            Octal(h, 136, 12, Math.Min(seconds, MaxOctalSize));
            h[156] = (byte)type;
            Put(h, 157, 100, Encoding.ASCII.GetBytes(link));
            Put(h, 257, 6, Encoding.ASCII.GetBytes("ustar\0"));
            Put(h, 263, 2, Encoding.ASCII.GetBytes("00"));
            Put(h, 265, 32, Encoding.ASCII.GetBytes("root"));
            Put(h, 297, 32, Encoding.ASCII.GetBytes("root"));
            for (var i = 148; i < 156; i++)
            {
                h[i] = (byte)' ';
            }
            var sum = 0;
            foreach (var b in h)
            {
                sum += b;
            }
            Octal(h, 148, 7, sum); // six digits, a NUL, and the space left in place
            return h;
        }

        private static void Put(byte[] h, int offset, int max, byte[] value) => Buffer.BlockCopy(value, 0, h, offset, Math.Min(max, value.Length));

        // digits (zero-padded to length-1) and a NUL
        private static void Octal(byte[] h, int offset, int length, long value)
        {
            var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            Put(h, offset, length - 1, Encoding.ASCII.GetBytes(digits));
            h[offset + length - 1] = 0;
        }
    }

    /// <summary>
    /// Reads a tar stream as the engine's GET /containers/{id}/archive writes it (Go's archive/tar:
    /// ustar, pax extended headers, GNU long names and link names, base-256 numbers). Entry data is
    /// read through <see cref="ReadDataAsync"/> in pieces: nothing but a header is held in memory.
    /// </summary>
    internal sealed class TarReader
    {
        private const int MaxMetaSize = 1024 * 1024; // a long name or pax header larger than this is not one
        private readonly Stream _in;
        private readonly byte[] _block = new byte[TarWriter.Block];
        private long _dataLeft;
        private long _padLeft;
        private bool _ended;

        public TarReader(Stream input) => _in = input;

        /// <summary>The next entry (its data, if any, is read next), or null at the end of the archive.</summary>
        public async Task<TarEntry?> NextAsync(CancellationToken ct)
        {
            await SkipRestAsync(ct).ConfigureAwait(false);
            string? longName = null;
            string? longLink = null;
            Dictionary<string, string>? pax = null;
            while (true)
            {
                if (_ended || !await ReadBlockAsync(ct).ConfigureAwait(false))
                {
                    _ended = true;
                    return null; // the end of the stream at a header boundary: the end of the archive
                }
                if (IsZero(_block))
                {
                    _ended = true;
                    return null;
                }
                CheckSum();
                var type = (char)_block[156];
                var size = Number(_block, 124, 12, "size");
                if (size < 0)
                {
                    throw new InvalidDataException("A tar entry has a negative size.");
                }
                var magic = Encoding.ASCII.GetString(_block, 257, 5);
                var name = Text(_block, 0, 100);
                if (magic == "ustar" && _block[262] == 0)
                {
                    var prefix = Text(_block, 345, 155); // POSIX ustar: a prefix to the name
                    if (prefix.Length > 0)
                    {
                        name = prefix + "/" + name;
                    }
                }
                switch (type)
                {
                    case 'L':
                        longName = TrimNul(Encoding.UTF8.GetString(await ReadMetaAsync(size, ct).ConfigureAwait(false)));
                        continue;
                    case 'K':
                        longLink = TrimNul(Encoding.UTF8.GetString(await ReadMetaAsync(size, ct).ConfigureAwait(false)));
                        continue;
                    case 'x':
                        pax = ParsePax(await ReadMetaAsync(size, ct).ConfigureAwait(false));
                        continue;
                    case 'g':
                        await ReadMetaAsync(size, ct).ConfigureAwait(false); // global pax: nothing a copy needs
                        continue;
                }
                var entry = new TarEntry
                {
                    Name = longName ?? name,
                    LinkName = longLink ?? Text(_block, 157, 100),
                    Mode = (int)(Number(_block, 100, 8, "mode") & UnixModes.Permissions),
                    Size = size,
                    ModifiedUtc = FromUnix(Number(_block, 136, 12, "mtime")),
                    Type = type switch
                    {
                        '0' or '\0' or '7' => TarEntryType.File,
                        '5' => TarEntryType.Directory,
                        '2' => TarEntryType.SymbolicLink,
                        '1' => TarEntryType.HardLink,
                        _ => TarEntryType.Other,
                    },
                };
                if (pax is not null)
                {
                    if (pax.TryGetValue("path", out var p))
                    {
                        entry.Name = p;
                    }
                    if (pax.TryGetValue("linkpath", out var l))
                    {
                        entry.LinkName = l;
                    }
                    if (pax.TryGetValue("size", out var s))
                    {
                        entry.Size = long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                            ? n
                            : throw new InvalidDataException($"A tar entry has an unreadable pax size '{s}'.");
                    }
                    if (pax.TryGetValue("mtime", out var m) && double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                    {
                        entry.ModifiedUtc = FromUnix(0).AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
                    }
                }
                // Links, folders and devices carry no data, whatever their size field says (but a hard link's may: Go writes 0).
                _dataLeft = entry.Type == TarEntryType.File || entry.Type == TarEntryType.Other ? entry.Size : 0;
                _padLeft = (TarWriter.Block - _dataLeft % TarWriter.Block) % TarWriter.Block;
                return entry;
            }
        }

        /// <summary>Reads the next piece of the current entry's data; 0 at its end.</summary>
        public async Task<int> ReadDataAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            if (_dataLeft == 0 || count == 0)
            {
                return 0;
            }
            var n = await _in.ReadAsync(buffer, offset, (int)Math.Min(count, _dataLeft), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new InvalidDataException($"The archive ended {_dataLeft} bytes before the end of an entry.");
            }
            _dataLeft -= n;
            return n;
        }

        private async Task SkipRestAsync(CancellationToken ct)
        {
            var skip = new byte[16 * 1024];
            while (_dataLeft > 0)
            {
                await ReadDataAsync(skip, 0, skip.Length, ct).ConfigureAwait(false);
            }
            while (_padLeft > 0)
            {
                var n = await _in.ReadAsync(skip, 0, (int)Math.Min(_padLeft, skip.Length), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new InvalidDataException("The archive ended in the padding of an entry.");
                }
                _padLeft -= n;
            }
        }

        private async Task<byte[]> ReadMetaAsync(long size, CancellationToken ct)
        {
            if (size > MaxMetaSize)
            {
                throw new InvalidDataException($"A tar extended header of {size} bytes is larger than any name.");
            }
            var data = new byte[size];
            var read = 0;
            while (read < size)
            {
                var n = await _in.ReadAsync(data, read, (int)size - read, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new InvalidDataException("The archive ended in an extended header.");
                }
                read += n;
            }
            _dataLeft = 0;
            _padLeft = (TarWriter.Block - size % TarWriter.Block) % TarWriter.Block;
            await SkipRestAsync(ct).ConfigureAwait(false);
            return data;
        }

        private async Task<bool> ReadBlockAsync(CancellationToken ct)
        {
            var read = 0;
            while (read < TarWriter.Block)
            {
                var n = await _in.ReadAsync(_block, read, TarWriter.Block - read, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    if (read == 0)
                    {
                        return false;
                    }
                    throw new InvalidDataException("The archive ended in the middle of a header.");
                }
                read += n;
            }
            return true;
        }

        private void CheckSum()
        {
            var stored = Number(_block, 148, 8, "checksum");
            long unsigned = 0, signed = 0;
            for (var i = 0; i < TarWriter.Block; i++)
            {
                var b = i >= 148 && i < 156 ? (byte)' ' : _block[i];
                unsigned += b;
                signed += (sbyte)b;
            }
            if (stored != unsigned && stored != signed)
            {
                throw new InvalidDataException("A tar header has a wrong checksum: this is not a tar archive, or it is damaged.");
            }
        }

        private static bool IsZero(byte[] block)
        {
            foreach (var b in block)
            {
                if (b != 0)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>An octal field (spaces and NULs around it), or base-256 when its first byte has the high bit.</summary>
        internal static long Number(byte[] h, int offset, int length, string what)
        {
            if ((h[offset] & 0x80) != 0)
            {
                long v = h[offset] & 0x7F;
                if ((h[offset] & 0x40) != 0)
                {
                    throw new InvalidDataException($"A tar header has a negative {what}.");
                }
                for (var i = 1; i < length; i++)
                {
                    if (v > (long.MaxValue >> 8))
                    {
                        throw new InvalidDataException($"A tar header's {what} is too large.");
                    }
                    v = (v << 8) | h[offset + i];
                }
                return v;
            }
            long value = 0;
            var seen = false;
            for (var i = offset; i < offset + length; i++)
            {
                var c = h[i];
                if (c == 0 || c == ' ')
                {
                    if (seen)
                    {
                        break;
                    }
                    continue;
                }
                if (c < '0' || c > '7')
                {
                    throw new InvalidDataException($"A tar header's {what} is not an octal number.");
                }
                seen = true;
                value = value * 8 + (c - '0');
            }
            return value;
        }

        private static Dictionary<string, string> ParsePax(byte[] data)
        {
            var records = new Dictionary<string, string>(StringComparer.Ordinal);
            var i = 0;
            while (i < data.Length)
            {
                var space = Array.IndexOf(data, (byte)' ', i);
                if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(data, i, space - i), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                    length <= space - i || i + length > data.Length || data[i + length - 1] != '\n')
                {
                    if (data[i] == 0)
                    {
                        break; // padding
                    }
                    throw new InvalidDataException("A pax extended header is malformed.");
                }
                var record = Encoding.UTF8.GetString(data, space + 1, i + length - 1 - (space + 1));
                var eq = record.IndexOf('=');
                if (eq > 0)
                {
                    records[record.Substring(0, eq)] = record.Substring(eq + 1);
                }
                i += length;
            }
            return records;
        }

        private static string Text(byte[] h, int offset, int length)
        {
            var end = Array.IndexOf(h, (byte)0, offset, length);
            return Encoding.UTF8.GetString(h, offset, (end < 0 ? offset + length : end) - offset);
        }

        private static string TrimNul(string s) => s.TrimEnd('\0');

        private static DateTime FromUnix(long seconds) =>
            new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(Math.Min(Math.Max(seconds, 0), 253402300799L));
    }

    /// <summary>
    /// The names inside an archive, and where they may land: every name is split on '/', "." parts
    /// dropped, and a ".." part, an absolute name or a part the host would read as a separator or a
    /// drive refused, so no entry can be written outside the folder it is extracted into.
    /// </summary>
    internal static class TarPaths
    {
        /// <summary>The parts of an entry's name; null when the name would escape (.., a rooted name, a separator of the host's).</summary>
        public static IReadOnlyList<string>? Parts(string name)
        {
            var parts = new List<string>();
            foreach (var part in name.Split('/'))
            {
                if (part.Length == 0 || part == ".")
                {
                    continue;
                }
                if (part == ".." || part.IndexOf('\0') >= 0 ||
                    (Path.DirectorySeparatorChar != '/' && (part.IndexOf(Path.DirectorySeparatorChar) >= 0 || part.IndexOf(':') >= 0)))
                {
                    return null;
                }
                parts.Add(part);
            }
            // "/etc/x" is read as "etc/x" (relative to the destination), as Go's extraction does.
            return parts;
        }

        /// <summary>The host path of <paramref name="parts"/> under <paramref name="root"/>; null when it would not stay under it.</summary>
        public static string? Under(string root, IReadOnlyList<string> parts)
        {
            var full = Path.GetFullPath(root);
            var path = full;
            foreach (var p in parts)
            {
                path = Path.Combine(path, p);
            }
            path = Path.GetFullPath(path);
            var rootWithSep = full.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? full : full + Path.DirectorySeparatorChar;
            return path == full || path.StartsWith(rootWithSep, StringComparison.Ordinal) ? path : null;
        }
    }
}
