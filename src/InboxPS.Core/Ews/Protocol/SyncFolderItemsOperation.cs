using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// SyncFolderItems with the IdOnly shape Microsoft recommends for synchronization: the page says what changed, and
/// GetItem fetches the properties of created and updated items in batches.
/// </summary>
internal sealed class SyncFolderItemsOperation : EwsOperation<ItemChangesPage>
{
    internal const int MaxChangesLimit = 512;

    private readonly string _folder;
    private readonly string? _syncState;
    private readonly int _maxChangesReturned;
    private readonly Action<string, bool>? _stateRead;

    /// <param name="stateRead">Told the page's state and whether it is the last as soon as they are read, before the
    /// changes (again for the answer of a retry).</param>
    public SyncFolderItemsOperation(string folder, string? syncState, int maxChangesReturned, Action<string, bool>? stateRead = null)
        : base("SyncFolderItems")
    {
        _folder = folder;
        _syncState = syncState;
        _maxChangesReturned = maxChangesReturned;
        _stateRead = stateRead;
    }

    public override void WriteBody(XmlWriter writer)
    {
        writer.WriteStartElement("m", "SyncFolderItems", EwsNamespaces.Messages);
        writer.WriteStartElement("m", "ItemShape", EwsNamespaces.Messages);
        SoapRequestWriter.WriteIdOnlyBaseShape(writer);
        writer.WriteEndElement();
        writer.WriteStartElement("m", "SyncFolderId", EwsNamespaces.Messages);
        FolderReference.Write(writer, _folder);
        writer.WriteEndElement();
        if (!string.IsNullOrEmpty(_syncState))
        {
            writer.WriteElementString("m", "SyncState", EwsNamespaces.Messages, _syncState);
        }

        writer.WriteElementString("m", "MaxChangesReturned", EwsNamespaces.Messages,
            _maxChangesReturned.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteElementString("m", "SyncScope", EwsNamespaces.Messages, "NormalItems");
        writer.WriteEndElement();
    }

    public override ResponseMessageHandler<ItemChangesPage> CreateHandler() => new Handler(_stateRead);

    /// <summary>The hot path of a sync (up to 512 changes per page): plain loops, atom comparisons, no LINQ.</summary>
    private sealed class Handler : SyncPageHandler<ItemChange, ItemChangesPage>
    {
        private readonly Action<string, bool>? _stateRead;

        // The change being read; fields rather than locals so the nested readers need no allocation to return them.
        private string? _itemId;
        private string? _changeKey;
        private bool? _isRead;

        public Handler(Action<string, bool>? stateRead)
        {
            _stateRead = stateRead;
        }

        protected override void HeadRead(string syncState, bool includesLast) => _stateRead?.Invoke(syncState, includesLast);

        protected override string IncludesLastElement(EwsNames names) => names.IncludesLastItemInRange;

        protected override ItemChangesPage CreatePage(string syncState, bool includesLast, IReadOnlyList<ItemChange> changes) =>
            new(syncState, includesLast, changes);

        protected override async Task ReadChangesAsync(EwsXmlReader reader)
        {
            var names = reader.Names;
            var depth = reader.Depth;
            while (await reader.NextChildAsync(depth).ConfigureAwait(false))
            {
                var name = reader.LocalName;
                SyncChangeType type;
                if (ReferenceEquals(name, names.Create))
                {
                    type = SyncChangeType.Create;
                }
                else if (ReferenceEquals(name, names.Update))
                {
                    type = SyncChangeType.Update;
                }
                else if (ReferenceEquals(name, names.Delete))
                {
                    type = SyncChangeType.Delete;
                }
                else if (ReferenceEquals(name, names.ReadFlagChange))
                {
                    type = SyncChangeType.ReadFlagChange;
                }
                else
                {
                    await reader.SkipAsync().ConfigureAwait(false);
                    continue;
                }

                _itemId = null;
                _changeKey = null;
                _isRead = null;
                var changeDepth = reader.Depth;
                while (await reader.NextChildAsync(changeDepth).ConfigureAwait(false))
                {
                    if (type is SyncChangeType.Create or SyncChangeType.Update)
                    {
                        // Create/Update wrap one item element (Message, MeetingRequest...) holding the ItemId.
                        var itemDepth = reader.Depth;
                        while (await reader.NextChildAsync(itemDepth).ConfigureAwait(false))
                        {
                            await ReadIdOrReadFlagAsync(reader).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        await ReadIdOrReadFlagAsync(reader).ConfigureAwait(false);
                    }
                }

                if (string.IsNullOrEmpty(_itemId))
                {
                    throw reader.Invalid($"an item {type} change has no ItemId");
                }

                Changes.Add(new ItemChange(type, _itemId!, _changeKey, _isRead));
            }
        }

        private Task ReadIdOrReadFlagAsync(EwsXmlReader reader)
        {
            var names = reader.Names;
            if (reader.Is(names.ItemId))
            {
                _itemId = reader.GetAttribute(names.Id);
                _changeKey = reader.GetAttribute(names.ChangeKey);
                return reader.SkipAsync();
            }

            return reader.Is(names.IsRead) ? ReadFlagAsync(reader) : reader.SkipAsync();
        }

        private async Task ReadFlagAsync(EwsXmlReader reader) => _isRead = await reader.ReadBoolAsync().ConfigureAwait(false);
    }
}
