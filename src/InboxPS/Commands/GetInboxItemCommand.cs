using System;
using System.Management.Automation;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// The synced items of users, read from the store: filtered by folder, received date, sender, subject and read state
/// in the store's query, and streamed row by row, so a million items never sit in memory.
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxItem")]
[OutputType(typeof(StoredItem))]
public sealed class GetInboxItemCommand : StoredMailboxCmdlet
{
    /// <summary>Folder display name or well-known name (Inbox, SentItems); wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Folder { get; set; }

    /// <summary>Only items received at or after this time.</summary>
    [Parameter]
    public DateTime? ReceivedAfter { get; set; }

    /// <summary>Only items received before this time.</summary>
    [Parameter]
    public DateTime? ReceivedBefore { get; set; }

    /// <summary>The sender's name or address; wildcards allowed (*@fabrikam.com).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Sender { get; set; }

    /// <summary>The subject; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Subject { get; set; }

    /// <summary>Only unread items.</summary>
    [Parameter]
    public SwitchParameter Unread { get; set; }

    /// <summary>Only read items.</summary>
    [Parameter]
    public SwitchParameter Read { get; set; }

    protected override void BeginProcessing()
    {
        if (Unread && Read)
        {
            ThrowTerminatingError(ErrorRecords.From("ReadAndUnread", ErrorCategory.InvalidArgument,
                "-Read and -Unread exclude each other.", null, "Give one of them, or neither for all items."));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var (organization, entry) in SelectUsers())
        {
            var query = new ItemQuery(organization.Name)
            {
                Mailbox = entry.Mailbox,
                Folder = Folder,
                ReceivedAfter = ReceivedAfter is { } after ? ToUniversal(after) : null,
                ReceivedBefore = ReceivedBefore is { } before ? ToUniversal(before) : null,
                Sender = Sender,
                Subject = Subject,
                IsRead = Unread ? false : Read ? true : null,
            };
            foreach (var item in Store.ReadItems(query))
            {
                WriteObject(item);
            }
        }
    }

    // A date typed at the prompt is local time (Get-Date), unless it says otherwise.
    private static DateTimeOffset ToUniversal(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local) : time);
}
