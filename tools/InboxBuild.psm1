# The steps build.ps1's tasks are made of: running dotnet, building the module into its isolated layout, building the
# simulator. build.ps1 stays a short list of tasks over these.

$script:RepoRoot = Split-Path $PSScriptRoot

function Invoke-Native {
    <#
    .SYNOPSIS
        Runs an external command and throws when it fails (PowerShell does not, on its own); returns the exit code.
        With -TimeoutMinutes a command that hangs is killed with its children and reported (exit code 124), so a
        stuck test can never stall CI.
    #>
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @(), [switch] $AllowFailure, [int] $TimeoutMinutes,
        [hashtable] $Environment = @{})
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor DarkGray
    if ($TimeoutMinutes -or $Environment.Count) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($Command)
        foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
        # Only this child gets these variables (SSL_CERT_FILE must not reach the build's own NuGet traffic).
        foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string]$Environment[$key] }
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        $limit = if ($TimeoutMinutes) { [TimeSpan]::FromMinutes($TimeoutMinutes) } else { [System.Threading.Timeout]::InfiniteTimeSpan }
        if (-not $process.WaitForExit($limit)) {
            $process.Kill($true)
            $process.WaitForExit()
            Write-Host "'$Command $($Arguments -join ' ')' did not finish within $TimeoutMinutes minutes and was stopped." -ForegroundColor Red
            $exitCode = 124
        }
        else {
            $exitCode = $process.ExitCode
        }
        $process.Dispose()
    }
    else {
        & $Command @Arguments | Out-Host
        $exitCode = $LASTEXITCODE
    }
    if ($exitCode -ne 0 -and -not $AllowFailure) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $exitCode."
    }
    return $exitCode
}

function Get-InboxModuleVersion {
    <# .SYNOPSIS The module's version; throws when the manifest and Directory.Build.props disagree. #>
    $manifest = Import-PowerShellDataFile (Join-Path $script:RepoRoot 'module/InboxPS/InboxPS.psd1')
    $props = [xml](Get-Content -Raw (Join-Path $script:RepoRoot 'Directory.Build.props'))
    $projectVersion = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
    if ($manifest.ModuleVersion -ne $projectVersion) {
        throw "Version mismatch: module/InboxPS/InboxPS.psd1 says $($manifest.ModuleVersion), Directory.Build.props says $projectVersion. Make them equal."
    }
    return $manifest.ModuleVersion
}

function Get-InboxPlatform {
    <#
    .SYNOPSIS
        The runtime identifiers the module claims (linux-x64, win-arm64, ...). Defined once, as the ModuleRuntime items
        of src/InboxPS/InboxPS.csproj that publish the native SQLite libraries; the build and the tests read them here.
    #>
    $project = [xml](Get-Content -Raw (Join-Path $script:RepoRoot 'src/InboxPS/InboxPS.csproj'))
    $platforms = @($project.Project.ItemGroup.ModuleRuntime | Where-Object { $_ } | ForEach-Object { $_.Include -split ';' } |
        ForEach-Object Trim | Where-Object { $_ })
    if (-not $platforms) { throw 'src/InboxPS/InboxPS.csproj lists no <ModuleRuntime> item: the module would claim no platform.' }
    return $platforms
}

function Build-InboxModule {
    <#
    .SYNOPSIS
        Publishes the module into <OutRoot>/InboxPS/<version>/ in its isolated layout (README "Isolation") with MAML help,
        and returns the manifest's path. Fails when a claimed platform's native SQLite library is missing.
    #>
    param(
        [Parameter(Mandatory)] [string] $OutRoot,
        [string] $Configuration = 'Release',
        # Extra arguments for every dotnet call (an artifacts folder).
        [string[]] $DotnetArguments = @()
    )
    $version = Get-InboxModuleVersion
    $moduleOut = Join-Path $OutRoot "InboxPS/$version"
    $publishDir = Join-Path $OutRoot 'publish'
    $loaderDir = Join-Path $OutRoot 'publish-loader'
    foreach ($dir in @($moduleOut, $publishDir, $loaderDir)) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }

    $null = Invoke-Native dotnet (@('publish', (Join-Path $script:RepoRoot 'src/InboxPS/InboxPS.csproj'), '-c', $Configuration,
        '-o', $publishDir, '-p:ContinuousIntegrationBuild=true', '--nologo', '-v', 'quiet') + $DotnetArguments)
    $null = New-Item -ItemType Directory -Force $moduleOut
    Copy-Item -Recurse (Join-Path $script:RepoRoot 'module/InboxPS/*') $moduleOut

    # Only what PowerShell must see sits at the module root: the cmdlets, the loader (a nested module that runs first)
    # and the private load context for PowerShell 7. InboxPS.Core, MSAL, SQLite and the rest go to dependencies/,
    # where PowerShell never probes. System.Management.Automation comes from PowerShell itself.
    foreach ($project in 'InboxPS.Loader', 'InboxPS.LoadContext') {
        $null = Invoke-Native dotnet (@('publish', (Join-Path $script:RepoRoot "src/$project/$project.csproj"), '-c', $Configuration,
            '-o', $loaderDir, '-p:ContinuousIntegrationBuild=true', '--nologo', '-v', 'quiet') + $DotnetArguments)
    }
    $dependencies = Join-Path $moduleOut 'dependencies'
    $null = New-Item -ItemType Directory -Force $dependencies
    Copy-Item (Join-Path $publishDir 'InboxPS.dll'), (Join-Path $loaderDir 'InboxPS.Loader.dll'), (Join-Path $loaderDir 'InboxPS.LoadContext.dll') -Destination $moduleOut
    Get-ChildItem $publishDir -Filter '*.dll' |
        Where-Object { $_.Name -notin @('InboxPS.dll', 'System.Management.Automation.dll') } |
        Copy-Item -Destination $dependencies

    foreach ($rid in Get-InboxPlatform) {
        $native = Join-Path $publishDir "runtimes/$rid/native"
        if (-not (Test-Path $native) -or -not (Get-ChildItem $native)) {
            throw "The native SQLite library for $rid is missing from the publish output ($native)."
        }
        # Beside InboxPS.Core.dll, where src/InboxPS.Core/Store/NativeSqlite.cs looks.
        $target = Join-Path $dependencies "runtimes/$rid/native"
        $null = New-Item -ItemType Directory -Force $target
        Copy-Item (Join-Path $native '*') $target
    }
    Add-ReadyToRunDependencies -Dependencies $dependencies -OutRoot $OutRoot -Configuration $Configuration -DotnetArguments $DotnetArguments

    # Cmdlet help: docs/en-US/*.md to MAML, with parameter facts read from the built cmdlets (in a fresh pwsh, so the
    # build's process never loads the module it may rebuild).
    $manifest = Join-Path $moduleOut 'InboxPS.psd1'
    $null = Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'ConvertTo-MamlHelp.ps1'),
        '-ModuleManifest', $manifest, '-DocsPath', (Join-Path $script:RepoRoot 'docs/en-US'),
        '-OutputPath', (Join-Path $moduleOut 'en-US/InboxPS.dll-Help.xml'))

    Write-Host "Built InboxPS $version into $moduleOut" -ForegroundColor Green
    return $manifest
}

