using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Writes stored items as .eml files below a folder: one folder per mailbox (its address) and below it one per mail
/// folder (its display name), each name made safe by <see cref="PortableName"/>; a file is named by received time,
/// subject and a hash of the item id. An item saved at sync time is copied; any other is read from the server by id
/// over the organization's connection (EWS GetItem MIME, Graph $value). Files are owner-only, like the store.
/// </summary>
public sealed class ItemExporter
{
    private readonly IInboxStore _store;
    private readonly OrganizationConnections _connections;
    private readonly string _destination;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _folderNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IMailboxProtocol> _protocols = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IMailboxSession> _sessions = new(StringComparer.OrdinalIgnoreCase);

    public ItemExporter(IInboxStore store, OrganizationConnections connections, string destination)
    {
        _store = store;
        _connections = connections;
        _destination = destination;
    }

    /// <summary>Where <paramref name="item"/> goes, without writing it.</summary>
    public string PathFor(StoredItem item)
    {
        var key = item.Organization + "\n" + item.Mailbox;
        if (!_folderNames.TryGetValue(key, out var folders))
        {
            folders = PortableName.ForSiblings(_store.GetFolders(item.Organization, item.Mailbox)
                .Select(f => new KeyValuePair<string, string?>(f.FolderId, f.DisplayName)));
            _folderNames[key] = folders;
        }

        var folder = folders.TryGetValue(item.FolderId, out var name) ? name : PortableName.For(item.Folder ?? item.FolderId);
        return Path.Combine(_destination, PortableName.For(item.Mailbox.ToLowerInvariant()), folder,
            PortableName.ForMessage(item.Received, item.Subject, item.ItemId));
    }

    /// <exception cref="InboxException">
    /// ItemNotOnServer: not saved at sync time and gone from the server; ExportWriteFailed: the file could not be written;
    /// the protocol's errors (NotConnected, the item's own error) as they are.
    /// </exception>
    public async Task<ExportedItem> ExportAsync(StoredItem item, CancellationToken cancellationToken)
    {
        var path = PathFor(item);
        byte[]? content;
        ExportSource source;
        if (item.MimePath is { } saved && File.Exists(saved))
        {
            content = ReadSaved(saved, item);
            source = ExportSource.Copied;
        }
        else
        {
            content = await FetchAsync(item, cancellationToken).ConfigureAwait(false);
            source = ExportSource.Fetched;
        }

        Write(path, content, item);
        return new ExportedItem(item, path, source);
    }

    private async Task<byte[]> FetchAsync(StoredItem item, CancellationToken cancellationToken)
    {
        var session = SessionFor(item);
        if (session is not IMimeReader reader)
        {
            throw new InboxException("ItemNotExportable", InboxErrorKind.InvalidOperation,
                $"The item '{item.Subject}' of {item.Mailbox} was not saved at sync time and this protocol cannot read it on demand.",
                "Run Start-InboxSync -IncludeMime -ContentPath <folder> for this user, then export again.", item.ItemId);
        }

        return await reader.ReadMimeAsync(item.FolderId, item.ItemId, cancellationToken).ConfigureAwait(false)
            ?? throw new InboxException("ItemNotOnServer", InboxErrorKind.NotFound,
                $"The item '{item.Subject}' of {item.Mailbox} is no longer on the server, and was not saved as .eml at sync time.",
                "Run Start-InboxSync for this user to bring the store up to date; the item will no longer be listed.", item.ItemId);
    }

    private IMailboxSession SessionFor(StoredItem item)
    {
        var key = item.Organization + "\n" + item.Mailbox;
        if (_sessions.TryGetValue(key, out var session))
        {
            return session;
        }

        if (!_protocols.TryGetValue(item.Organization, out var protocol))
        {
            var organization = OrganizationResolver.Find(_store, item.Organization);
            protocol = _protocols[item.Organization] = _connections.ProtocolFor(organization, requireConnection: true);
        }

        var kind = _store.GetRosterEntry(item.Organization, item.Mailbox)?.AddressKind ?? MailboxAddressKind.SmtpAddress;
        return _sessions[key] = protocol.Open(new MailboxTarget(item.Mailbox, kind));
    }

    private static byte[] ReadSaved(string path, StoredItem item)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InboxException("ExportReadFailed", InboxErrorKind.OpenError,
                $"The .eml file saved at sync time for '{item.Subject}' of {item.Mailbox} could not be read: {e.Message}",
                $"Check the permissions of '{path}', or delete it so the item is read from the server.", item.ItemId, e);
        }
    }

    private void Write(string path, byte[] content, StoredItem item)
    {
        try
        {
            Directory.CreateDirectory(_destination);
            var folder = Path.GetDirectoryName(path)!;
            OwnerOnlyAccess.CreateFolder(Path.GetDirectoryName(folder)!);
            OwnerOnlyAccess.CreateFolder(folder);
            MimeExporter.WriteAtomically(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InboxException("ExportWriteFailed", InboxErrorKind.WriteError,
                $"Could not write '{path}' for {item.Mailbox}: {e.Message}",
                "Check that the -Path folder is writable and has free space, then export again.", item.ItemId, e);
        }
    }
}
