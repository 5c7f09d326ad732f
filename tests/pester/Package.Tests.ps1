BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $manifest = Import-PowerShellDataFile $ModuleManifest
    $version = $manifest.ModuleVersion
    $work = New-TestStoreHome

    # The package of the module under test, packed once the way build.ps1 -Task Package packs it.
    $package = & (Join-Path $RepoRoot 'tools/New-ModulePackage.ps1') -ModulePath (Split-Path $ModuleManifest) -OutputPath (Join-Path $work 'feed')
    $entries = [System.IO.Compression.ZipFile]::OpenRead($package.FullName)
    $entryNames = @($entries.Entries | ForEach-Object FullName)
    $nuspecEntry = $entries.Entries | Where-Object FullName -eq 'InboxPS.nuspec'
    $reader = [System.IO.StreamReader]::new($nuspecEntry.Open())
    $nuspec = ([xml]$reader.ReadToEnd()).package.metadata
    $reader.Dispose()
    $entries.Dispose()

    # Installed the way an admin would: from a folder repository, with PowerShell's own Save-PSResource.
    $repository = 'InboxPS-Test-' + [guid]::NewGuid().ToString('N')
    Register-PSResourceRepository -Name $repository -Uri (Join-Path $work 'feed') -Trusted
    $null = New-Item -ItemType Directory (Join-Path $work 'saved')
    Save-PSResource -Name InboxPS -Version $version -Repository $repository -Path (Join-Path $work 'saved') -TrustRepository
    $savedManifest = Join-Path $work "saved/InboxPS/$version/InboxPS.psd1"
}

AfterAll {
    Unregister-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

Describe 'The release package' {
    It 'is named InboxPS.<version>.nupkg' {
        $package.Name | Should -Be "InboxPS.$version.nupkg"
    }

    It 'carries the manifest''s metadata in its nuspec' {
        $nuspec.id | Should -Be 'InboxPS'
        $nuspec.version | Should -Be $version
        $nuspec.authors | Should -Be $manifest.Author
        $nuspec.description | Should -Be $manifest.Description
        $nuspec.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $nuspec.licenseUrl | Should -Be $manifest.PrivateData.PSData.LicenseUri
        $nuspec.releaseNotes | Should -Be $manifest.PrivateData.PSData.ReleaseNotes
        $tags = $nuspec.tags -split ' '
        foreach ($tag in $manifest.PrivateData.PSData.Tags) { $tags | Should -Contain $tag }
    }

    It 'has the built module folder at its root, file for file, help and native SQLite libraries included' {
        $moduleDir = Split-Path $ModuleManifest
        $built = @(Get-ChildItem $moduleDir -Recurse -File | ForEach-Object { [System.IO.Path]::GetRelativePath($moduleDir, $_.FullName).Replace('\', '/') })
        $built | Should -Contain 'InboxPS.psd1'
        $built | Should -Contain 'en-US/InboxPS.dll-Help.xml'
        foreach ($file in $built) { $entryNames | Should -Contain $file }
        foreach ($rid in Get-InboxPlatform) {
            @($entryNames | Where-Object { $_ -like "*runtimes/$rid/native/*" }) | Should -Not -BeNullOrEmpty -Because "$rid is claimed"
        }
    }

    It 'installs with Save-PSResource and works in a fresh pwsh' {
        $savedManifest | Should -Exist
        # A process of its own: this one already has the built module loaded, and the installed copy must stand alone.
        $run = Invoke-FreshPwsh -ModuleManifest $savedManifest -Environment @{ INBOXPS_HOME = (Join-Path $work 'home') } -Script @'
"base=$((Get-Module InboxPS).ModuleBase)"
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningAction SilentlyContinue
"orgs=$((Get-InboxOrganization).Name -join ',')"
"help=$((Get-Help Start-InboxSync).Synopsis)"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain "base=$(Split-Path $savedManifest)"
        $run.Output | Should -Contain 'orgs=contoso'
        ($run.Output | Where-Object { $_ -like 'help=*' }) | Should -BeLike 'help=Activates and syncs*'
    }
}
