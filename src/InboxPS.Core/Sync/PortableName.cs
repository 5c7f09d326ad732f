using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace InboxPS.Core.Sync;

/// <summary>
/// File and folder names an admin recognises (a mailbox address, a folder's display name, a subject) made safe on
/// Windows, macOS and Linux: characters Windows refuses and control characters become '_', trailing dots and spaces go,
/// reserved device names (CON, NUL, COM1...) get a leading '_', and long names are cut. A name that had to change
/// carries a short hash of the original, so two names that clean up alike ("a:b", "a?b") never meet in one folder.
/// </summary>
public static class PortableName
{
    /// <summary>Characters per name: well inside every file system's limit (255 bytes), with room for the hash.</summary>
    public const int MaxLength = 80;

    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>The safe form of <paramref name="name"/>; the same name always gives the same result.</summary>
    public static string For(string? name)
    {
        var original = name ?? string.Empty;
        var clean = Clean(original);
        return clean == original ? clean : Cut(clean, MaxLength - 8) + "~" + Hash(original, 6);
    }

    /// <summary>
    /// Names for sibling entries (a mailbox's folders): each its <see cref="For"/> form, and where two of them meet
    /// (case-insensitively, as Windows and macOS compare), each of those with a hash of its key.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForSiblings(IEnumerable<KeyValuePair<string, string?>> keyedNames)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var uses = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in keyedNames)
        {
            var name = For(pair.Value);
            names[pair.Key] = name;
            uses[name] = uses.TryGetValue(name, out var count) ? count + 1 : 1;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in names)
        {
            result[pair.Key] = uses[pair.Value] > 1 ? Cut(pair.Value, MaxLength - 8) + "~" + Hash(pair.Key, 6) : pair.Value;
        }

        return result;
    }

    /// <summary>
    /// A message's .eml file name: received time, subject and a hash of the item id (two messages never share a name,
    /// and the same message keeps its name while its subject and time stay).
    /// </summary>
    public static string ForMessage(DateTimeOffset? received, string? subject, string itemId)
    {
        var time = received?.UtcDateTime.ToString("yyyy-MM-dd HHmmss", CultureInfo.InvariantCulture) ?? "undated";
        var file = For($"{time} {subject}".Trim());
        return file.Substring(0, Math.Min(file.Length, MaxLength - 10)) + " " + Hash(itemId, 8) + ".eml";
    }

    /// <summary>A short, stable, path-safe hash (lowercase hex) of <paramref name="text"/>.</summary>
    public static string Hash(string text, int length)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var builder = new StringBuilder(length + 1);
        for (var i = 0; builder.Length < length; i++)
        {
            builder.Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString(0, length);
    }

    private static string Clean(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c < 32 || c == 127 || c is '<' or '>' or ':' or '"' or '/' or '\\' or '|' or '?' or '*' ? '_' : c);
        }

        var clean = Cut(builder.ToString().Trim(), MaxLength).TrimEnd('.', ' ');
        if (clean.Length == 0 || clean == "." || clean == "..")
        {
            return "_";
        }

        // "CON", and "CON.txt" too: Windows reserves the device name whatever follows its first dot.
        var stem = clean.Split('.')[0].TrimEnd(' ');
        return s_reserved.Contains(stem) ? "_" + clean : clean;
    }

    // Never splits a surrogate pair.
    private static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text.Substring(0, cut).TrimEnd('.', ' ');
    }
}
