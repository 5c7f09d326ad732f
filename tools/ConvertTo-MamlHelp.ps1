<#
.SYNOPSIS
    Turns the cmdlet pages in docs/en-US/*.md into the MAML help file PowerShell reads (InboxPS.dll-Help.xml).

.DESCRIPTION
    build.ps1 runs this in a fresh pwsh after the module is built; tests/pester/Help.Tests.ps1 runs it with -Strict.

    The pages hold only prose. Everything PowerShell already knows about a parameter (type, required, position,
    pipeline input, aliases, wildcards, accepted values, default, parameter sets) is read from the imported cmdlets,
    so the help never disagrees with the code. The syntax blocks are generated from the parameter sets.

    Page format (platyPS headings, one page per cmdlet, named <Cmdlet>.md; YAML front matter is ignored):

        # Get-InboxOrganization
        ## SYNOPSIS              one paragraph
        ## DESCRIPTION           paragraphs
        ## EXAMPLES
        ### Example 1: <title>   a ```powershell fence with the code, then paragraphs explaining it
        ## PARAMETERS
        ### -Name                paragraphs (nothing else: the rest comes from the cmdlet)
        ## INPUTS
        ### <type name>          paragraphs
        ## OUTPUTS
        ### <type name>          paragraphs
        ## NOTES                 paragraphs
        ## RELATED LINKS         "- [Text](target)" lines; a target starting with http is kept as the link's URI

    Paragraphs are separated by blank lines; the lines of one paragraph are joined. A line starting with "- " is a
    paragraph of its own (lists), and a ``` fence inside prose is kept verbatim as one paragraph.
    -WhatIf and -Confirm get the standard text unless a page gives its own.

.PARAMETER ModuleManifest
    The BUILT module's InboxPS.psd1; its cmdlets are the source of the parameter metadata.

.PARAMETER DocsPath
    The folder with the pages (docs/en-US).

.PARAMETER OutputPath
    The help file to write, e.g. out/InboxPS/<version>/en-US/InboxPS.dll-Help.xml.

.PARAMETER Strict
    Fail when pages and cmdlets disagree (a cmdlet without a page, a page or parameter the module does not have, a
    parameter without a description, fewer than two examples). Without it those are warnings, so one cmdlet still
    being written does not break everyone's build; the Pester help suite runs with -Strict.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [switch] $Strict
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$MamlNamespaces = [ordered]@{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$StandardParameterText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

# ---------------------------------------------------------------------------------------------------------------
# Reading a page

function ConvertTo-Paragraphs {
    # Blank-line separated paragraphs; list items and fenced blocks stay whole.
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    $fence = $null
    $flush = {
        if ($current.Count) { $paragraphs.Add(($current -join ' ').Trim()); $current.Clear() }
    }
    foreach ($line in $Lines) {
        if ($null -ne $fence) {
            if ($line.TrimStart().StartsWith('```')) { $paragraphs.Add(($fence -join "`n")); $fence = $null }
            else { $fence.Add($line) }
        }
        elseif ($line.TrimStart().StartsWith('```')) { & $flush; $fence = [System.Collections.Generic.List[string]]::new() }
        elseif ($line.Trim() -eq '') { & $flush }
        elseif ($line -match '^\s*- ') { & $flush; $current.Add($line.Trim()) }
        else { $current.Add($line.Trim()) }
    }
    if ($null -ne $fence) { throw "An unclosed ``` fence in: $($Lines -join ' ')" }
    & $flush
    return , $paragraphs.ToArray()
}

function Split-Sections {
    # Splits lines at headings of one level ('## ' or '### '): an ordered table of heading -> lines under it.
    param([string[]] $Lines, [string] $Marker)
    $sections = [ordered]@{}
    $name = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line.TrimStart().StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($Marker)) {
            $name = $line.Substring($Marker.Length).Trim()
            $sections[$name] = [System.Collections.Generic.List[string]]::new()
        }
        elseif ($null -ne $name) {
            $sections[$name].Add($line)
        }
    }
    return $sections
}

function Read-Example {
    param([string] $Title, [string[]] $Lines)
    $start = [array]::FindIndex($Lines, [Predicate[string]] { param($l) $l.TrimStart().StartsWith('```') })
    if ($start -lt 0) { throw "Example '$Title' has no ``` code fence." }
    $end = [array]::FindIndex($Lines, $start + 1, [Predicate[string]] { param($l) $l.TrimStart().StartsWith('```') })
    if ($end -lt 0) { throw "Example '$Title' has an unclosed code fence." }
    [pscustomobject]@{
        Title   = $Title
        Code    = ($Lines[($start + 1)..($end - 1)] -join "`n")
        Remarks = ConvertTo-Paragraphs @($Lines | Select-Object -Skip ($end + 1))
    }
}

function Read-HelpPage {
    param([string] $Path)
    $lines = [System.IO.File]::ReadAllLines($Path)
    if ($lines.Count -and $lines[0] -eq '---') {
        # YAML front matter (platyPS): metadata for other tools, nothing the help file needs.
        $close = [array]::IndexOf($lines, '---', 1)
        $lines = $lines | Select-Object -Skip ($close + 1)
    }
    $title = $lines | Where-Object { $_ -match '^# ' } | Select-Object -First 1
    if (-not $title) { throw "$Path has no '# <Cmdlet name>' title." }
    $sections = Split-Sections $lines '## '
    $section = { param($name) if ($sections.Contains($name)) { @($sections[$name]) } else { @() } }
    $typed = {
        param($name)
        $items = Split-Sections (& $section $name) '### '
        foreach ($key in $items.Keys) { [pscustomobject]@{ Name = $key; Text = ConvertTo-Paragraphs @($items[$key]) } }
    }

    $parameters = [ordered]@{}
    $parameterSections = Split-Sections (& $section 'PARAMETERS') '### '
    foreach ($key in $parameterSections.Keys) {
        $parameters[$key.TrimStart('-')] = ConvertTo-Paragraphs @($parameterSections[$key])
    }
    $exampleSections = Split-Sections (& $section 'EXAMPLES') '### '
    $links = foreach ($line in & $section 'RELATED LINKS') {
        if ($line -match '^\s*-\s*\[(?<text>[^\]]+)\]\((?<target>[^)]*)\)') {
            [pscustomobject]@{ Text = $Matches.text; Uri = if ($Matches.target -like 'http*') { $Matches.target } else { '' } }
        }
    }

    [pscustomobject]@{
        Path        = $Path
        Name        = $title.Substring(2).Trim()
        Synopsis    = (ConvertTo-Paragraphs (& $section 'SYNOPSIS')) -join ' '
        Description = ConvertTo-Paragraphs (& $section 'DESCRIPTION')
        Examples    = @(foreach ($key in $exampleSections.Keys) { Read-Example $key @($exampleSections[$key]) })
        Parameters  = $parameters
        Inputs      = @(& $typed 'INPUTS')
        Outputs     = @(& $typed 'OUTPUTS')
        Notes       = ConvertTo-Paragraphs (& $section 'NOTES')
        Links       = @($links)
    }
}

# ---------------------------------------------------------------------------------------------------------------
# What the cmdlet says about a parameter

function Get-DocumentedParameters {
    # Every parameter help should cover: all but the common ones (-WhatIf and -Confirm are documented).
    param([System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    return @($Command.Parameters.Values | Where-Object { $_.Name -notin $common })
}

function Get-ParameterFacts {
    # One parameter's help attributes across all its parameter sets.
    param([System.Management.Automation.ParameterMetadata] $Parameter, [object] $Defaults)
    $sets = @($Parameter.ParameterSets.Values)
    $positions = @($sets | ForEach-Object { $_.Position } | Sort-Object -Unique)
    $pipeline = @(
        if ($sets | Where-Object ValueFromPipeline) { 'ByValue' }
        if ($sets | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    $default = if ($Parameter.SwitchParameter) { 'False' }
    if ($null -ne $Defaults -and -not $Parameter.SwitchParameter) {
        $property = $Defaults.GetType().GetProperty($Parameter.Name)
        $value = if ($property) { $property.GetValue($Defaults) }
        $typeDefault = if ($Parameter.ParameterType.IsValueType) { [Activator]::CreateInstance($Parameter.ParameterType) }
        if ($null -ne $value -and -not $value.Equals($typeDefault)) { $default = @($value) -join ', ' }
    }
    [pscustomobject]@{
        Required = -not ($sets | Where-Object { -not $_.IsMandatory })
        Position = if ($positions.Count -eq 1 -and $positions[0] -ge 0) { "$($positions[0])" } else { 'named' }
        Pipeline = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        Aliases  = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'None' }
        Globbing = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        Values   = Get-AcceptedValues $Parameter
        Default  = if ($null -ne $default) { $default } else { 'None' }
    }
}

function Get-AcceptedValues {
    param([System.Management.Automation.ParameterMetadata] $Parameter)
    $set = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $type = $Parameter.ParameterType
    if ($type.IsEnum) { return @([enum]::GetNames($type)) }
    return @()
}

# ---------------------------------------------------------------------------------------------------------------
# Writing MAML

function Write-Paragraphs {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $MamlNamespaces.maml)
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
    $Writer.WriteEndElement()
}

function Write-ParameterElement {
    param([System.Xml.XmlWriter] $Writer, [string] $Name, [type] $Type, [string[]] $Description, $Facts,
        [bool] $Required, [string] $Position)
    $isSwitch = $Type -eq [System.Management.Automation.SwitchParameter]
    $Writer.WriteStartElement('command', 'parameter', $MamlNamespaces.command)
    $Writer.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Type.IsArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Facts.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Facts.Pipeline)
    $Writer.WriteAttributeString('position', $Position)
    $Writer.WriteAttributeString('aliases', $Facts.Aliases)
    $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $Name)
    Write-Paragraphs $Writer $Description
    if ($Facts.Values) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $MamlNamespaces.command)
        foreach ($value in $Facts.Values) {
            $Writer.WriteStartElement('command', 'parameterValue', $MamlNamespaces.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $MamlNamespaces.command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $Type.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteString($Type.Name)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $MamlNamespaces.dev)
    $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $Type.Name)
    $Writer.WriteElementString('maml', 'uri', $MamlNamespaces.maml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $MamlNamespaces.dev, $Facts.Default)
    $Writer.WriteEndElement()
}

function Write-Syntax {
    # One syntax item per parameter set, hidden (DontShow) parameters left out as PowerShell does.
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CommandInfo] $Command, [hashtable] $Described, [hashtable] $FactsByName)
    $Writer.WriteStartElement('command', 'syntax', $MamlNamespaces.command)
    foreach ($set in $Command.ParameterSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $MamlNamespaces.command)
        $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $Command.Name)
        $members = $set.Parameters | Where-Object { $FactsByName.ContainsKey($_.Name) -and -not (Test-Hidden $_) } |
            Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }
        foreach ($member in $members) {
            $position = if ($member.Position -ge 0) { "$($member.Position)" } else { 'named' }
            Write-ParameterElement $Writer $member.Name $member.ParameterType $Described[$member.Name] $FactsByName[$member.Name] $member.IsMandatory $position
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Test-Hidden {
    param([System.Management.Automation.CommandParameterInfo] $Parameter)
    return [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow })
}

function Write-TypedList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListElement, [string] $ItemElement, [object[]] $Items)
    $Writer.WriteStartElement('command', $ListElement, $MamlNamespaces.command)
    foreach ($item in $Items) {
        $Writer.WriteStartElement('command', $ItemElement, $MamlNamespaces.command)
        $Writer.WriteStartElement('dev', 'type', $MamlNamespaces.dev)
        $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $item.Name)
        $Writer.WriteEndElement()
        Write-Paragraphs $Writer $item.Text
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command {
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, $Page)
    $defaults = [Activator]::CreateInstance($Command.ImplementingType)
    $parameters = Get-DocumentedParameters $Command
    $described = @{}
    $facts = @{}
    foreach ($parameter in $parameters) {
        $described[$parameter.Name] = if ($Page.Parameters.Contains($parameter.Name)) { $Page.Parameters[$parameter.Name] }
        elseif ($StandardParameterText.ContainsKey($parameter.Name)) { @($StandardParameterText[$parameter.Name]) }
        else { @() }
        $facts[$parameter.Name] = Get-ParameterFacts $parameter $defaults
    }

    $Writer.WriteStartElement('command', 'command', $MamlNamespaces.command)
    foreach ($prefix in $MamlNamespaces.Keys) {
        $Writer.WriteAttributeString('xmlns', $prefix, $null, $MamlNamespaces[$prefix])
    }
    $Writer.WriteStartElement('command', 'details', $MamlNamespaces.command)
    $Writer.WriteElementString('command', 'name', $MamlNamespaces.command, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $MamlNamespaces.command, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $MamlNamespaces.command, $Command.Noun)
    Write-Paragraphs $Writer @($Page.Synopsis)
    $Writer.WriteEndElement()
    Write-Paragraphs $Writer $Page.Description
    Write-Syntax $Writer $Command $described $facts

    $Writer.WriteStartElement('command', 'parameters', $MamlNamespaces.command)
    # In the page's order; what the page leaves to the standard text (-WhatIf, -Confirm) comes last.
    $pageOrder = @($Page.Parameters.Keys)
    foreach ($parameter in $parameters | Sort-Object { $i = $pageOrder.IndexOf($_.Name); if ($i -ge 0) { $i } else { [int]::MaxValue } }, Name) {
        $fact = $facts[$parameter.Name]
        Write-ParameterElement $Writer $parameter.Name $parameter.ParameterType $described[$parameter.Name] $fact $fact.Required $fact.Position
    }
    $Writer.WriteEndElement()

    Write-TypedList $Writer 'inputTypes' 'inputType' $Page.Inputs
    Write-TypedList $Writer 'returnValues' 'returnValue' $Page.Outputs
    $Writer.WriteStartElement('maml', 'alertSet', $MamlNamespaces.maml)
    $Writer.WriteStartElement('maml', 'alert', $MamlNamespaces.maml)
    foreach ($paragraph in $Page.Notes) { $Writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $MamlNamespaces.command)
    foreach ($example in $Page.Examples) {
        $Writer.WriteStartElement('command', 'example', $MamlNamespaces.command)
        $Writer.WriteElementString('maml', 'title', $MamlNamespaces.maml, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $MamlNamespaces.dev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $MamlNamespaces.dev)
        foreach ($paragraph in $example.Remarks) { $Writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $MamlNamespaces.command)
    foreach ($link in $Page.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $MamlNamespaces.maml)
        $Writer.WriteElementString('maml', 'linkText', $MamlNamespaces.maml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $MamlNamespaces.maml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

# ---------------------------------------------------------------------------------------------------------------
# Checking pages against the module

function Get-PageProblems {
    param([System.Management.Automation.CmdletInfo] $Command, $Page)
    $documentable = @(Get-DocumentedParameters $Command | ForEach-Object Name)
    if (-not $Page.Synopsis) { "$($Command.Name): no SYNOPSIS." }
    if (-not $Page.Description) { "$($Command.Name): no DESCRIPTION." }
    if ($Page.Examples.Count -lt 2) { "$($Command.Name): $($Page.Examples.Count) example(s); at least two are needed." }
    foreach ($name in $documentable) {
        if (-not $Page.Parameters.Contains($name) -and -not $StandardParameterText.ContainsKey($name)) {
            "$($Command.Name): parameter -$name has no '### -$name' section."
        }
        elseif ($Page.Parameters.Contains($name) -and -not $Page.Parameters[$name]) {
            "$($Command.Name): parameter -$name has an empty description."
        }
    }
    foreach ($name in $Page.Parameters.Keys) {
        if ($name -notin $documentable) { "$($Command.Name): the page documents -$name, which the cmdlet does not have." }
    }
}

# ---------------------------------------------------------------------------------------------------------------

$module = Import-Module $ModuleManifest -PassThru -DisableNameChecking -Verbose:$false
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
$pages = @{}
foreach ($file in Get-ChildItem $DocsPath -Filter '*.md' | Where-Object Name -NotLike 'about_*') {
    $page = Read-HelpPage $file.FullName
    $pages[$page.Name] = $page
}

# A page may come before the manifest exports its cmdlet, but never for a cmdlet the assembly does not define.
$assemblies = @($commands | ForEach-Object { $_.ImplementingType.Assembly } | Select-Object -Unique)
$defined = @($assemblies | ForEach-Object { $_.GetExportedTypes() } |
    ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
    ForEach-Object { "$($_.VerbName)-$($_.NounName)" })
$problems = [System.Collections.Generic.List[string]]::new()
foreach ($name in $pages.Keys | Where-Object { $_ -notin $defined }) {
    $problems.Add("$($pages[$name].Path) documents $name, which the module does not define.")
}

$directory = Split-Path -Parent ([System.IO.Path]::GetFullPath($OutputPath))
$null = New-Item -ItemType Directory -Force $directory
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create([System.IO.Path]::GetFullPath($OutputPath), $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) {
        if (-not $pages.ContainsKey($command.Name)) {
            $problems.Add("$($command.Name) has no page $($command.Name).md in $DocsPath.")
            continue
        }
        foreach ($problem in Get-PageProblems $command $pages[$command.Name]) { $problems.Add($problem) }
        Write-Command $writer $command $pages[$command.Name]
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}

if ($problems.Count -and $Strict) {
    throw "The help pages and the module disagree:`n  $($problems -join "`n  ")"
}
foreach ($problem in $problems) { Write-Warning $problem }
Write-Verbose "Wrote help for $($pages.Count) page(s) to $OutputPath"
