#!/bin/sh
# Counting docker wrapper for the benchmark (issue 5). Invoke-Benchmark.ps1 names a copy of it in
# DOCKERVM_CLI, so DockerVm runs it instead of docker: each call appends one line (its arguments)
# to the file named by DOCKERVM_BENCH_COUNT, then becomes the real CLI (DOCKERVM_BENCH_DOCKER, or docker).
if [ -n "$DOCKERVM_BENCH_COUNT" ]; then
    printf '%s\n' "$*" >> "$DOCKERVM_BENCH_COUNT"
fi
exec "${DOCKERVM_BENCH_DOCKER:-docker}" "$@"
