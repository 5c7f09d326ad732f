using System;
using System.Collections.Generic;
using System.Globalization;

namespace InboxPS.Simulator.Tenant;

internal sealed record Recipient(string Name, string Address);

/// <summary>Every property the simulator models for a message, already resolved (generated values plus changes).</summary>
internal sealed record MessageData(
    ItemKey Key,
    int Version,
    string Subject,
    Recipient From,
    IReadOnlyList<Recipient> To,
    IReadOnlyList<Recipient> Cc,
    DateTime Sent,
    DateTime Received,
    DateTime LastModified,
    int Size,
    bool IsRead,
    bool HasAttachments,
    bool IsDraft,
    bool IsFromMe,
    string InternetMessageId,
    byte[] ConversationId,
    string ConversationTopic,
    int BodySeed);

/// <summary>
/// Produces a mailbox's items from (seed, mailbox, folder, number): nothing is stored, the same inputs always give the
/// same message. Subjects mix ASCII with accented and CJK text so clients meet real-world encodings.
/// </summary>
internal sealed class ItemGenerator
{
    /// <summary>The newest generated item is received at this time; older ones step back from it.</summary>
    public static readonly DateTime NewestGenerated = new(2026, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    private static readonly string[] s_topics =
    {
        "Quarterly budget review", "Team offsite planning", "Contract renewal: Fabrikam", "Server maintenance window",
        "Überprüfung der Rechnung Q3", "Onboarding checklist", "Réunion de projet — compte rendu", "Security awareness training",
        "Travel approval", "出張の精算について", "Customer escalation #4471", "Weekly status report", "Holiday schedule",
        "Invoice 2026-0193 overdue", "Design review notes", "Lunch on Friday?", "Password expiry notice (test)",
        "Release 4.2 sign-off", "Hiring panel feedback", "Office move: desk assignments",
    };

    private static readonly string[] s_prefixes = { "", "", "", "RE: ", "FW: ", "RE: RE: " };

    private readonly TenantDirectory _directory;
    private readonly int _seed;

    public ItemGenerator(TenantDirectory directory, int seed)
    {
        _directory = directory;
        _seed = seed;
    }

    /// <summary>The read flag of a generated item, without generating the rest (folder unread counts need only this).</summary>
    public bool GeneratedIsRead(ItemKey key, FolderData folder) => GeneratedIsRead(key, folder.Index);

    private bool GeneratedIsRead(ItemKey key, int folderIndex) => folderIndex switch
    {
        WellKnownFolders.SentItems or 4 => true,
        WellKnownFolders.Inbox => Mix.Chance(Mix.Hash(_seed, key.Mailbox, key.Folder, key.Number, 0x1E), 70),
        _ => Mix.Chance(Mix.Hash(_seed, key.Mailbox, key.Folder, key.Number, 0x1E), 90),
    };

    public MessageData Generate(ItemKey key, FolderData folder, DateTime? createdAt, ItemOverride? change) =>
        Generate(key, folder.Index, folder.GeneratedCount, createdAt, change);

    /// <summary>The item as generated in folder <paramref name="folderIndex"/> (which held <paramref name="generatedCount"/> generated items).</summary>
    public MessageData Generate(ItemKey key, int folderIndex, int generatedCount, DateTime? createdAt, ItemOverride? change)
    {
        var h = Mix.Hash(_seed, key.Mailbox, key.Folder, key.Number);
        var owner = _directory.Get(key.Mailbox);
        var ownerRecipient = new Recipient(owner.DisplayName, owner.PrimarySmtp);
        var isSent = folderIndex == WellKnownFolders.SentItems;
        var isDraft = folderIndex == 4;
        var fromOwner = isSent || isDraft;

        var topicIndex = Mix.Pick(h, s_topics.Length);
        var topic = s_topics[topicIndex];
        var subject = s_prefixes[Mix.Pick(h >> 8, s_prefixes.Length)] + topic;

        var received = createdAt ?? NewestGenerated
            - TimeSpan.FromHours(3 * (generatedCount - 1 - key.Number))
            - TimeSpan.FromMinutes(Mix.Pick(h >> 16, 90));
        received = new DateTime(received.Ticks - (received.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var sent = received - TimeSpan.FromSeconds(5 + Mix.Pick(h >> 24, 300));

        var from = fromOwner ? ownerRecipient : Correspondent(Mix.Hash(h, 0xF0));
        var to = new List<Recipient>();
        if (!fromOwner)
        {
            to.Add(ownerRecipient);
        }

        var extraTo = (fromOwner ? 1 : 0) + Mix.Pick(h >> 32, 3);
        for (var i = 0; i < extraTo; i++)
        {
            to.Add(Correspondent(Mix.Hash(h, 0x70 + i)));
        }

        var cc = new List<Recipient>();
        if (Mix.Chance(Mix.Hash(h, 0xCC), 30))
        {
            cc.Add(Correspondent(Mix.Hash(h, 0xCD)));
        }

        var hasAttachments = Mix.Chance(Mix.Hash(h, 0xA7), 15);
        var size = 1_500 + Mix.Pick(Mix.Hash(h, 0x51), 60_000) + (hasAttachments ? Mix.Pick(Mix.Hash(h, 0x52), 2_000_000) : 0);
        var conversationId = new byte[16];
        BitConverter.TryWriteBytes(conversationId.AsSpan(0, 8), Mix.Hash(_seed, key.Mailbox, 0xC0, topicIndex));
        BitConverter.TryWriteBytes(conversationId.AsSpan(8, 8), Mix.Hash(_seed, key.Mailbox, 0xC1, topicIndex));

        return new MessageData(
            key,
            change?.Version ?? 1,
            change?.Subject ?? subject,
            from,
            to,
            cc,
            sent,
            received,
            change?.LastModified ?? received,
            size,
            change?.IsRead ?? GeneratedIsRead(key, folderIndex),
            hasAttachments,
            isDraft,
            fromOwner,
            string.Create(CultureInfo.InvariantCulture, $"<{h:x16}.{key.Number}@{TenantDirectory.Domain}>"),
            conversationId,
            topic,
            (int)(h >> 40));
    }

    /// <summary>A sender or recipient: usually a colleague from the tenant, sometimes an outside partner.</summary>
    private Recipient Correspondent(ulong h)
    {
        if (Mix.Chance(h, 65))
        {
            var colleague = _directory.Get(1 + Mix.Pick(h >> 8, _directory.UserCount));
            return new Recipient(colleague.DisplayName, colleague.PrimarySmtp);
        }

        var partner = _directory.Get(1 + Mix.Pick(h >> 16, _directory.UserCount)).DisplayName;
        var address = partner.ToLowerInvariant().Replace(' ', '.').Replace("'", "", StringComparison.Ordinal);
        return new Recipient(partner + " (Fabrikam)", NonAscii.ToAsciiLocalPart(address) + "@fabrikam.test");
    }
}

/// <summary>Keeps generated addresses ASCII: display names may be accented, SMTP local parts are not.</summary>
internal static class NonAscii
{
    public static string ToAsciiLocalPart(string value)
    {
        var normalized = value.Normalize(System.Text.NormalizationForm.FormD);
        var chars = new System.Text.StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (c < 128)
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
