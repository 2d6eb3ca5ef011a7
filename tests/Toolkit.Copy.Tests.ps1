# Copy-DockerVmItem on the real engine: files and folders both ways, binary and UTF-8 intact (sha256
# on both sides), Stopped, Running and Suspended VMs, by object and by name, docker cp's path rules,
# -PassThru, -WhatIf, and the failures: a missing source on either side, a missing VM.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("dvt-copy-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Running = New-TestVm 'cpr' -Parameters @{ Start = $true }
    $script:Stopped = New-TestVm 'cps'

    function New-RandomFile([string] $Path, [int] $Size) {
        $bytes = [byte[]]::new($Size)
        [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        [IO.File]::WriteAllBytes($Path, $bytes)
        return (Get-FileHash $Path -Algorithm SHA256).Hash.ToLowerInvariant()
    }

    function Get-VmSha256($Vm, [string] $Path) {
        # sha256 computed inside the VM (busybox sha256sum).
        (Invoke-DockerVmExec -VM $Vm -Command sha256sum -ArgumentList $Path).Split(' ')[0]
    }

}

AfterAll {
    Remove-TestContainers
    Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
}

Describe 'Copy-DockerVmItem' -Tag 'E2E', 'Toolkit' {
    It 'copies a random binary file into a Running VM and back: sha256 equal on the host, in the VM, and back on the host' {
        $src = Join-Path $Work 'random.bin'
        $hash = New-RandomFile $src (3MB + 17)

        Copy-DockerVmItem $src -ToVM $Running -Destination /tmp/
        Get-VmSha256 $Running /tmp/random.bin | Should -Be $hash

        $back = Join-Path $Work 'random-back.bin'
        Copy-DockerVmItem /tmp/random.bin -FromVM $Running -Destination $back
        (Get-FileHash $back -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $hash
        (Get-Item $back).Length | Should -Be (3MB + 17)
    }

    It 'copies into and out of a Stopped VM, which stays Stopped' {
        $src = Join-Path $Work 'stopped.bin'
        $hash = New-RandomFile $src 100000

        Copy-DockerVmItem $src -ToVM $Stopped -Destination /root/stopped.bin
        $Stopped.State | Should -Be 'Stopped'
        Get-DockerStatus $Stopped.Name | Should -Be 'created'

        $back = Join-Path $Work 'stopped-back.bin'
        Copy-DockerVmItem /root/stopped.bin -FromVM $Stopped -Destination $back
        (Get-FileHash $back -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $hash
        Get-DockerStatus $Stopped.Name | Should -Be 'created'
    }

    It 'copies out of a Suspended VM' {
        $vm = New-TestVm 'cpp' -Parameters @{ Start = $true }
        try {
            Invoke-DockerVmExec $vm -- sh -c 'echo paused-content > /tmp/p.txt'
            $vm | Suspend-DockerVm
            Copy-DockerVmItem /tmp/p.txt -FromVM $vm -Destination (Join-Path $Work 'p.txt')
            Get-Content (Join-Path $Work 'p.txt') | Should -Be 'paused-content'
            $vm.State | Should -Be 'Suspended'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'keeps UTF-8 names and content intact both ways' {
        $name = 'naïve 名前 ✓ €.txt'
        $text = "grüße 日本語 🚀`nline two`n"
        $src = Join-Path $Work $name
        [IO.File]::WriteAllText($src, $text, [Text.UTF8Encoding]::new($false))

        Copy-DockerVmItem $src -ToVM $Running -Destination /tmp/
        $inVm = Invoke-DockerVmExec -VM $Running -Command cat -ArgumentList "/tmp/$name" -AsResult
        $inVm.StandardOutput | Should -BeExactly $text

        $outDir = Join-Path $Work 'utf8-out'
        New-Item -ItemType Directory $outDir | Out-Null
        Copy-DockerVmItem "/tmp/$name" -FromVM $Running -Destination $outDir
        [IO.File]::ReadAllText((Join-Path $outDir $name), [Text.UTF8Encoding]::new($false)) | Should -BeExactly $text
    }

    It 'copies folders, and a folder''s contents with /., as docker cp does' {
        $tree = Join-Path $Work 'tree'
        New-Item -ItemType Directory (Join-Path $tree 'sub/deeper') -Force | Out-Null
        $hashes = @{
            'a.bin'            = New-RandomFile (Join-Path $tree 'a.bin') 5000
            'sub/b.bin'        = New-RandomFile (Join-Path $tree 'sub/b.bin') 7000
            'sub/deeper/c.bin' = New-RandomFile (Join-Path $tree 'sub/deeper/c.bin') 1
        }

        # A folder to a path that does not exist becomes that path; to an existing folder it goes inside.
        Copy-DockerVmItem $tree -ToVM $Running -Destination /tmp/newtree
        Copy-DockerVmItem $tree -ToVM $Running -Destination /tmp
        Copy-DockerVmItem "$tree/." -ToVM $Running -Destination /root
        foreach ($root in '/tmp/newtree', '/tmp/tree', '/root') {
            foreach ($k in $hashes.Keys) { Get-VmSha256 $Running "$root/$k" | Should -Be $hashes[$k] -Because "$root/$k" }
        }
        (Invoke-DockerVmExec $Running -AsResult -- test -e /root/tree).ExitCode | Should -Be 1 -Because 'tree/. copies the contents, not the folder'

        # And back out: the folder, then its contents into an existing folder.
        $out = Join-Path $Work 'tree-out'
        Copy-DockerVmItem /tmp/newtree -FromVM $Running -Destination $out
        $into = Join-Path $Work 'tree-into'
        New-Item -ItemType Directory $into | Out-Null
        Copy-DockerVmItem /tmp/newtree/. -FromVM $Running -Destination $into
        foreach ($root in $out, $into) {
            foreach ($k in $hashes.Keys) { (Get-FileHash (Join-Path $root $k) -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $hashes[$k] }
        }
    }

    It 'takes the VM by name, paths relative to the current location, and file objects from the pipeline' {
        Push-Location $Work
        try {
            Set-Content rel.txt 'relative'
            Copy-DockerVmItem rel.txt -ToVM $Running.Name -Destination /tmp/rel.txt
            Invoke-DockerVmExec $Running cat /tmp/rel.txt | Should -Be 'relative'

            New-Item -ItemType Directory piped | Out-Null
            1..3 | ForEach-Object { Set-Content "piped/f$_.txt" "file $_" }
            Get-ChildItem piped -File | Copy-DockerVmItem -ToVM $Running.Name -Destination /tmp/
            (Invoke-DockerVmExec $Running -- sh -c 'cat /tmp/f1.txt /tmp/f2.txt /tmp/f3.txt') | Should -Be @('file 1', 'file 2', 'file 3')

            Copy-DockerVmItem /tmp/rel.txt -FromVM $Running.Name -Destination ./rel-back.txt
            Get-Content (Join-Path $Work 'rel-back.txt') | Should -Be 'relative'
        }
        finally { Pop-Location }
    }

    It '-PassThru emits the host item of a copy out, and a result for a copy in' {
        $dir = Join-Path $Work 'passthru'
        New-Item -ItemType Directory $dir | Out-Null
        Invoke-DockerVmExec $Running -- sh -c 'mkdir -p /tmp/pt && echo x > /tmp/pt/x.txt'

        $file = Copy-DockerVmItem /tmp/pt/x.txt -FromVM $Running -Destination $dir -PassThru
        $file | Should -BeOfType ([IO.FileInfo])
        $file.FullName | Should -Be (Join-Path $dir 'x.txt')
        $file.PSPath | Should -Not -BeNullOrEmpty

        $folder = Copy-DockerVmItem /tmp/pt -FromVM $Running -Destination (Join-Path $dir 'pt-copy') -PassThru
        $folder | Should -BeOfType ([IO.DirectoryInfo])
        Test-Path (Join-Path $folder.FullName 'x.txt') | Should -BeTrue

        $in = Copy-DockerVmItem $file.FullName -ToVM $Running -Destination /tmp/ -PassThru
        $in | Should -BeOfType ([DockerVm.DockerVmCopyResult])
        $in.VMName | Should -Be $Running.Name
        $in.Source | Should -Be $file.FullName
        $in.Destination | Should -Be '/tmp/'
    }

    It '-WhatIf shows the docker cp command on the container id and copies nothing' {
        $src = Join-Path $Work 'whatif.txt'
        Set-Content $src 'w'
        # The What if: line goes to the host: read it from a child pwsh.
        $script = "Import-Module '$ModulePath'; Copy-DockerVmItem '$src' -ToVM '$($Running.Name)' -Destination /tmp/whatif.txt -WhatIf"
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script | Out-String
        $out | Should -Match ([regex]::Escape("docker cp $src $($Running.ContainerId):/tmp/whatif.txt"))
        $out | Should -Match ([regex]::Escape("on target `"$($Running.Name)`""))
        $issued = Get-Issued { Copy-DockerVmItem $src -ToVM $Running -Destination /tmp/whatif.txt -WhatIf -Verbose }
        $issued | Where-Object { $_ -like '> docker cp*' -or $_ -like '> api * /v*/containers/*/archive*' } | Should -BeNullOrEmpty
        (Invoke-DockerVmExec $Running -AsResult -- test -e /tmp/whatif.txt).ExitCode | Should -Be 1
    }

    It 'a missing host source is DockerVmPathNotFound, found before any engine call' {
        $missing = Join-Path $Work 'no-such-file.bin'
        $err = $null
        $issued = Copy-DockerVmItem $missing -ToVM $Running -Destination /tmp/ -ErrorAction SilentlyContinue -ErrorVariable err -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmPathNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*$missing*host*"
        $issued | Where-Object { $_ -like '> docker cp*' -or $_ -like '> api * /v*/containers/*/archive*' } | Should -BeNullOrEmpty
    }

    It 'a missing source in the VM is DockerVmPathNotFound, and the next path goes on' {
        $dest = Join-Path $Work 'missing-vm'
        New-Item -ItemType Directory $dest | Out-Null
        $err = $null
        Copy-DockerVmItem /no/such/file, /etc/passwd -FromVM $Stopped -Destination $dest -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmPathNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*'/no/such/file'*$($Stopped.Name)*"
        $err[0].TargetObject.Name | Should -Be $Stopped.Name
        Test-Path (Join-Path $dest 'passwd') | Should -BeTrue
        { Copy-DockerVmItem /no/such/file -FromVM $Running -Destination $dest -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmPathNotFound,*'
    }

    It 'a destination folder that does not exist is DockerVmPathNotFound, on either side' {
        $src = Join-Path $Work 'dest.txt'
        Set-Content $src 'd'
        { Copy-DockerVmItem $src -ToVM $Running -Destination /no/such/folder/dest.txt -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmPathNotFound,*'
        { Copy-DockerVmItem /etc/passwd -FromVM $Running -Destination (Join-Path $Work 'no/such/folder/x') -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmPathNotFound,*'
    }

    It 'a VM name that matches no managed VM is DockerVmNotFound' {
        $src = Join-Path $Work 'nf.txt'
        Set-Content $src 'n'
        { Copy-DockerVmItem $src -ToVM (New-TestName 'nosuch') -Destination /tmp -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
    }
}
