using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace InboxPS.Core.Graph;

/// <summary>
/// Reading Graph's JSON defensively: a property of the wrong kind is an unusable answer that fails the mailbox with a
/// clear error (never a NullReferenceException or InvalidOperationException from deep inside System.Text.Json).
/// </summary>
internal static class GraphJson
{
    /// <summary>A string property, or null when absent, null, or of another kind (for error bodies, read best effort).</summary>
    public static string? OptionalString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonElement RequireObject(JsonElement element, string what, GraphRequestContext context) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Misshapen($"{what} is {Describe(element)}, not an object", context);

    public static JsonElement RequireArray(JsonElement obj, string name, GraphRequestContext context) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw Misshapen($"'{name}' is {(obj.TryGetProperty(name, out var other) ? Describe(other) : "missing")}, not an array", context);

    public static string RequireString(JsonElement obj, string name, GraphRequestContext context) =>
        String(obj, name, context) is { Length: > 0 } text ? text : throw Misshapen($"'{name}' is missing or empty", context);

    public static string? String(JsonElement obj, string name, GraphRequestContext context)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Misshapen($"'{name}' is {Describe(value)}, not a string", context);
    }

    /// <summary>A boolean; "true"/"false" as strings too (a documented sample sends isRead as "true").</summary>
    public static bool? Boolean(JsonElement obj, string name, GraphRequestContext context)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => throw Misshapen($"'{name}' is {Describe(value)}, not a boolean", context),
        };
    }

    public static DateTimeOffset? Date(JsonElement obj, string name, GraphRequestContext context) =>
        String(obj, name, context) is not { } text
            ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                ? date
                : throw Misshapen($"'{name}' is not a date and time", context);

    /// <summary>A recipient ({"emailAddress":{"name","address"}}) as "Name &lt;address&gt;", the form the EWS side stores.</summary>
    public static string? Recipient(JsonElement obj, string name, GraphRequestContext context) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? FormatRecipient(value, name, context) : null;

    /// <summary>A recipient collection joined with "; ", or null when empty.</summary>
    public static string? Recipients(JsonElement obj, string name, GraphRequestContext context)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Misshapen($"'{name}' is {Describe(value)}, not an array", context);
        }

        var builder = new StringBuilder();
        foreach (var recipient in value.EnumerateArray())
        {
            if (builder.Length > 0)
            {
                builder.Append("; ");
            }

            builder.Append(FormatRecipient(recipient, name, context));
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    public static GraphException Misshapen(string problem, GraphRequestContext context) =>
        GraphErrors.InvalidResponse("the JSON is not shaped as Graph documents it: " + problem, context);

    private static string FormatRecipient(JsonElement recipient, string name, GraphRequestContext context)
    {
        RequireObject(recipient, $"an entry of '{name}'", context);
        if (!recipient.TryGetProperty("emailAddress", out var address) || address.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        RequireObject(address, $"'{name}/emailAddress'", context);
        var display = String(address, "name", context);
        var smtp = String(address, "address", context);
        return display is { Length: > 0 } ? $"{display} <{smtp}>" : smtp ?? string.Empty;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    /// <summary>The names of an object's properties (for telling full entries from partial ones).</summary>
    public static HashSet<string> PropertyNames(JsonElement obj)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            names.Add(property.Name);
        }

        return names;
    }
}