function Add-ReadyToRunDependencies {
    <#
    .SYNOPSIS
        Adds ahead-of-time compiled (ReadyToRun) copies of dependencies/*.dll under dependencies/runtimes/<rid>/lib/ for
        each platform tools/ReadyToRun/InboxPS.ReadyToRun.csproj names. The PowerShell 7 load context prefers them: the
        first cmdlet then runs InboxPS.Core and SQLite without compiling them at run time (README "Start-up").
    #>
    param([string] $Dependencies, [string] $OutRoot, [string] $Configuration, [string[]] $DotnetArguments)
    $project = Join-Path $script:RepoRoot 'tools/ReadyToRun/InboxPS.ReadyToRun.csproj'
    $platforms = @(([xml](Get-Content -Raw $project)).Project.PropertyGroup.ReadyToRunPlatforms | Where-Object { $_ }) -split ';' | Where-Object { $_ }
    $shipped = @(Get-ChildItem $Dependencies -Filter '*.dll' | ForEach-Object Name)
    foreach ($rid in $platforms) {
        $compiled = Join-Path $OutRoot "publish-r2r/$rid"
        if (Test-Path $compiled) { Remove-Item -Recurse -Force $compiled }
        $null = Invoke-Native dotnet (@('publish', $project, '-c', $Configuration, '-r', $rid, '-o', $compiled,
            "-p:InputDirectory=$Dependencies", '--nologo', '-v', 'quiet') + $DotnetArguments)
        # Only copies of what dependencies/ ships: the SDK leaves out what the runtime itself has, and adds its own stub.
        $target = Join-Path $Dependencies "runtimes/$rid/lib"
        $null = New-Item -ItemType Directory -Force $target
        Get-ChildItem $compiled -Filter '*.dll' | Where-Object Name -in $shipped | Copy-Item -Destination $target
        if (-not (Test-Path (Join-Path $target 'InboxPS.Core.dll'))) {
            throw "The ReadyToRun publish for $rid produced no InboxPS.Core.dll ($compiled)."
        }
    }
}

function Build-InboxSimulator {
    <# .SYNOPSIS Builds the Exchange simulator (tests/InboxPS.Simulator) in Release and returns the path of its dll. #>
    param([string] $ArtifactsPath)
    $arguments = if ($ArtifactsPath) { @('--artifacts-path', $ArtifactsPath) } else { @() }
    $null = Invoke-Native dotnet (@('build', (Join-Path $script:RepoRoot 'tests/InboxPS.Simulator/InboxPS.Simulator.csproj'), '-c', 'Release',
        '--nologo', '-v', 'quiet') + $arguments)
    return Get-InboxSimulatorPath -ArtifactsPath $ArtifactsPath
}

function Get-InboxSimulatorPath {
    <# .SYNOPSIS Where Build-InboxSimulator puts the simulator's dll: under the artifacts folder, or the project's bin. #>
    param([string] $ArtifactsPath)
    if ($ArtifactsPath) {
        return Join-Path $ArtifactsPath 'bin/InboxPS.Simulator/release/InboxPS.Simulator.dll'
    }
    return Join-Path $script:RepoRoot 'tests/InboxPS.Simulator/bin/Release/net10.0/InboxPS.Simulator.dll'
}

Export-ModuleMember -Function Invoke-Native, Get-InboxModuleVersion, Get-InboxPlatform, Build-InboxModule, Build-InboxSimulator, Get-InboxSimulatorPath
