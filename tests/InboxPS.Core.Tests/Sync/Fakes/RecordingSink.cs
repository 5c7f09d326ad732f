using System.Collections.Concurrent;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>Records what the engine reports, in order, as the cmdlet layer would receive it.</summary>
public sealed class RecordingSink : IInboxSink
{
    private readonly ConcurrentQueue<object> _results = new();
    private readonly ConcurrentQueue<InboxProgress> _progress = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<object> Results => _results.ToArray();

    public IReadOnlyList<MailboxSyncResult> Synced => Results.OfType<MailboxSyncResult>().ToArray();

    public IReadOnlyList<InboxProgress> ProgressReports => _progress.ToArray();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public MailboxSyncResult For(string mailbox) => Synced.Single(r => string.Equals(r.Mailbox, mailbox, StringComparison.OrdinalIgnoreCase));

    public void Progress(InboxProgress progress) => _progress.Enqueue(progress);

    public void Log(InboxLogLevel level, string message) => _lines.Enqueue($"{level}: {message}");

    public void Result(object result) => _results.Enqueue(result);
}
