using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using InboxPS.Core.Store;

namespace InboxPS.Infrastructure;

/// <summary>Tab-completes -Organization from the profiles in the store.</summary>
public sealed class OrganizationNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        try
        {
            using var store = SqliteInboxStore.Open();
            return store.GetOrganizations()
                .Where(o => o.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(o => new CompletionResult(Quote(o.Name), o.Name, CompletionResultType.ParameterValue,
                    $"{o.Name} ({o.AccessType})"))
                .ToList();
        }
        catch (StoreException)
        {
            // Completion must never throw into the console; an unusable store simply offers nothing.
            return Array.Empty<CompletionResult>();
        }
    }

    private static string Quote(string name) => name.IndexOfAny(new[] { ' ', '\'', '$', '`' }) >= 0
        ? "'" + name.Replace("'", "''") + "'"
        : name;
}
