using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// A mailbox over Graph: mailFolders/{id|well-known name}, mailFolders/delta, mailFolders/{id}/messages/delta,
/// messages/{id}, messages/{id}/$value and translateExchangeIds. Delta rounds ride on the EWS side's change log and sync
/// states (one ground truth), wrapped in Graph's links and shapes (delta-query-messages.md, message-delta.md).
/// </summary>
internal sealed class GraphMail
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 1000;
    public const int MaxTranslateIds = 1000;

    private static readonly string[] s_wellKnownNames = { "msgfolderroot", "inbox", "sentitems", "drafts", "deleteditems", "junkemail", "outbox", "archive" };

    private readonly GraphServices _services;
    private readonly GraphUsers _users;

    public GraphMail(GraphServices services)
    {
        _services = services;
        _users = new GraphUsers(services);
    }

    private TenantStore Store => _services.Store;

    private GraphIds Ids => _services.Ids;

    public async Task<GraphResponse> HandleAsync(GraphRequest request, GraphCaller caller, GraphRoute route, CancellationToken ct)
    {
        var mailbox = ResolveMailbox(caller, route.User!);
        var admission = _services.Throttling.Admit(caller.AppId, mailbox, Store.Flags(mailbox));
        if (admission.Refusal is { } refusal)
        {
            _services.Metrics.Throttled(admission.Cause!);
            if (admission.Violation)
            {
                _services.Metrics.Violation(mailbox);
            }

            throw new GraphErrorException(refusal);
        }

        try
        {
            InjectedFault(mailbox);
            if (_services.Latency > TimeSpan.Zero)
            {
                // Inside the mailbox's slot, as a busy backend holds it: what makes a fifth concurrent call meet the limit.
                await Task.Delay(_services.Latency, ct);
            }

            if (Store.Flags(mailbox).MoveInProgress)
            {
                throw new GraphErrorException(GraphError.MailboxMoveInProgress(_services.Throttling.RetryAfter));
            }

            var working = Stopwatch.GetTimestamp();
            var userSegment = _services.Tokens.UserObjectId(mailbox);
            var response = route.Name switch
            {
                "mailFolder" => GetFolder(request, mailbox, route.Folder!),
                "mailFolders/delta" => FoldersDelta(request, caller, mailbox, userSegment),
                "messages/delta" => MessagesDelta(request, caller, mailbox, userSegment, route.Folder!),
                "message" => GetMessage(request, caller, mailbox, userSegment, route.Message!),
                "$value" => GetMime(caller, mailbox, route.Message!),
                _ => TranslateIds(request, mailbox),
            };
            var work = _services.ServiceTime.Cost(response.Items, response.Body.Length);
            _services.Metrics.Served(route.Name, response.SyncFolder, response.Items, response.Body.Length, work);
            // The front end's place is free when the service time has passed, whenever this process gets round to it.
            FrontEndCall.Current?.ServedAt(ServiceTimeModel.EndOf(work, working));
            await ServiceTimeModel.SpendAsync(work, working, ct);

            return response;
        }
        finally
        {
            _services.Throttling.Release(caller.AppId, mailbox);
        }
    }

    /// <summary>The mailbox a /users/{id}/... call acts on, in the order Exchange's REST front end refuses: user, mailbox, permission, scope.</summary>
    private int ResolveMailbox(GraphCaller caller, string id)
    {
        var user = _users.Find(id) ?? throw new GraphErrorException(GraphError.MailboxResourceNotFound);
        var flags = Store.Flags(user.Index);
        if (!flags.HasMailbox)
        {
            throw new GraphErrorException(GraphError.MailboxNotEnabled);
        }

        if (!caller.CanReadMail)
        {
            throw new GraphErrorException(GraphError.AccessDenied);
        }

        if (!_services.MailboxScopes.Allows(new EwsCaller(caller.AppId, true, null), user.Index, flags))
        {
            throw new GraphErrorException(GraphError.AccessToODataDisabled);
        }

        return user.Index;
    }

    private void InjectedFault(int mailbox)
    {
        foreach (var (quirk, error) in new[] { (GraphQuirk.Http503, GraphError.ServiceUnavailable(_services.Throttling.RetryAfter)), (GraphQuirk.Http504, GraphError.GatewayTimeout(_services.Throttling.RetryAfter)) })
        {
            if (_services.Quirks.Take(quirk, mailbox))
            {
                _services.Metrics.Quirk(quirk.ToString());
                throw new GraphErrorException(error);
            }
        }
    }

    private GraphResponse GetFolder(GraphRequest request, int mailbox, string folderRef)
    {
        var json = Store.Read(mailbox, data =>
        {
            var folder = FindFolder(data, mailbox, folderRef) ?? throw new GraphErrorException(GraphError.ItemNotFound);
            return FolderJson(FolderView.Of(Store, mailbox, data, folder), SelectSet(request.QueryValue("$select")));
        });
        var body = new JsonObject { ["@odata.context"] = _services.BaseUrl + $"$metadata#users('{_services.Tokens.UserObjectId(mailbox)}')/mailFolders/$entity" };
        foreach (var (name, node) in json.ToList())
        {
            json.Remove(name);
            body[name] = node;
        }

        return GraphResponse.Json(200, body);
    }

    /// <summary>A mail folder by well-known name or Graph (or EWS) id; non-mail folders and other mailboxes' ids are not found.</summary>
    private FolderData? FindFolder(MailboxData data, int mailbox, string folderRef)
    {
        if (s_wellKnownNames.Contains(folderRef, StringComparer.OrdinalIgnoreCase))
        {
            return data.FolderByDistinguishedName(folderRef);
        }

        if (!Ids.TryParseFolderId(folderRef, out var owner, out var index))
        {
            throw new GraphErrorException(GraphError.IdMalformed);
        }

        return owner == mailbox && data.Folder(index) is { Kind: FolderKind.Mail } folder ? folder : null;
    }

    private GraphResponse FoldersDelta(GraphRequest request, GraphCaller caller, int mailbox, string userSegment)
    {
        const string kind = "mailFolders";
        var state = StartState(request, caller, mailbox, WellKnownFolders.MsgFolderRoot, kind);
        var outcome = _services.Sync.SyncHierarchy(mailbox, WellKnownFolders.MsgFolderRoot, state.SyncState, out var page);
        if (outcome != SyncOutcome.Ok)
        {
            throw Expired(state, mailbox, WellKnownFolders.MsgFolderRoot, kind);
        }

        var select = SelectSet(state.Select);
        var changes = Store.Read(mailbox, data => page!.Changes.Where(c => data.Folders[c.FolderIndex].Kind == FolderKind.Mail).ToList());
        var max = PageSize(request);
        var value = new JsonArray();
        foreach (var change in changes.Skip(state.Offset).Take(max))
        {
            // A deleted folder as @removed is not in Microsoft's samples (MANIFEST: "Shapes Microsoft does not document"); shaped like messages'.
            value.Add(change.Kind == ChangeKind.Delete
                ? Removed("#microsoft.graph.mailFolder", Ids.FolderId(mailbox, change.FolderIndex), "deleted")
                : FolderJson(change.Folder!, select));
        }

        var more = state.Offset + max < changes.Count;
        var next = more ? state with { Offset = state.Offset + max, IsDeltaLink = false } : state with { SyncState = page!.SyncState, Offset = 0, IsDeltaLink = true };
        var link = _services.BaseUrl + $"users/{userSegment}/mailFolders/delta";
        return DeltaPage("Collection(mailFolder)", link, Issue(next, mailbox, WellKnownFolders.MsgFolderRoot, kind), value);
    }

    private GraphResponse MessagesDelta(GraphRequest request, GraphCaller caller, int mailbox, string userSegment, string folderRef)
    {
        const string kind = "messages";
        var (folderIndex, folderName) = Store.Read(mailbox, data =>
        {
            if (FindFolder(data, mailbox, folderRef) is { } folder)
            {
                return (folder.Index, folder.DisplayName);
            }

            // A folder deleted mid-round: its links now name a folder that is gone (ErrorSyncFolderNotFound, UNCONFIRMED code).
            throw new GraphErrorException(Ids.TryParseFolderId(folderRef, out _, out _) ? GraphError.SyncFolderNotFound : GraphError.ItemNotFound);
        });
        var state = StartState(request, caller, mailbox, folderIndex, kind);
        var select = SelectSet(state.Select);
        var link = _services.BaseUrl + $"users/{userSegment}/mailFolders('{Ids.FolderId(mailbox, folderIndex)}')/messages/delta";
        var immutable = request.WantsImmutableIds;
        if (_services.Quirks.Take(GraphQuirk.EmptyPage, mailbox))
        {
            _services.Metrics.Quirk(nameof(GraphQuirk.EmptyPage));
            return SyncPage(DeltaPage("Collection(message)", link, Issue(state with { IsDeltaLink = false }, mailbox, folderIndex, kind), new JsonArray()));
        }

        var partialUpdates = _services.Quirks.Take(GraphQuirk.PartialUpdates, mailbox);
        var outcome = _services.Sync.SyncItems(mailbox, folderIndex, state.SyncState, PageSize(request), new HashSet<ItemKey>(), out var page);
        if (outcome == SyncOutcome.FolderNotFound)
        {
            throw new GraphErrorException(GraphError.SyncFolderNotFound);
        }

        if (outcome != SyncOutcome.Ok)
        {
            throw Expired(state, mailbox, folderIndex, kind);
        }

        var (value, last) = Store.Read(mailbox, data =>
        {
            var folder = data.Folder(folderIndex)!;
            var items = new JsonArray();
            int? lastSent = state.LastItem;
            if (state.LastItem is { } replay && folder.Exists(replay) && _services.Quirks.Take(GraphQuirk.Replay, mailbox))
            {
                _services.Metrics.Quirk(nameof(GraphQuirk.Replay));
                items.Add(MessageJson(Store.Resolve(mailbox, folder, replay), folder, select, immutable, caller.CanReadBodies));
            }

            foreach (var change in page!.Changes.Where(c => Wanted(state.ChangeType, c.Kind)))
            {
                items.Add(change.Kind switch
                {
                    ChangeKind.Delete => Removed("#microsoft.graph.message", MessageId(folder, change.Key, immutable), folder.MovedOut.Contains(change.Key.Number) ? "changed" : "deleted"),
                    ChangeKind.ReadFlag => ReadFlagJson(folder, change.Key, immutable),
                    ChangeKind.Update when partialUpdates => ChangedOnly(MessageJson(change.Message!, folder, select, immutable, caller.CanReadBodies), folder, change.Key),
                    _ => MessageJson(change.Message!, folder, select, immutable, caller.CanReadBodies),
                });
                lastSent = change.Kind == ChangeKind.Delete ? lastSent : change.Key.Number;
            }

            return (items, lastSent);
        });

        var next = state with { SyncState = page!.SyncState, IsDeltaLink = page.IncludesLast, LastItem = last };
        return SyncPage(DeltaPage("Collection(message)", link, Issue(next, mailbox, folderIndex, kind), value));

        GraphResponse SyncPage(GraphResponse response)
        {
            response.SyncFolder = folderName;
            return response;
        }
    }

    private static bool Wanted(string? changeType, ChangeKind kind) => changeType?.ToLowerInvariant() switch
    {
        "created" => kind == ChangeKind.Create,
        "updated" => kind is ChangeKind.Update or ChangeKind.ReadFlag,
        "deleted" => kind == ChangeKind.Delete,
        _ => true,
    };

    /// <summary>The round's state: decoded from $skiptoken/$deltatoken (checked against app, mailbox, folder, epoch, generation) or a fresh one.</summary>
    private DeltaState StartState(GraphRequest request, GraphCaller caller, int mailbox, int folder, string kind)
    {
        var token = request.QueryValue("$skiptoken") ?? request.QueryValue("$deltatoken");
        var highest = _services.Quirks.HighestGeneration(mailbox, folder, kind);
        if (token is null)
        {
            var changeType = request.QueryValue("changeType");
            if (changeType is not (null or "created" or "updated" or "deleted"))
            {
                throw new GraphErrorException(GraphError.BadRequest($"The value '{changeType}' of changeType is not supported."));
            }

            return new DeltaState
            {
                Kind = kind, Mailbox = mailbox, Folder = folder, App = caller.AppId.ToLowerInvariant(), Select = request.QueryValue("$select"),
                ChangeType = changeType, Epoch = _services.Quirks.Epoch(mailbox, folder),
            };
        }

        if (!_services.Codec.TryDecode(token, out var state) || state.Kind != kind || state.Mailbox != mailbox || state.Folder != folder
            || !state.App.Equals(caller.AppId, StringComparison.OrdinalIgnoreCase))
        {
            throw new GraphErrorException(GraphError.SyncStateNotFound(0, highest));
        }

        if (state.Epoch != _services.Quirks.Epoch(mailbox, folder)
            || (state.Generation < highest && _services.Quirks.RefusesStaleLinks(mailbox)))
        {
            throw new GraphErrorException(GraphError.SyncStateNotFound(state.Generation, highest));
        }

        return state;
    }

    private GraphErrorException Expired(DeltaState state, int mailbox, int folder, string kind) =>
        new(GraphError.SyncStateNotFound(state.Generation, _services.Quirks.HighestGeneration(mailbox, folder, kind)));

    /// <summary>The next state as the newest generation of the folder's links (what stale-link refusal compares with).</summary>
    private DeltaState Issue(DeltaState next, int mailbox, int folder, string kind) =>
        next with { Generation = _services.Quirks.NextGeneration(mailbox, folder, kind) };

    private GraphResponse DeltaPage(string context, string link, DeltaState next, JsonArray value)
    {
        var token = _services.Codec.Encode(next);
        var body = new JsonObject { ["@odata.context"] = _services.BaseUrl + "$metadata#" + context };
        body[next.IsDeltaLink ? "@odata.deltaLink" : "@odata.nextLink"] = link + (next.IsDeltaLink ? "?$deltatoken=" : "?$skiptoken=") + token;
        body["value"] = value;
        var response = GraphResponse.Json(200, body);
        response.Items = value.Count;
        return response;
    }

    private int PageSize(GraphRequest request) => Math.Clamp(request.MaxPageSize ?? DefaultPageSize, 1, MaxPageSize);

    private GraphResponse GetMessage(GraphRequest request, GraphCaller caller, int mailbox, string userSegment, string id)
    {
        var immutable = request.WantsImmutableIds;
        var json = Store.Read(mailbox, data =>
        {
            var (folder, key) = FindItem(data, mailbox, id);
            return MessageJson(Store.Resolve(mailbox, folder, key.Number), folder, SelectSet(request.QueryValue("$select")), immutable, caller.CanReadBodies);
        });
        json.Remove("@odata.type");
        var body = new JsonObject { ["@odata.context"] = _services.BaseUrl + $"$metadata#users('{userSegment}')/messages/$entity" };
        foreach (var (name, node) in json.ToList())
        {
            json.Remove(name);
            body[name] = node;
        }

        return GraphResponse.Json(200, body);
    }

    /// <summary>The same RFC 5322 message EWS returns as MimeContent; content type as in message-get.md's $value sample.</summary>
    private GraphResponse GetMime(GraphCaller caller, int mailbox, string id)
    {
        if (!caller.CanReadBodies)
        {
            // Mail.ReadBasic.All excludes the body; that $value is refused with it is UNCONFIRMED (graph-reference section 6).
            throw new GraphErrorException(GraphError.AccessDenied);
        }

        var mime = Store.Read(mailbox, data =>
        {
            var (folder, key) = FindItem(data, mailbox, id);
            return MimeBuilder.Build(Store.Resolve(mailbox, folder, key.Number));
        });
        return new GraphResponse(200, mime, "text/plain");
    }

    /// <summary>An item by default (REST) id or immutable id; gone, foreign or moved-away default ids are ErrorItemNotFound.</summary>
    private (FolderData Folder, ItemKey Key) FindItem(MailboxData data, int mailbox, string id)
    {
        ItemKey? key = Ids.TryParseImmutableItemId(id, out var origin) ? (origin.Mailbox == mailbox ? Store.FindByOrigin(data, origin) : null)
            : Ids.TryParseItemId(id, out var rest) ? rest
            : throw new GraphErrorException(GraphError.IdMalformed);
        if (key is { } k && k.Mailbox == mailbox && data.Folder(k.Folder) is { } folder && folder.Exists(k.Number))
        {
            return (folder, k);
        }

        throw new GraphErrorException(GraphError.ItemNotFound);
    }

    private string MessageId(FolderData folder, ItemKey key, bool immutable) =>
        immutable ? Ids.ImmutableItemId(TenantStore.OriginOf(folder, key)) : Ids.ItemId(key);

    private JsonObject ReadFlagJson(FolderData folder, ItemKey key, bool immutable)
    {
        var version = folder.Overrides.TryGetValue(key.Number, out var change) ? change.Version : 1;
        return new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.message",
            ["@odata.etag"] = "W/\"" + Store.Ids.ItemChangeKey(key, version) + "\"",
            ["isRead"] = Store.IsRead(key.Mailbox, folder, key.Number),
            ["id"] = MessageId(folder, key, immutable),
        };
    }

    // An update as "id + at least changed props": what the edit touched (the subject, when edited), no more.
    private static JsonObject ChangedOnly(JsonObject message, FolderData folder, ItemKey key)
    {
        var edited = folder.Overrides.TryGetValue(key.Number, out var change) && change.Subject is not null;
        foreach (var (name, _) in message.ToList())
        {
            if (name is not ("@odata.type" or "@odata.etag" or "id" or "changeKey") && !(edited && name == "subject"))
            {
                message.Remove(name);
            }
        }

        return message;
    }

    private static JsonObject Removed(string type, string id, string reason) => new()
    {
        ["@odata.type"] = type,
        ["id"] = id,
        ["@removed"] = new JsonObject { ["reason"] = reason },
    };

    private JsonObject MessageJson(MessageData m, FolderData folder, HashSet<string>? select, bool immutable, bool bodies)
    {
        var changeKey = Store.Ids.ItemChangeKey(m.Key, m.Version);
        var text = Encoding.UTF8.GetString(MimeBuilder.Build(m));
        var bodyText = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var all = new List<(string Name, Func<JsonNode?> Value)>
        {
            ("createdDateTime", () => Time(m.Received)),
            ("lastModifiedDateTime", () => Time(m.LastModified)),
            ("changeKey", () => changeKey),
            ("categories", () => new JsonArray()),
            ("receivedDateTime", () => Time(m.Received)),
            ("sentDateTime", () => Time(m.Sent)),
            ("hasAttachments", () => m.HasAttachments),
            ("internetMessageId", () => m.InternetMessageId),
            ("subject", () => m.Subject),
            ("bodyPreview", () => bodies ? bodyText.Replace("\r\n", " ", StringComparison.Ordinal).Trim() : null),
            ("importance", () => "normal"),
            ("parentFolderId", () => Ids.FolderId(m.Key.Mailbox, folder.Index)),
            ("conversationId", () => GraphIds.RestFromEws(Convert.ToBase64String(m.ConversationId))),
            ("isDeliveryReceiptRequested", () => false),
            ("isReadReceiptRequested", () => false),
            ("isRead", () => m.IsRead),
            ("isDraft", () => m.IsDraft),
            ("webLink", () => "https://outlook.office365.com/owa/?ItemID=" + Uri.EscapeDataString(Store.Ids.ItemId(m.Key)) + "&exvsurl=1&viewmodel=ReadMessageItem"),
            ("inferenceClassification", () => "focused"),
            ("body", () => bodies ? new JsonObject { ["contentType"] = "text", ["content"] = bodyText } : null),
            ("sender", () => Address(m.From)),
            ("from", () => Address(m.From)),
            ("toRecipients", () => new JsonArray(m.To.Select(r => (JsonNode)Address(r)).ToArray())),
            ("ccRecipients", () => new JsonArray(m.Cc.Select(r => (JsonNode)Address(r)).ToArray())),
            ("bccRecipients", () => new JsonArray()),
            ("replyTo", () => new JsonArray()),
            ("flag", () => new JsonObject { ["flagStatus"] = "notFlagged" }),
        };
        var json = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.message",
            ["@odata.etag"] = "W/\"" + changeKey + "\"",
        };
        foreach (var (name, value) in all.Where(p => select is null || select.Contains(p.Name)))
        {
            if (name is "body" or "bodyPreview" && !bodies)
            {
                continue;
            }

            json[name] = value();
        }

        json["id"] = MessageId(folder, m.Key, immutable);
        return json;
    }

    private JsonObject FolderJson(FolderView f, HashSet<string>? select)
    {
        var all = new List<(string Name, JsonNode? Value)>
        {
            ("displayName", f.DisplayName),
            ("parentFolderId", f.ParentIndex >= 0 ? Ids.FolderId(f.Mailbox, f.ParentIndex) : null),
            ("childFolderCount", f.ChildFolderCount),
            ("unreadItemCount", f.UnreadCount),
            ("totalItemCount", f.TotalCount),
            ("isHidden", false),
        };
        var json = new JsonObject { ["id"] = Ids.FolderId(f.Mailbox, f.Index) };
        foreach (var (name, value) in all.Where(p => select is null || select.Contains(p.Name)))
        {
            json[name] = value;
        }

        return json;
    }

    private GraphResponse TranslateIds(GraphRequest request, int mailbox)
    {
        JsonNode? body;
        try
        {
            body = request.Body is null ? null : JsonNode.Parse(request.Body);
        }
        catch (JsonException)
        {
            body = null;
        }

        var inputs = (body?["inputIds"] as JsonArray)?.Select(n => n?.ToString() ?? "").ToList();
        var source = body?["sourceIdType"]?.ToString();
        var target = body?["targetIdType"]?.ToString();
        if (inputs is null || source is null || target is null)
        {
            throw new GraphErrorException(GraphError.BadRequest("inputIds, sourceIdType and targetIdType are required."));
        }

        if (inputs.Count > MaxTranslateIds)
        {
            throw new GraphErrorException(GraphError.BadRequest($"Too many ids: at most {MaxTranslateIds} per request."));
        }

        var value = new JsonArray();
        Store.Read(mailbox, data =>
        {
            foreach (var input in inputs)
            {
                var result = new JsonObject();
                var key = ParseAs(data, mailbox, input, source);
                if (key is { } k && k.Mailbox == mailbox && data.Folder(k.Folder) is { } folder && folder.Exists(k.Number) && Format(folder, k, target) is { } converted)
                {
                    result["targetId"] = converted;
                    result["sourceId"] = input;
                }
                else
                {
                    result["sourceId"] = input;
                    result["errorDetails"] = new JsonObject { ["code"] = "ErrorInvalidIdMalformed", ["message"] = "Id is malformed." };
                }

                value.Add(result);
            }

            return true;
        });
        return GraphResponse.Json(200, new JsonObject
        {
            ["@odata.context"] = _services.BaseUrl + "$metadata#Collection(microsoft.graph.convertIdResult)",
            ["value"] = value,
        });
    }

    private ItemKey? ParseAs(MailboxData data, int mailbox, string id, string type) => type.ToLowerInvariant() switch
    {
        "ewsid" => Store.Ids.TryParseItemId(id, out var ews) ? ews : null,
        "restid" => Ids.TryParseItemId(id, out var rest) ? rest : null,
        "restimmutableentryid" => Ids.TryParseImmutableItemId(id, out var origin) && origin.Mailbox == mailbox ? Store.FindByOrigin(data, origin) : null,
        _ => throw new GraphErrorException(GraphError.BadRequest($"The id type '{type}' is not supported by the simulator (ewsId, restId, restImmutableEntryId).")),
    };

    private string? Format(FolderData folder, ItemKey key, string type) => type.ToLowerInvariant() switch
    {
        "ewsid" => Store.Ids.ItemId(key),
        "restid" => Ids.ItemId(key),
        "restimmutableentryid" => Ids.ImmutableItemId(TenantStore.OriginOf(folder, key)),
        _ => throw new GraphErrorException(GraphError.BadRequest($"The id type '{type}' is not supported by the simulator (ewsId, restId, restImmutableEntryId).")),
    };

    private static JsonObject Address(Recipient r) =>
        new() { ["emailAddress"] = new JsonObject { ["name"] = r.Name, ["address"] = r.Address } };

    private static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static HashSet<string>? SelectSet(string? select) =>
        string.IsNullOrWhiteSpace(select) ? null : new HashSet<string>(select.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);
}
