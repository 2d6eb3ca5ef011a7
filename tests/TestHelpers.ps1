# Shared by the Pester suites: import the staged module, require a real engine, make labelled VMs.
$ErrorActionPreference = 'Stop'

$script:ModulePath = $env:DOCKERVM_TEST_MODULE
if (-not $script:ModulePath) { $script:ModulePath = Join-Path $PSScriptRoot '../out/DockerVm/DockerVm.psd1' }
$script:TestRun = $env:DOCKERVM_TEST_RUN
if (-not $script:TestRun) { $script:TestRun = 'run-local' }
$script:TestImage = 'dockervm/busybox:latest'
$script:TestLabel = @{ 'dockervm.test' = $script:TestRun }

Import-Module $script:ModulePath -Force

function Assert-Engine {
    # End-to-end tests fail, never skip, when no engine answers.
    $null = & docker info --format '{{.ServerVersion}}' 2>&1
    if ($LASTEXITCODE -ne 0) { throw 'No Docker engine answers `docker info`: run ./build.ps1 Bootstrap (as root) or start dockerd.' }
}

function New-TestName([string] $Prefix = 't') {
    "dvt-$Prefix-" + [Guid]::NewGuid().ToString('N').Substring(0, 8)
}

function New-TestVm {
    # New-DockerVm with the run's test label and a unique name; extra parameters pass through.
    param([string] $Prefix = 't', [hashtable] $Parameters = @{})
    $p = @{ Image = $script:TestImage; Name = (New-TestName $Prefix) }
    foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] }
    $labels = $script:TestLabel.Clone()
    if ($Parameters.Label) { foreach ($k in $Parameters.Label.Keys) { $labels[$k] = $Parameters.Label[$k] } }
    $p.Label = $labels
    New-DockerVm @p
}

function Get-DockerStatus([string] $Name) {
    # The engine's own view, for cross-checking the module: status string, or 'absent'.
    $s = & docker inspect --type container --format '{{.State.Status}}' $Name 2>$null
    if ($LASTEXITCODE -ne 0) { return 'absent' }
    return $s
}

function Get-DockerInspect([string] $Name) {
    (& docker inspect --type container $Name | ConvertFrom-Json)[0]
}

function Remove-TestContainers {
    # Removes whatever this run labelled (AfterAll safety net).
    $ids = & docker ps -aq --filter "label=dockervm.test=$script:TestRun"
    if ($ids) { & docker rm -f @ids *> $null }
}

# Processes, background runspaces and waits, for the reliability and hardening suites.
function Start-Background($Script, [object[]] $ArgumentList = @()) {
    # A runspace of its own with the module, as a second console would have; Stop() is Ctrl+C.
    # $Script is a string, or a script block whose param() takes -ArgumentList.
    # One script, not a batch of statements: a stopped batch can outlive its runspace and crash the process.
    $ps = [powershell]::Create()
    $null = $ps.AddScript("`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; & { $Script } @args")
    foreach ($a in $ArgumentList) { $null = $ps.AddArgument($a) }
    return [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
}

function Receive-Background($Job) {
    # Waits for a background runspace and returns its output.
    try { $Job.PowerShell.EndInvoke($Job.Handle) } finally { $Job.PowerShell.Dispose() }
}

function Stop-Background($Job) {
    # Returns how long Stop() took.
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $Job.PowerShell.Stop()
    $sw.Stop()
    # Stop() returns when the pipeline has stopped, but a batch (Import-Module; command) then reads
    # $ErrorActionPreference from the runspace on a pool thread: closing the runspace before that read
    # crashes the whole process (InvalidRunspaceStateException, unhandled). Wait for the batch to end.
    $null = $Job.Handle.AsyncWaitHandle.WaitOne(10000)
    $Job.PowerShell.Dispose()
    return $sw.Elapsed
}

function Get-CommandLines([string] $Pattern) {
    # The command lines of the machine's processes that match.
    Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object {
        $cmd = (Get-Content "/proc/$($_.Name)/cmdline" -Raw -ErrorAction Ignore) -replace "`0", ' '
        if ($cmd -and $cmd -match $Pattern) { $cmd }
    }
}

function Get-DockerClients([string] $Pattern) {
    # docker CLI processes whose command line matches (the module's children).
    Get-CommandLines $Pattern | Where-Object { $_ -match '^(\S*/)?docker ' }
}

function Get-VmProcesses($Vm, [string] $Pattern) {
    # The command lines of the processes in $Vm's container that match (the host sees them; their cgroup names the container).
    Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object {
        $cgroup = Get-Content "/proc/$($_.Name)/cgroup" -Raw -ErrorAction Ignore
        if ($cgroup -and $cgroup.Contains($Vm.ContainerId)) {
            $cmd = (Get-Content "/proc/$($_.Name)/cmdline" -Raw -ErrorAction Ignore) -replace "`0", ' '
            if ($cmd -and $cmd -match $Pattern) { $cmd }
        }
    }
}

function Get-ExecInFlight($Vm, [string] $Command) {
    # An exec of $Command in $Vm as this machine sees it: the docker client running it (CLI transport), or,
    # with no client to see (API transport), the process itself in the VM.
    # The client runs the exec wrapper (sh -c SCRIPT sh COMMAND ...) around the command.
    if ((Get-TestTransport) -eq 'cli') { Get-DockerClients "exec .*$($Vm.ContainerId) (sh -c .* sh )?$Command" }
    else { Get-VmProcesses $Vm "^$Command" }
}

function Test-StopInFlight($Vm, [long] $Since) {
    # A stop of $Vm under way: its docker client (CLI), or the engine's SIGTERM to the container since $Since (API).
    if ((Get-TestTransport) -eq 'cli') { return [bool](Get-DockerClients "stop .*$($Vm.ContainerId)") }
    $killed = & docker events --since $Since --until ([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() + 1) --filter "container=$($Vm.ContainerId)" --filter event=kill --format '{{.Action}}'
    return [bool]$killed
}

function Get-TestTransport {
    # 'api' or 'cli': the transport the module picks for the default engine right now
    # ($env:DOCKERVM_TRANSPORT, $env:DOCKERVM_CLI), for the few tests that look at how it reaches the engine.
    ([DockerVm.VmRegistry]::Engine('').Transport -split ':')[0]
}

function Wait-Until([scriptblock] $Condition, [int] $TimeoutSec = 20) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "timed out waiting for { $Condition }" }
        Start-Sleep -Milliseconds 100
    }
}

function Invoke-WithEnvironment([hashtable] $Variables, [scriptblock] $Body) {
    # Runs $Body with these environment variables set ($null: unset), and puts back what was there.
    $saved = @{}
    foreach ($k in $Variables.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Variables[$k]) }
    try { & $Body }
    finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
}

function Get-Issued([scriptblock] $Script) {
    # The engine commands a cmdlet issued, from its -Verbose trace.
    & $Script 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '> *' } | ForEach-Object Message
}
