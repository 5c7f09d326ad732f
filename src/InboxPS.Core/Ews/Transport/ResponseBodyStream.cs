using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews.Transport;

/// <summary>
/// The response body as the XML reader sees it: bytes are counted and reading past the limit throws (so a huge or
/// endless body is never held in memory), every read observes the attempt's cancellation even when the underlying
/// stream ignores it, and the end of input is remembered so a parse error can tell "truncated" from "malformed".
/// </summary>
internal sealed class ResponseBodyStream : Stream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly CancellationToken _cancellation;

    public ResponseBodyStream(Stream inner, long limit, CancellationToken cancellation)
    {
        _inner = inner;
        _limit = limit;
        _cancellation = cancellation;
    }

    public long BytesRead { get; private set; }

    /// <summary>True once the underlying stream reported its end.</summary>
    public bool ReachedEnd { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _cancellation.ThrowIfCancellationRequested();
        return Counted(_inner.Read(buffer, offset, count));
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _cancellation.ThrowIfCancellationRequested();
        var read = _inner.ReadAsync(buffer, offset, count, _cancellation);
        return Counted(read.IsCompleted
            ? read.GetAwaiter().GetResult()
            : await Cancellation.WhenCompletedOrCancelled(read, _cancellation, onAbandoned: null).ConfigureAwait(false));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Counted(int read)
    {
        if (read == 0)
        {
            ReachedEnd = true;
        }

        BytesRead += read;
        return BytesRead <= _limit ? read : throw new ResponseTooLargeException(_limit);
    }
}
