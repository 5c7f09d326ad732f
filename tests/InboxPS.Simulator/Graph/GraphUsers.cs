using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// GET /users and /users/{id|upn}: the default property set of user-list.md, $select, $filter (eq on mail,
/// userPrincipalName, accountEnabled, joined by "and"), $top (1..999, default 100) and @odata.nextLink paging. Users are the
/// tenant's mailboxes and broken users in index order (the service account is not listed, as in GET /control/users).
/// </summary>
internal sealed class GraphUsers
{
    private static readonly string[] s_defaultProperties =
        { "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id" };

    private static readonly Regex s_clause = new(@"^\s*(?<prop>mail|userPrincipalName|accountEnabled)\s+eq\s+(?:'(?<text>(?:[^']|'')*)'|(?<bool>true|false))\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly GraphServices _services;

    public GraphUsers(GraphServices services) => _services = services;

    private TenantDirectory Directory => _services.Store.Directory;

    public GraphResponse List(GraphRequest request, GraphCaller caller)
    {
        RequireDirectoryRead(caller);
        DeltaState state;
        if (request.QueryValue("$skiptoken") is { } token)
        {
            if (!_services.Codec.TryDecode(token, out state) || state.Kind != "users")
            {
                throw new GraphErrorException(GraphError.BadRequest("The $skiptoken is not valid."));
            }
        }
        else
        {
            var top = 100;
            if (request.QueryValue("$top") is { } topText && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > 999))
            {
                throw new GraphErrorException(new GraphError(400, "Request_UnsupportedQuery", $"Invalid page size specified: '{topText}'. Must be between 1 and 999 inclusive."));
            }

            state = new DeltaState { Kind = "users", Select = request.QueryValue("$select"), Filter = request.QueryValue("$filter"), Top = top, Offset = 1 };
        }

        var filter = ParseFilter(state.Filter);
        var select = SelectSet(state.Select);
        var value = new JsonArray();
        var index = state.Offset;
        for (; index <= Directory.LastIndex && value.Count < state.Top; index++)
        {
            var user = Directory.Get(index);
            if (filter.All(f => f(user)))
            {
                value.Add(UserJson(user, select));
            }
        }

        var body = new JsonObject { ["@odata.context"] = Context(state.Select) };
        if (index <= Directory.LastIndex && Enumerable.Range(index, Directory.LastIndex - index + 1).Any(i => filter.All(f => f(Directory.Get(i)))))
        {
            body["@odata.nextLink"] = _services.BaseUrl + "users?$skiptoken=" + _services.Codec.Encode(state with { Offset = index });
        }

        body["value"] = value;
        return GraphResponse.Json(200, body);
    }

    public GraphResponse Get(GraphRequest request, GraphCaller caller, string id)
    {
        RequireDirectoryRead(caller);
        var user = Find(id) ?? throw new GraphErrorException(GraphError.UserNotFound(id));
        var json = UserJson(user, SelectSet(request.QueryValue("$select")));
        var body = new JsonObject { ["@odata.context"] = Context(request.QueryValue("$select")) + "/$entity" };
        foreach (var (name, node) in json.ToList())
        {
            json.Remove(name);
            body[name] = node;
        }

        return GraphResponse.Json(200, body);
    }

    /// <summary>A user by object id, UPN or SMTP address (any of the directory's spellings).</summary>
    public DirectoryUser? Find(string id) =>
        Guid.TryParse(id, out _)
            ? _services.Tokens.UserIndexOf(id.ToLowerInvariant()) is { } index && index <= Directory.LastIndex ? Directory.Get(index) : null
            : Directory.Find(id);

    private static void RequireDirectoryRead(GraphCaller caller)
    {
        if (!caller.CanReadUsers)
        {
            throw new GraphErrorException(GraphError.DirectoryDenied);
        }
    }

    private string Context(string? select) =>
        _services.BaseUrl + "$metadata#users" + (string.IsNullOrEmpty(select) ? "" : "(" + select + ")");

    private static HashSet<string>? SelectSet(string? select) =>
        string.IsNullOrWhiteSpace(select) ? null : new HashSet<string>(select.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    private JsonObject UserJson(DirectoryUser user, HashSet<string>? select)
    {
        var names = user.DisplayName.Split(' ', 2);
        var all = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase)
        {
            ["businessPhones"] = new JsonArray(),
            ["displayName"] = user.DisplayName,
            ["givenName"] = names[0],
            ["jobTitle"] = null,
            ["mail"] = user.PrimarySmtp,
            ["mobilePhone"] = null,
            ["officeLocation"] = null,
            ["preferredLanguage"] = null,
            ["surname"] = names.Length > 1 ? names[1] : null,
            ["userPrincipalName"] = user.Upn,
            ["id"] = _services.Tokens.UserObjectId(user.Index),
            ["accountEnabled"] = true,
        };
        var json = new JsonObject();
        foreach (var name in select is null ? s_defaultProperties : all.Keys.Where(select.Contains).Append("id").Distinct())
        {
            json[name] = all[name]?.DeepClone();
        }

        return json;
    }

    private static List<Func<DirectoryUser, bool>> ParseFilter(string? filter)
    {
        var tests = new List<Func<DirectoryUser, bool>>();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return tests;
        }

        foreach (var clause in Regex.Split(filter, @"\s+and\s+", RegexOptions.IgnoreCase))
        {
            var m = s_clause.Match(clause);
            if (!m.Success)
            {
                throw new GraphErrorException(new GraphError(400, "Request_UnsupportedQuery", $"Unsupported or invalid query filter clause specified: '{clause.Trim()}'."));
            }

            var text = m.Groups["text"].Value.Replace("''", "'", StringComparison.Ordinal);
            tests.Add(m.Groups["prop"].Value.ToLowerInvariant() switch
            {
                "mail" => u => u.PrimarySmtp.Equals(text, StringComparison.OrdinalIgnoreCase),
                "userprincipalname" => u => u.Upn.Equals(text, StringComparison.OrdinalIgnoreCase),
                _ => _ => m.Groups["bool"].Value.Equals("true", StringComparison.OrdinalIgnoreCase),
            });
        }

        return tests;
    }
}
