using System;
using System.Text.Json;

namespace InboxPS.Core.Graph;

/// <summary>
/// A delta page's link, read from the beginning of its body while the rest is still on its way. Graph writes
/// @odata.nextLink or @odata.deltaLink before "value" (every delta sample in Microsoft's docs does), so the next page can
/// be asked for before this page's entries have arrived. A body that starts otherwise tells nothing early; it is read
/// whole as always.
/// </summary>
internal static class GraphPageHead
{
    /// <summary>A link later than this far into the body is not looked for early: the scan starts over per chunk.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Looks at the first bytes of a body. False: more bytes are needed. True: done, with the link and whether it is a
    /// deltaLink (the last page of the round), or with a null link when none comes before "value".
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> start, out string? link, out bool isLast)
    {
        link = null;
        isLast = false;
        if (start.Length > MaxBytes)
        {
            start = start.Slice(0, MaxBytes);
        }

        // Past MaxBytes more bytes change nothing: done, with no link.
        var givenUp = start.Length == MaxBytes;
        var reader = new Utf8JsonReader(start, isFinalBlock: false, state: default);
        if (!reader.Read())
        {
            return givenUp;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return true;
        }

        while (true)
        {
            if (!reader.Read())
            {
                return givenUp;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueTextEquals("value"u8))
            {
                return true;
            }

            var isNext = reader.ValueTextEquals("@odata.nextLink"u8);
            var isDelta = !isNext && reader.ValueTextEquals("@odata.deltaLink"u8);
            if (isNext || isDelta)
            {
                if (!reader.Read())
                {
                    return givenUp;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    link = reader.GetString();
                    isLast = isDelta;
                }

                return true;
            }

            if (!reader.TrySkip())
            {
                return givenUp;
            }
        }
    }
}
