#!/bin/sh
# skintrack fuzzing — one libFuzzer run of one harness (make fuzz).
#
#   run.sh NAME BINARY SECONDS BUILD SEEDS REGRESS CORPUS
#
# Fuzzes for SECONDS from BUILD/corpus/NAME (kept between runs, so time
# adds up), the seeds, the regression corpus and the committed corpus,
# with a 10 s timeout per input and a 2 GB memory limit. The log goes to
# BUILD/fuzz-logs/NAME.log (appended), crashing inputs to
# BUILD/crashes/NAME-*. Prints one line:
# executions, seconds, corpus size, crashes kept. Exit 1 if it crashed.
set -u
name=$1 bin=$2 secs=$3 build=$4 seeds=$5 regress=$6 committed=$7
corpus=$build/corpus/$name
# only the options harness prints (usage errors); its stderr is closed
mask=1; [ "$name" = options ] && mask=3
mkdir -p "$corpus" "$build/crashes" "$build/fuzz-logs"
log=$build/fuzz-logs/$name.log
echo "=== $(date -u +%FT%TZ) $secs s" >>"$log"
start=$(date +%s)
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -max_len=65536 -close_fd_mask="$mask" \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
    "$corpus" "$seeds" "$regress" "$committed" >>"$log" 2>&1
rc=$?
took=$(($(date +%s) - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "elapsed: $took s, executions: ${execs:-?}, exit: $rc" >>"$log"
crashes=$(ls "$build/crashes" | grep -c "^$name-" || true)
echo "fuzz $name: ${execs:-?} executions in $took s (exit $rc), corpus" \
    "$(ls "$corpus" | wc -l) files, crashes kept: $crashes (log: $log)"
exit $rc
