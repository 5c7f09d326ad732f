using System.Threading.Channels;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>The real engine over the fake protocol and a real SQLite store in a temp folder: one run takes milliseconds.</summary>
public sealed class EngineHarness : IDisposable
{
    public const string Organization = "contoso";
    private readonly TempDirectory _temp = new();

    public EngineHarness()
    {
        Store = SqliteInboxStore.Open(_temp.Combine("inboxps.db"));
        Store.SaveOrganization(new OrganizationProfile(Organization));
    }

    public FakeMailboxProtocol Protocol { get; } = new();

    public SqliteInboxStore Store { get; }

    public string ContentPath => _temp.Combine("content");

    public Task<RecordingSink> SyncAsync(IEnumerable<string> mailboxes, SyncOptions? options = null, CancellationToken cancellationToken = default) =>
        SyncAsync(mailboxes.Select(m => new MailboxInput { Text = m }), options, cancellationToken);

    public Task<RecordingSink> SyncAsync(IEnumerable<MailboxInput> inputs, SyncOptions? options = null, CancellationToken cancellationToken = default)
    {
        var chosen = options ?? new SyncOptions();
        return RunAsync(sink => new MailboxSynchronizer(Organization, Store, Protocol, chosen, sink), inputs, chosen, cancellationToken);
    }

    public Task<RecordingSink> PreflightAsync(IEnumerable<string> mailboxes, SyncOptions? options = null) =>
        RunAsync(_ => new MailboxPreflight(Organization, Protocol), mailboxes.Select(m => new MailboxInput { Text = m }),
            options ?? new SyncOptions(), CancellationToken.None);

    /// <summary>What the store holds for a mailbox: the ids of its items, duplicates included.</summary>
    public IReadOnlyList<string> StoredItemIds(string mailbox)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Store.Location};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT item_id FROM items WHERE organization = $org AND mailbox = $mailbox";
        command.Parameters.AddWithValue("$org", Organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Asserts the store holds exactly what the mailbox's folders hold now, each item once.</summary>
    public void AssertStoreMatches(FakeMailbox mailbox, params FakeFolder[] folders)
    {
        var expected = folders.SelectMany(f => f.ItemIds).OrderBy(id => id, StringComparer.Ordinal);
        Assert.Equal(expected, StoredItemIds(mailbox.Address).OrderBy(id => id, StringComparer.Ordinal));
    }

    public void Dispose()
    {
        Store.Dispose();
        _temp.Dispose();
    }

    private async Task<RecordingSink> RunAsync(Func<IInboxSink, IMailboxJob> createJob, IEnumerable<MailboxInput> inputs,
        SyncOptions options, CancellationToken cancellationToken)
    {
        var sink = new RecordingSink();
        var channel = Channel.CreateUnbounded<MailboxInput>();
        foreach (var input in inputs)
        {
            channel.Writer.TryWrite(input);
        }

        channel.Writer.Complete();
        await new SyncEngine(createJob(sink), options, sink).RunAsync(channel.Reader, cancellationToken);
        return sink;
    }
}
