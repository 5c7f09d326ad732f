using System.Threading.Channels;
using InboxPS.Core;
using InboxPS.Core.Sync;

namespace InboxPS.Integration.Tests.Sync;

/// <summary>One run of the real engine over a protocol, fed the inputs as a pipeline would, reporting to a capturing sink.</summary>
public static class EngineRun
{
    public static async Task<CapturingSink> RunAsync(IMailboxProtocol protocol, Func<IMailboxProtocol, IInboxSink, IMailboxJob> createJob,
        IEnumerable<MailboxInput> inputs, SyncOptions options, CancellationToken cancellationToken)
    {
        var sink = new CapturingSink();
        var engine = new SyncEngine(createJob(protocol, sink), options, sink);
        var channel = Channel.CreateUnbounded<MailboxInput>();
        foreach (var input in inputs)
        {
            channel.Writer.TryWrite(input);
        }

        channel.Writer.Complete();
        await engine.RunAsync(channel.Reader, cancellationToken);
        return sink;
    }
}
