using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Graph;

/// <summary>
/// The Microsoft Graph mail operations sync needs, app-only, for any number of mailboxes of one organization. Thread-safe:
/// one client serves every worker over one pool of connections. Every call carries a bearer token from
/// <see cref="IAccessTokenSource"/> (refreshed once after a 401), asks for immutable ids, retries throttling and transient
/// faults (honouring Retry-After), is cancellable, and fails with a <see cref="GraphException"/>.
/// </summary>
public sealed class GraphClient : IDisposable
{
    /// <summary>A JSON $batch carries at most this many requests.</summary>
    public const int MaxBatchRequests = 20;

    /// <summary>translateExchangeIds takes at most this many ids per call.</summary>
    public const int MaxIdsPerTranslation = 1000;

    private const string FolderSelect = "$select=displayName,parentFolderId";

    // PR_MESSAGE_SIZE: the v1.0 message resource has no size property of its own.
    private const string SizeExpand = "$expand=singleValueExtendedProperties($filter=id%20eq%20'Integer%200x0E08')";
    private const int MessageSizeTag = 0x0E08;

    private static readonly Lazy<HttpMessageHandler> s_sharedHandler = new(() => HttpStack.CreateServiceHandler(ProxySettings.System),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly GraphTransport _transport;

    /// <param name="handler">Null in production: every client shares one handler and its connection pool. Tests pass their
    /// own; the caller keeps ownership of it.</param>
    public GraphClient(GraphClientOptions options, IAccessTokenSource tokens, HttpMessageHandler? handler = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _transport = new GraphTransport(options, tokens ?? throw new ArgumentNullException(nameof(tokens)), handler ?? s_sharedHandler.Value);
    }

    // Graph's name of each selected message property, and the MailItem property it fills.
    private static readonly (string Name, MailItemProperties Property)[] s_messageProperties =
    {
        ("changeKey", MailItemProperties.ChangeKey), ("internetMessageId", MailItemProperties.InternetMessageId),
        ("conversationId", MailItemProperties.ConversationId), ("subject", MailItemProperties.Subject),
        ("from", MailItemProperties.Sender), ("toRecipients", MailItemProperties.ToRecipients),
        ("ccRecipients", MailItemProperties.CcRecipients), ("sentDateTime", MailItemProperties.Sent),
        ("receivedDateTime", MailItemProperties.Received), ("isRead", MailItemProperties.IsRead),
        ("hasAttachments", MailItemProperties.HasAttachments),
    };

    private static readonly MailItemProperties s_selected = Array.ConvertAll(s_messageProperties, p => p.Property)
        .Aggregate(MailItemProperties.None, (all, property) => all | property);

    /// <summary>The message properties every message request selects: what the store keeps (DESIGN.md §4).</summary>
    public static IReadOnlyList<string> MessageProperties { get; } = Array.ConvertAll(s_messageProperties, p => p.Name);

    public GraphClientOptions Options { get; }

    internal GraphTransport Transport => _transport;

    private string MessageQuery => "$select=" + string.Join(",", MessageProperties) + (Options.RequestMessageSize ? "&" + SizeExpand : string.Empty);

    /// <summary>
    /// Reads one folder by well-known name (inbox, sentitems, msgfolderroot...) or id. Reading the inbox is the preflight:
    /// it proves the mailbox exists and the app may read it.
    /// </summary>
    /// <param name="mailbox">The user's SMTP address, user principal name or object id.</param>
    public Task<MailFolder> GetMailFolderAsync(string mailbox, string folder, CallMetrics? metrics, CancellationToken cancellationToken) =>
        GetEntityAsync("GetMailFolder", mailbox, GraphRequestScope.Folder, "mailFolders/" + Escape(Require(folder, nameof(folder))) + "?" + FolderSelect,
            ReadFolder, metrics, cancellationToken);

    /// <summary>
    /// One page of changes to the mailbox's folders (mailFolders/delta). Start a round with a null link; then pass the
    /// page's <see cref="GraphDeltaPage{T}.Link"/> until a page <see cref="GraphDeltaPage{T}.IsLast"/>; keep that
    /// deltaLink for the next round.
    /// </summary>
    /// <exception cref="GraphException">GraphInvalidSyncState (SyncFault.InvalidSyncState): start again with a null link.</exception>
    public Task<GraphDeltaPage<MailFolder>> GetMailFolderChangesAsync(string mailbox, string? link, CallMetrics? metrics,
        CancellationToken cancellationToken)
    {
        var request = DeltaRequest("MailFoldersDelta", mailbox, GraphRequestScope.Mailbox, link, "mailFolders/delta?" + FolderSelect, Options.PageSize);
        return _transport.SendJsonAsync(request, (root, context) => ReadPage(root, context, ReadFolder), metrics, cancellationToken);
    }

    /// <summary>One page of message changes in one folder (messages/delta), with the selected properties; see
    /// <see cref="GetMailFolderChangesAsync"/> for how links continue a round.</summary>
    /// <exception cref="GraphException">GraphInvalidSyncState: start the folder again; GraphFolderNotFound: the folder is gone.</exception>
    /// <remarks>A changed message may carry only some properties (<see cref="MailItem.IsPartial"/>); one with every
    /// selected property is whole.</remarks>
    /// <param name="linkRead">Told the page's link and whether it is the deltaLink as soon as they are read, when the
    /// answer has them before its entries (as Graph writes them), so the next page can be asked for while this one's
    /// entries are still arriving; told again if the call is retried. The page returned carries the same link.</param>
    /// <param name="pageSize">Changes a page at most; <see cref="GraphClientOptions.PageSize"/> when null.</param>
    public Task<GraphDeltaPage<MailItem>> GetMessageChangesAsync(string mailbox, string folderId, string? link, CallMetrics? metrics,
        CancellationToken cancellationToken, Action<string, bool>? linkRead = null, int? pageSize = null)
    {
        var request = DeltaRequest("MessagesDelta", mailbox, GraphRequestScope.Folder, link,
            "mailFolders/" + Escape(Require(folderId, nameof(folderId))) + "/messages/delta?" + MessageQuery, pageSize ?? Options.PageSize);
        return _transport.SendJsonAsync(request, (root, context) => ReadPage(root, context, ReadMessage), metrics, cancellationToken,
            linkRead is null ? null : start =>
            {
                if (!GraphPageHead.TryRead(start.Span, out var early, out var isLast))
                {
                    return false;
                }

                // A link away from this endpoint is never followed; the page's whole read fails on it.
                if (early is not null && IsOwnLink(early))
                {
                    linkRead(early, isLast);
                }

                return true;
            });
    }

    /// <summary>One message, whole, with the selected properties.</summary>
    /// <exception cref="GraphException">GraphItemNotFound (SyncFault.ItemFailed): deleted meanwhile.</exception>
    public Task<MailItem> GetMessageAsync(string mailbox, string messageId, CallMetrics? metrics, CancellationToken cancellationToken) =>
        GetEntityAsync("GetMessage", mailbox, GraphRequestScope.Item, "messages/" + Escape(Require(messageId, nameof(messageId))) + "?" + MessageQuery,
            ReadMessage, metrics, cancellationToken);

    /// <summary>The message as MIME (RFC 822), read up to <see cref="GraphClientOptions.MaxMimeBytes"/>.</summary>
    /// <exception cref="GraphException">GraphResponseTooLarge or GraphItemNotFound (both SyncFault.ItemFailed).</exception>
    public Task<byte[]> GetMimeAsync(string mailbox, string messageId, CallMetrics? metrics, CancellationToken cancellationToken)
    {
        var request = new GraphRequest("GetMime", Require(mailbox, nameof(mailbox)), GraphRequestScope.Item,
            UserUri(mailbox, "messages/" + Escape(Require(messageId, nameof(messageId))) + "/$value")) { Accept = "*/*" };
        return _transport.SendBytesAsync(request, Options.MaxMimeBytes, metrics, cancellationToken);
    }

    /// <summary>
    /// Several messages as MIME, up to <see cref="MaxBatchRequests"/> in one JSON $batch: the server runs a batch's
    /// requests side by side, up to the mailbox's limit, so a batch takes that many of the mailbox's slots. A request of
    /// the batch that did not succeed (throttled, transient, not found, too large) is sent again on its own, after any
    /// Retry-After it got, and ends as that request would (null for a message deleted meanwhile).
    /// </summary>
    /// <returns>The MIME of each message, in the order of <paramref name="messageIds"/>; null for one deleted meanwhile.</returns>
    public async Task<IReadOnlyList<byte[]?>> GetMimeBatchAsync(string mailbox, IReadOnlyList<string> messageIds, CallMetrics? metrics,
        CancellationToken cancellationToken)
    {
        Require(mailbox, nameof(mailbox));
        var results = new byte[]?[messageIds.Count];
        var again = new List<int>();
        for (var start = 0; start < messageIds.Count; start += MaxBatchRequests)
        {
            var count = Math.Min(MaxBatchRequests, messageIds.Count - start);
            var request = new GraphRequest("BatchGetMime", mailbox, GraphRequestScope.Item, new Uri(Options.Endpoint.Root, "v1.0/$batch"))
            {
                Method = HttpMethod.Post,
                Body = MimeBatchBody(mailbox, messageIds, start, count),
                Slots = Math.Min(count, Options.MaxRequestsPerMailbox),
                // Base64 makes 3 bytes 4; the envelope and headers are small beside a message.
                MaxResponseBytes = Options.MaxResponseBytes + count * (Options.MaxMimeBytes / 3 * 4 + 4),
            };
            var answers = await _transport.SendJsonAsync(request, (root, context) => ReadMimeBatch(root, count, context), metrics, cancellationToken)
                .ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (answers[i].Mime is { } mime)
                {
                    results[start + i] = mime;
                    continue;
                }

                if (answers[i].RetryAfter is { } wait)
                {
                    // Each request of a batch counts against the mailbox: its Retry-After holds off every other one.
                    _transport.HoldOff(mailbox, wait);
                }

                again.Add(start + i);
            }
        }

        foreach (var index in again)
        {
            try
            {
                results[index] = await GetMimeAsync(mailbox, messageIds[index], metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.ErrorId == GraphErrorIds.ItemNotFound)
            {
                results[index] = null;
            }
        }

        return results;
    }

    /// <summary>
    /// Translates EWS ids (as the EWS access type stored them) into Graph's immutable REST ids, for switching an
    /// organization from EWS to Graph without syncing its mailboxes again. Any number of ids, sent 1,000 per call.
    /// </summary>
    public async Task<IReadOnlyList<GraphIdTranslation>> TranslateExchangeIdsAsync(string mailbox, IReadOnlyList<string> ewsIds,
        CallMetrics? metrics, CancellationToken cancellationToken)
    {
        Require(mailbox, nameof(mailbox));
        var results = new List<GraphIdTranslation>(ewsIds.Count);
        for (var start = 0; start < ewsIds.Count; start += MaxIdsPerTranslation)
        {
            var count = Math.Min(MaxIdsPerTranslation, ewsIds.Count - start);
            var request = new GraphRequest("TranslateExchangeIds", mailbox, GraphRequestScope.Mailbox, UserUri(mailbox, "translateExchangeIds"))
            {
                Method = HttpMethod.Post,
                Body = TranslationBody(ewsIds, start, count),
            };
            results.AddRange(await _transport.SendJsonAsync(request, ReadTranslations, metrics, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    public void Dispose() => _transport.Dispose();

    private Task<T> GetEntityAsync<T>(string operation, string mailbox, GraphRequestScope scope, string path,
        Func<JsonElement, string, GraphRequestContext, T> read, CallMetrics? metrics, CancellationToken cancellationToken)
    {
        var request = new GraphRequest(operation, Require(mailbox, nameof(mailbox)), scope, UserUri(mailbox, path));
        return _transport.SendJsonAsync(request, (root, context) =>
        {
            GraphJson.RequireObject(root, "the answer", context);
            return read(root, GraphJson.RequireString(root, "id", context), context);
        }, metrics, cancellationToken);
    }

    private GraphRequest DeltaRequest(string operation, string mailbox, GraphRequestScope scope, string? link, string firstPage, int pageSize)
    {
        Require(mailbox, nameof(mailbox));
        if (!Options.Endpoint.SupportsMailDelta)
        {
            throw new InboxException(GraphErrorIds.DeltaUnsupported, InboxErrorKind.InvalidOperation,
                $"Microsoft Graph in this cloud ({Options.Endpoint.Root.Host}) offers no delta queries for mail, which sync needs; {mailbox} cannot be synced over Graph.",
                "Sync this organization over EWS (Set-InboxAccessType -AccessType OAuthAppOnly) while Exchange allows it.", mailbox);
        }

        if (link is null)
        {
            return new GraphRequest(operation, mailbox, scope, UserUri(mailbox, firstPage)) { MaxPageSize = pageSize };
        }

        // Links are used verbatim (their tokens encode the query), but only towards this endpoint: the token goes with them.
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || !Options.Endpoint.Owns(uri))
        {
            throw GraphErrors.StateNotUsable(
                "it is not a Graph link of this endpoint (an EWS sync state, or a link of another cloud or endpoint); the folder is synchronized again from the start",
                new GraphRequestContext(operation, mailbox, scope));
        }

        return new GraphRequest(operation, mailbox, scope, uri) { MaxPageSize = pageSize };
    }

    private GraphDeltaPage<T> ReadPage<T>(JsonElement root, GraphRequestContext context, Func<JsonElement, string, GraphRequestContext, T> readValue)
        where T : class
    {
        GraphJson.RequireObject(root, "the answer", context);
        var next = Link(root, "@odata.nextLink", context);
        var delta = Link(root, "@odata.deltaLink", context);
        if (next is null && delta is null)
        {
            throw GraphJson.Misshapen("the page has neither @odata.nextLink nor @odata.deltaLink", context);
        }

        var entries = new List<GraphDeltaEntry<T>>();
        foreach (var value in GraphJson.RequireArray(root, "value", context).EnumerateArray())
        {
            GraphJson.RequireObject(value, "an entry of 'value'", context);
            var id = GraphJson.RequireString(value, "id", context);
            if (value.TryGetProperty("@removed", out var removed) && removed.ValueKind != JsonValueKind.Null)
            {
                var reason = removed.ValueKind == JsonValueKind.Object ? GraphJson.String(removed, "reason", context) : null;
                entries.Add(new GraphDeltaEntry<T>(id, null, reason ?? "deleted"));
            }
            else
            {
                entries.Add(new GraphDeltaEntry<T>(id, readValue(value, id, context), null));
            }
        }

        return new GraphDeltaPage<T>(entries, next, next is null ? delta : null);
    }

    private bool IsOwnLink(string link) => Uri.TryCreate(link, UriKind.Absolute, out var uri) && Options.Endpoint.Owns(uri);

    private string? Link(JsonElement root, string name, GraphRequestContext context)
    {
        var link = GraphJson.String(root, name, context);
        if (link is null)
        {
            return null;
        }

        // A hostile or misrouted answer must not lead the next request, and its bearer token, to another host.
        return IsOwnLink(link)
            ? link
            : throw GraphErrors.InvalidResponse($"its {name} points away from the Graph endpoint {Options.Endpoint.Root.Host}; InboxPS sends no token there", context);
    }

    private static MailFolder ReadFolder(JsonElement value, string id, GraphRequestContext context) =>
        new(id, GraphJson.String(value, "parentFolderId", context), GraphJson.String(value, "displayName", context), null);

    // Graph's "updated" entries may carry only the properties that changed: a missing one is "unchanged", never a null.
    private static MailItem ReadMessage(JsonElement value, string id, GraphRequestContext context)
    {
        var present = GraphJson.PropertyNames(value);
        var changeKey = GraphJson.String(value, "changeKey", context);
        if (changeKey is null && ChangeKeyFromEtag(GraphJson.String(value, "@odata.etag", context)) is { } fromEtag)
        {
            // Outlook's etag is W/"<changeKey>": an entry that carries it carries the change key.
            changeKey = fromEtag;
            present.Add("changeKey");
        }

        var item = new MailItem(id)
        {
            ChangeKey = changeKey,
            InternetMessageId = GraphJson.String(value, "internetMessageId", context),
            ConversationId = GraphJson.String(value, "conversationId", context),
            Subject = GraphJson.String(value, "subject", context),
            Sender = GraphJson.Recipient(value, "from", context) ?? GraphJson.Recipient(value, "sender", context),
            ToRecipients = GraphJson.Recipients(value, "toRecipients", context),
            CcRecipients = GraphJson.Recipients(value, "ccRecipients", context),
            Sent = GraphJson.Date(value, "sentDateTime", context),
            Received = GraphJson.Date(value, "receivedDateTime", context),
            IsRead = GraphJson.Boolean(value, "isRead", context),
            HasAttachments = GraphJson.Boolean(value, "hasAttachments", context),
            Size = ReadSize(value, context),
        };
        var carried = item.Size is null ? MailItemProperties.None : MailItemProperties.Size;
        if (present.Contains("sender"))
        {
            // Read in place of a missing "from" (as the documented update sample sends it).
            carried |= MailItemProperties.Sender;
        }

        foreach (var (name, property) in s_messageProperties)
        {
            if (present.Contains(name))
            {
                carried |= property;
            }
        }

        // Every selected property: the message whole, as Graph knows it (no item class; a size only when asked for).
        item.Properties = (carried & s_selected) == s_selected ? MailItemProperties.All : carried;
        return item;
    }

    private static string? ChangeKeyFromEtag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        var text = etag.StartsWith("W/", StringComparison.Ordinal) ? etag.Substring(2) : etag;
        return text.Length > 2 && text[0] == '"' && text[text.Length - 1] == '"' ? text.Substring(1, text.Length - 2) : null;
    }

    // singleValueExtendedProperties: [{"id":"Integer 0xe08","value":"12345"}]; Graph may spell the tag in either case.
    private static long? ReadSize(JsonElement value, GraphRequestContext context)
    {
        if (!value.TryGetProperty("singleValueExtendedProperties", out var properties) || properties.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        foreach (var property in GraphJson.RequireArray(value, "singleValueExtendedProperties", context).EnumerateArray())
        {
            GraphJson.RequireObject(property, "an extended property", context);
            var id = GraphJson.String(property, "id", context);
            const string Prefix = "Integer 0x";
            if (id is not null && id.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
                && int.TryParse(id.Substring(Prefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var tag)
                && tag == MessageSizeTag)
            {
                return long.TryParse(GraphJson.String(property, "value", context), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) && size >= 0
                    ? size
                    : throw GraphJson.Misshapen("the message size is not a whole number", context);
            }
        }

        return null;
    }

    private static IReadOnlyList<GraphIdTranslation> ReadTranslations(JsonElement root, GraphRequestContext context)
    {
        GraphJson.RequireObject(root, "the answer", context);
        var results = new List<GraphIdTranslation>();
        foreach (var value in GraphJson.RequireArray(root, "value", context).EnumerateArray())
        {
            GraphJson.RequireObject(value, "an entry of 'value'", context);
            string? error = null;
            if (value.TryGetProperty("errorDetails", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                error = GraphJson.String(details, "code", context) ?? "Unknown";
            }

            results.Add(new GraphIdTranslation(GraphJson.RequireString(value, "sourceId", context), GraphJson.String(value, "targetId", context), error));
        }

        return results;
    }

    private static byte[] MimeBatchBody(string mailbox, IReadOnlyList<string> ids, int start, int count)
    {
        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("requests");
            for (var i = 0; i < count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("id", i.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("method", "GET");
                writer.WriteString("url", "/users/" + Escape(mailbox) + "/messages/" + Escape(Require(ids[start + i], nameof(ids))) + "/$value");
                writer.WriteStartObject("headers");
                writer.WriteString("Prefer", "IdType=\"ImmutableId\"");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // A batch answer: {"responses":[{"id","status","headers":{"Retry-After"},"body"}]}, in any order. A non-JSON body
    // ($value) comes base64. Anything but a usable 200 is left for the caller to send again on its own.
    private (byte[]? Mime, TimeSpan? RetryAfter)[] ReadMimeBatch(JsonElement root, int count, GraphRequestContext context)
    {
        GraphJson.RequireObject(root, "the answer", context);
        var answers = new (byte[]?, TimeSpan?)[count];
        foreach (var response in GraphJson.RequireArray(root, "responses", context).EnumerateArray())
        {
            GraphJson.RequireObject(response, "an entry of 'responses'", context);
            if (!int.TryParse(GraphJson.RequireString(response, "id", context), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index >= count)
            {
                throw GraphJson.Misshapen("a batch response names a request that was not sent", context);
            }

            var status = response.TryGetProperty("status", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : 0;
            if (status == 200 && response.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String
                && body.TryGetBytesFromBase64(out var mime) && mime.LongLength <= Options.MaxMimeBytes)
            {
                answers[index] = (mime, null);
            }
            else if (response.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                answers[index] = (null, BatchRetryAfter(headers));
            }
        }

        return answers;
    }

    private static TimeSpan? BatchRetryAfter(JsonElement headers)
    {
        foreach (var header in headers.EnumerateObject())
        {
            if (header.Name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase) && header.Value.ValueKind == JsonValueKind.String)
            {
                return GraphTransport.ParseRetryAfter(header.Value.GetString());
            }
        }

        return null;
    }

    private static byte[] TranslationBody(IReadOnlyList<string> ids, int start, int count)
    {
        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputIds");
            for (var i = start; i < start + count; i++)
            {
                writer.WriteStringValue(ids[i]);
            }

            writer.WriteEndArray();
            writer.WriteString("sourceIdType", "ewsId");
            writer.WriteString("targetIdType", "restImmutableEntryId");
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private Uri UserUri(string mailbox, string rest) => new(Options.Endpoint.Root, "v1.0/users/" + Escape(mailbox) + "/" + rest);

    // Ids and UPNs may hold '/', '+', '=' or '#' (guest UPNs: user_contoso.com#EXT#@...).
    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Require(string value, string name) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("A value is required.", name);
}
