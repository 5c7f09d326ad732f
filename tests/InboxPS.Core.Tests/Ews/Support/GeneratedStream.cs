using System.Text;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>A body of any length that is never held in memory: a prefix, then one chunk repeated. Counts what was read.</summary>
internal sealed class GeneratedStream : Stream
{
    private readonly byte[] _prefix;
    private readonly byte[] _repeat;
    private readonly long _length;
    private long _position;

    public GeneratedStream(string prefix, string repeat, long length)
    {
        _prefix = Encoding.UTF8.GetBytes(prefix);
        _repeat = Encoding.UTF8.GetBytes(repeat);
        _length = length;
    }

    public long Served => Interlocked.Read(ref _position);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => Served;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var written = 0;
        while (written < count && _position < _length)
        {
            buffer[offset + written++] = _position < _prefix.Length
                ? _prefix[_position]
                : _repeat[(_position - _prefix.Length) % _repeat.Length];
            _position++;
        }

        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
