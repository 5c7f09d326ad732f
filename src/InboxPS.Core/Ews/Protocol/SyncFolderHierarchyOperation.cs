using System.Collections.Generic;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// SyncFolderHierarchy of the mailbox's visible folder tree: the folders under msgfolderroot (Top of Information Store),
/// where users keep mail, rather than the whole root with its system folders. The root is fixed because a sync state
/// only continues from the root it started with.
/// </summary>
internal sealed class SyncFolderHierarchyOperation : EwsOperation<FolderChangesPage>
{
    internal const string RootFolder = "msgfolderroot";

    private readonly string? _syncState;

    public SyncFolderHierarchyOperation(string? syncState)
        : base("SyncFolderHierarchy")
    {
        _syncState = syncState;
    }

    public override void WriteBody(XmlWriter writer)
    {
        writer.WriteStartElement("m", "SyncFolderHierarchy", EwsNamespaces.Messages);
        FolderProperties.WriteShape(writer);
        writer.WriteStartElement("m", "SyncFolderId", EwsNamespaces.Messages);
        FolderReference.Write(writer, RootFolder);
        writer.WriteEndElement();
        if (!string.IsNullOrEmpty(_syncState))
        {
            writer.WriteElementString("m", "SyncState", EwsNamespaces.Messages, _syncState);
        }

        writer.WriteEndElement();
    }

    public override ResponseMessageHandler<FolderChangesPage> CreateHandler() => new Handler();

    private sealed class Handler : SyncPageHandler<EwsFolderChange, FolderChangesPage>
    {
        protected override string IncludesLastElement(EwsNames names) => names.IncludesLastFolderInRange;

        protected override FolderChangesPage CreatePage(string syncState, bool includesLast, IReadOnlyList<EwsFolderChange> changes) =>
            new(syncState, includesLast, changes);

        protected override async Task ReadChangesAsync(EwsXmlReader reader)
        {
            var names = reader.Names;
            var depth = reader.Depth;
            while (await reader.NextChildAsync(depth).ConfigureAwait(false))
            {
                SyncChangeType type;
                if (reader.Is(names.Create))
                {
                    type = SyncChangeType.Create;
                }
                else if (reader.Is(names.Update))
                {
                    type = SyncChangeType.Update;
                }
                else if (reader.Is(names.Delete))
                {
                    type = SyncChangeType.Delete;
                }
                else
                {
                    await reader.SkipAsync().ConfigureAwait(false);
                    continue;
                }

                Changes.Add(await ReadChangeAsync(reader, type).ConfigureAwait(false));
            }
        }

        // Create/Update wrap one folder element; Delete holds just its FolderId.
        private static async Task<EwsFolderChange> ReadChangeAsync(EwsXmlReader reader, SyncChangeType type)
        {
            var names = reader.Names;
            string? deletedId = null;
            EwsFolder? folder = null;
            var depth = reader.Depth;
            while (await reader.NextChildAsync(depth).ConfigureAwait(false))
            {
                if (type == SyncChangeType.Delete && reader.Is(names.FolderId))
                {
                    deletedId = reader.GetAttribute(names.Id);
                    await reader.SkipAsync().ConfigureAwait(false);
                }
                else if (type != SyncChangeType.Delete && folder is null)
                {
                    folder = await FolderProperties.ReadAsync(reader).ConfigureAwait(false);
                }
                else
                {
                    await reader.SkipAsync().ConfigureAwait(false);
                }
            }

            var folderId = folder?.FolderId ?? deletedId;
            return string.IsNullOrEmpty(folderId)
                ? throw reader.Invalid($"a folder {type} change names no folder")
                : new EwsFolderChange(type, folderId!, folder);
        }
    }
}
