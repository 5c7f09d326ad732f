namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>A response body that stops after its first <paramref name="pauseAt"/> bytes until the test lets the rest
/// through (<paramref name="rest"/>): what a client does with the start of an answer before its end has arrived.</summary>
internal sealed class PausingStream(byte[] bytes, int pauseAt, SemaphoreSlim rest) : MemoryStream(bytes)
{
    private bool _paused;

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Position >= pauseAt && !_paused)
        {
            _paused = true;
            await rest.WaitAsync(cancellationToken);
        }

        var left = (int)Math.Min(buffer.Length, Position < pauseAt ? pauseAt - Position : Length - Position);
        return await base.ReadAsync(buffer[..left], cancellationToken);
    }
}
