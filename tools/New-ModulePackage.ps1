<#
.SYNOPSIS
    Packs a built module folder into <OutputPath>/<Name>.<version>.nupkg, the package PowerShell's own tools install.

.DESCRIPTION
    build.ps1 -Task Package and tests/pester/Package.Tests.ps1 both use this, so the tested package is the shipped one.

    Publish-PSResource (Microsoft.PowerShell.PSResourceGet, shipped with PowerShell 7.4+) does the packing: the module
    files go to the package root and the .nuspec takes the manifest's metadata (id, version, authors, description,
    projectUrl, licenseUrl, tags, releaseNotes), exactly as the PowerShell Gallery would get them. It publishes only
    to a repository, so a throwaway local folder repository is registered for the call and removed afterwards.

.PARAMETER ModulePath
    The built module folder, the one holding the manifest (out/InboxPS/<version>).

.PARAMETER OutputPath
    The folder the .nupkg is written to; created when missing. An older package of the same version is replaced.
#>
[CmdletBinding()]
[OutputType([System.IO.FileInfo])]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$manifestFile = Get-ChildItem $ModulePath -Filter '*.psd1' | Select-Object -First 1
if (-not $manifestFile) { throw "There is no module manifest in $ModulePath; build the module first." }
$name = $manifestFile.BaseName
$version = (Import-PowerShellDataFile $manifestFile.FullName).ModuleVersion

# Publishing into a fresh folder means a package of the same version never collides with an earlier one.
$feed = Join-Path ([System.IO.Path]::GetTempPath()) ("$name-package-" + [guid]::NewGuid().ToString('N'))
$repository = Split-Path -Leaf $feed
$null = New-Item -ItemType Directory $feed
Register-PSResourceRepository -Name $repository -Uri $feed -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository -SkipDependenciesCheck
    $built = Join-Path $feed "$name.$version.nupkg"
    if (-not (Test-Path $built)) { throw "Publish-PSResource did not write $built." }
    $null = New-Item -ItemType Directory -Force $OutputPath
    $target = Join-Path $OutputPath "$name.$version.nupkg"
    Move-Item $built $target -Force
    Get-Item $target
}
finally {
    Unregister-PSResourceRepository -Name $repository
    Remove-Item -Recurse -Force $feed -ErrorAction SilentlyContinue
}
