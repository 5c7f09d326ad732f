using System;
using System.Globalization;
using System.Linq;
using System.Text;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// The RFC 5322 message behind MimeContent: headers that agree with the EWS properties (From, To, Cc, Subject, Date,
/// Message-ID), encoded words for non-ASCII text, and a short generated body.
/// </summary>
internal static class MimeBuilder
{
    private static readonly string[] s_sentences =
    {
        "Please find the details below.", "Let me know if you have any questions.", "Thanks for the quick turnaround.",
        "We agreed to revisit this next week.", "The numbers are attached for review.", "Can you confirm by Friday?",
        "I have updated the tracker accordingly.", "See you at the meeting.",
    };

    public static byte[] Build(MessageData m)
    {
        var text = new StringBuilder(1024);
        text.Append("From: ").Append(Address(m.From)).Append("\r\n");
        text.Append("To: ").Append(string.Join(", ", m.To.Select(Address))).Append("\r\n");
        if (m.Cc.Count > 0)
        {
            text.Append("Cc: ").Append(string.Join(", ", m.Cc.Select(Address))).Append("\r\n");
        }

        text.Append("Subject: ").Append(IsPlain(m.Subject) ? m.Subject : EncodedWord(m.Subject)).Append("\r\n");
        text.Append("Date: ").Append(m.Sent.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append("Message-ID: ").Append(m.InternetMessageId).Append("\r\n");
        text.Append("MIME-Version: 1.0\r\n");
        text.Append("Content-Type: text/plain; charset=\"utf-8\"\r\n");
        text.Append("Content-Transfer-Encoding: 7bit\r\n\r\n");
        text.Append("Hello,\r\n\r\n");
        for (var i = 0; i < 3; i++)
        {
            text.Append(s_sentences[Mix.Pick(Mix.Hash(m.BodySeed, i), s_sentences.Length)]).Append("\r\n");
        }

        text.Append("\r\n-- \r\n").Append(Ascii(m.From.Name)).Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Address(Recipient r) =>
        (IsPlain(r.Name) ? "\"" + r.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : EncodedWord(r.Name))
        + " <" + r.Address + ">";

    private static bool IsPlain(string value) => value.All(c => c is >= ' ' and < (char)127);

    /// <summary>RFC 2047: non-ASCII header text travels as base64 UTF-8.</summary>
    private static string EncodedWord(string value) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    private static string Ascii(string value) => new(value.Select(c => c < 127 ? c : '?').ToArray());
}
