#!/bin/sh
# skintrack on a cluster (POSIX sh): a study run as --shard parts on GNU
# parallel and as a job array on a one-node Slurm cluster started here,
# the parts merged and compared with one run over the whole study.
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/cluster.sh
#
# The sbatch script and the merge script are taken from docs/cluster.md,
# so the page's scripts are the ones tested. The Slurm part runs munged,
# slurmctld and slurmd as root from a temporary folder (own key, socket,
# ports, slurm.conf, state and logs; no systemd) and stops them by their
# process ids on every way out. Needs slurm-wlm, munge and parallel
# (make test-slurm installs them). Merged files are read back with
# tests/rfc4180.c, a strict RFC 4180 parser.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"

# Settings from a surrounding Slurm job or the user's shell would change
# what sbatch does: drop them all (SLURM_CONF is set below).
for v in $(env | sed -n 's/^\(S\(LURM\|BATCH\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done
export LC_ALL=C

NPARTS=3
DOC=$ROOT/docs/cluster.md

# ---- the scripts of docs/cluster.md ----
# doc_script NAME OUT: the fenced block after "<!-- script NAME -->".
doc_script() {
    awk -v m="<!-- script $1 -->" '
        $0 == m { want = 1; next }
        want == 1 && /^```/ { want = 2; next }
        want == 2 && /^```/ { exit }
        want == 2 { print }' "$DOC" >"$2"
    if [ -s "$2" ]; then
        ok "docs/cluster.md has the script $1"
    else
        not_ok "docs/cluster.md has the script $1 (after <!-- script $1 -->)"
    fi
}
doc_script skintrack-study.sbatch "$tmp/skintrack-study.sbatch"
doc_script merge-parts.sh "$tmp/merge-parts.sh"

# ---- the study and one run over all of it ----
# Six subjects of three photos (baseline, the second session, a 30-day
# follow-up), each its own seed.
study=$tmp/study
for s in 1 2 3 4 5 6; do
    if ! "$SKINTRACK" synth -q -j 1 --seed "$s" --width 320 --sessions 2 \
        --post-days none --followup 30 --out "$study/subject-$s" >"$out" 2>"$err"
    then
        not_ok "synth subject-$s" "$(show "$err")"
        finish
    fi
done
t0=$(date +%s)
run course --quiet --jobs 1 -o "$tmp/single.csv" "$study"/*/
expect_rc "one run over the whole study: exits 0 after $(($(date +%s) - t0)) s" 0
expect_eq "one run: rows of 6 subjects x 3 photos, all ok" "18 ok" \
    "$(tail -n +2 "$tmp/single.csv" | cut -d, -f9 | sort -u | wc -l) $(
        tail -n +2 "$tmp/single.csv" | cut -d, -f10 | sort -u | paste -sd' ' -)"

# sorted CSV OUT: the header, then the other lines sorted (C locale).
sorted() {
    {
        head -n 1 "$1"
        tail -n +2 "$1" | sort
    } >"$2"
}
sorted "$tmp/single.csv" "$tmp/single.sorted"

# check_parts WHAT DIR: DIR/part-1..NPARTS.csv each have rows; merged by
# merge-parts.sh they hold one header and, sorted, equal the single run.
check_parts() {
    what=$1
    dir=$2
    k=1
    while [ "$k" -le "$NPARTS" ]; do
        f=$dir/part-$k.csv
        if [ -f "$f" ] && [ "$(count_lines "$f")" -gt 1 ]; then
            ok "$what: part $k of $NPARTS has rows ($(($(count_lines "$f") - 1)))"
        else
            not_ok "$what: part $k of $NPARTS has rows" "got: $(show "$f")"
        fi
        k=$((k + 1))
    done
    if ! sh "$tmp/merge-parts.sh" "$NPARTS" "$dir" "$dir/merged.csv" \
        >"$out" 2>"$err"; then
        not_ok "$what: merge-parts.sh merges the parts" "$(show "$err")"
        return
    fi
    expect_eq "$what: one header in the merged file" 1 \
        "$(grep -c '^subject,' "$dir/merged.csv")"
    if "$BUILD/tests/rfc4180" "$dir/merged.csv" >"$out" 2>&1; then
        ok "$what: the merged file is strict RFC 4180 ($(cat "$out") records fields)"
    else
        not_ok "$what: the merged file is strict RFC 4180" "$(show "$out")"
    fi
    sorted "$dir/merged.csv" "$dir/merged.sorted"
    if cmp -s "$tmp/single.sorted" "$dir/merged.sorted"; then
        ok "$what: merged parts equal the single run byte for byte (sorted)"
    else
        not_ok "$what: merged parts equal the single run byte for byte (sorted)" \
            "$(diff "$tmp/single.sorted" "$dir/merged.sorted" | sed -n '1,4p')"
    fi
}

# ---- GNU parallel ----
if command -v parallel >/dev/null 2>&1; then
    mkdir -p "$tmp/par" "$tmp/home"
    t0=$(date +%s)
    if HOME=$tmp/home parallel --jobs 2 "$SKINTRACK" course --quiet --jobs 1 \
        --shard "{}/$NPARTS" -o "$tmp/par/part-{}.csv" "$study/*/" \
        ::: $(seq 1 "$NPARTS") >"$out" 2>"$err"; then
        ok "GNU parallel: $NPARTS parts exit 0 after $(($(date +%s) - t0)) s"
    else
        not_ok "GNU parallel: $NPARTS parts exit 0" "$(show "$err")"
    fi
    check_parts "GNU parallel" "$tmp/par"

    # a missing part is refused by name and leaves the output alone
    mkdir -p "$tmp/gap"
    cp "$tmp/par/part-1.csv" "$tmp/par/part-3.csv" "$tmp/gap/"
    echo keep >"$tmp/gap/merged.csv"
    sh "$tmp/merge-parts.sh" "$NPARTS" "$tmp/gap" "$tmp/gap/merged.csv" \
        >"$out" 2>"$err"
    rc=$?
    expect_rc "merge-parts.sh with part 2 missing: exits 1" 1
    expect_has "merge-parts.sh names the missing part" "$err" \
        "$tmp/gap/part-2.csv is missing: rerun part 2"
    expect_eq "merge-parts.sh leaves the output as it was" keep \
        "$(cat "$tmp/gap/merged.csv")"
    expect_eq "merge-parts.sh leaves no temporary file" \
        "merged.csv part-1.csv part-3.csv" "$(ls "$tmp/gap" | paste -sd' ' -)"
else
    not_ok "GNU parallel installed (make test-slurm installs parallel)"
fi

# ---- Slurm ----
slurm=$tmp/slurm
# process ids of the daemons started here, for stop_cluster
munged_pid=
ctld_pid=
slurmd_pid=
# alive: slurmctld and slurmd still run (Slurm's commands hang for their
# time-out when slurmctld is gone, so ask this first).
alive() {
    [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null &&
        [ -n "$slurmd_pid" ] && kill -0 "$slurmd_pid" 2>/dev/null
}

# gone: which of slurmctld and slurmd has exited, as "NAME exited; ".
gone() {
    kill -0 "$ctld_pid" 2>/dev/null || printf 'slurmctld exited; '
    kill -0 "$slurmd_pid" 2>/dev/null || printf 'slurmd exited; '
}

# stop_cluster: cancels what is left in the queue, then stops slurmd,
# slurmctld and munged by their ids (TERM, then KILL after 10 s). Last,
# any process that still holds a file of this cluster (a job step left
# by a daemon that died) is killed by its id.
stop_cluster() {
    if alive; then
        # the cluster is this test's own: everything in it goes
        for j in $(squeue -h -o %i 2>/dev/null); do
            scancel "$j" >/dev/null 2>&1
        done
        i=0
        while alive && [ -n "$(squeue -h -o %i 2>/dev/null)" ] &&
            [ "$i" -lt 20 ]; do
            sleep 0.5
            i=$((i + 1))
        done
    fi
    for p in $slurmd_pid $ctld_pid $munged_pid; do
        kill "$p" 2>/dev/null
    done
    for p in $slurmd_pid $ctld_pid $munged_pid; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ "$i" -lt 20 ]; do
            sleep 0.5
            i=$((i + 1))
        done
        kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
    done
    munged_pid=
    ctld_pid=
    slurmd_pid=
    for p in $(holders); do
        kill -9 "$p" 2>/dev/null
    done
}

# holders: ids of the processes with a file of $slurm open (not this
# shell's).
holders() {
    [ -d "$slurm" ] || return 0
    find /proc/[0-9]*/fd -maxdepth 1 -lname "$slurm/*" 2>/dev/null |
        cut -d/ -f3 | sort -u | grep -v -x -e "$$"
}

trap 'stop_cluster; rm -rf "$tmp"' 0

# log_tail FILE: its last 3 lines that say error or fatal (but those
# Debian's Slurm always logs: no PMIx, no state files at a first start),
# else its last 3; on one line.
noise='pmix|state file|Trying backup'
log_tail() {
    if [ ! -f "$1" ]; then
        echo "(no $1)"
    elif grep -i -E 'error|fatal' "$1" | grep -v -i -E "$noise" >/dev/null; then
        grep -i -E 'error|fatal' "$1" | grep -v -i -E "$noise" | tail -n 3
    else
        tail -n 3 "$1"
    fi | awk 'NR > 1 { printf " | " } { printf "%s", $0 }'
}

# free_port: a random TCP port from 30000-49999 that nothing listens on.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 + 30000))
        hex=$(printf ':%04X$' "$p")
        if ! awk -v h="$hex" '$2 ~ h { f = 1 } END { exit !f }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
            echo "$p"
            return
        fi
    done
}

# wait_for SECONDS COMMAND...: runs COMMAND every half second until it
# succeeds (0) or SECONDS have passed (1).
wait_for() {
    n=$(($1 * 2))
    shift
    while [ "$n" -gt 0 ]; do
        "$@" && return 0
        sleep 0.5
        n=$((n - 1))
    done
    return 1
}

node_idle() {
    [ "$(sinfo -h -n stnode -o %T 2>/dev/null)" = idle ]
}

# start_cluster: munged, slurmctld and slurmd from $slurm; 0 when the node
# is idle, else 1 with a not_ok naming the daemon and its log.
start_cluster() {
    mkdir -p "$slurm/state" "$slurm/spool" "$slurm/parts"
    # munged wants every folder above its socket searchable by all
    chmod 711 "$tmp"
    chmod 755 "$slurm"
    if ! mungekey -c -k "$slurm/munge.key" >"$out" 2>&1; then
        not_ok "mungekey makes a key" "$(show "$out")"
        return 1
    fi
    setsid munged -F --key-file="$slurm/munge.key" --socket="$slurm/munge.sock" \
        --pid-file="$slurm/munged.pid" --seed-file="$slurm/munged.seed" \
        --log-file="$slurm/munged.log" >"$slurm/munged.out" 2>&1 &
    munged_pid=$!
    if ! wait_for 10 test -S "$slurm/munge.sock"; then
        not_ok "munged starts" "$(log_tail "$slurm/munged.out")"
        return 1
    fi
    ok "munged started (pid $munged_pid)"

    host=$(uname -n | cut -d. -f1)
    # the node as slurmd sees the hardware, without its memory (which a
    # busy machine may report lower the next time)
    node=$(slurmd -C 2>/dev/null | sed -n '1s/^NodeName=[^ ]* //p' |
        sed 's/ RealMemory=[0-9]*//')
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
    cat >"$slurm/slurm.conf" <<EOF
ClusterName=skintrack
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm/munge.sock
StateSaveLocation=$slurm/state
SlurmdSpoolDir=$slurm/spool
SlurmctldPidFile=$slurm/slurmctld.pid
SlurmdPidFile=$slurm/slurmd.pid
SlurmctldLogFile=$slurm/slurmctld.log
SlurmdLogFile=$slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
NodeName=stnode NodeHostname=$host NodeAddr=127.0.0.1 ${node:-CPUs=1} State=UNKNOWN
PartitionName=study Nodes=stnode Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$slurm/slurm.conf"
    t0=$(date +%s)
    setsid slurmctld -D -f "$SLURM_CONF" >"$slurm/slurmctld.out" 2>&1 &
    ctld_pid=$!
    setsid slurmd -D -N stnode -f "$SLURM_CONF" >"$slurm/slurmd.out" 2>&1 &
    slurmd_pid=$!
    # up to 60 s for the node to be idle; a daemon that exits fails at once
    i=0
    while ! node_idle; do
        why=$(gone)
        [ "$i" -ge 120 ] && why="${why}not idle after 60 s; "
        if [ -n "$why" ]; then
            not_ok "slurmctld and slurmd start and the node is idle" \
                "${why}node: $(sinfo -h -n stnode -o '%T %E' 2>&1)" \
                "slurmctld: $(log_tail "$slurm/slurmctld.out")" \
                "slurmd: $(log_tail "$slurm/slurmd.out")"
            return 1
        fi
        sleep 0.5
        i=$((i + 1))
    done
    [ "$(cat "$slurm/slurmctld.pid" 2>/dev/null)" = "$ctld_pid" ] ||
        not_ok "slurmctld runs as the process started here" \
            "started $ctld_pid, pid file $(cat "$slurm/slurmctld.pid" 2>&1)"
    ok "slurmctld (port $ctld_port) and slurmd (port $slurmd_port) up, node idle after $(($(date +%s) - t0)) s"
}

# task_states JOB: "TASK STATE EXIT" per task of the job array, sorted.
task_states() {
    scontrol -o show job "$1" 2>/dev/null |
        sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' |
        sort -n
}

# ended JOB...: every task has ended, or slurmctld or slurmd is gone.
ended() {
    alive || return 0
    finished "$@"
}

# finished JOB...: every task of each JOB has ended (a state Slurm never
# leaves; a pending array's tasks share one record until they start).
finished() {
    for j in "$@"; do
        scontrol -o show job "$j" >"$slurm/states" 2>/dev/null &&
            [ -s "$slurm/states" ] || return 1
        ends='COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY'
        grep -v -E "JobState=($ends) " "$slurm/states" | grep . >/dev/null &&
            return 1
    done
    return 0
}

# submit ARRAY LOG PARTS: sbatch the script of docs/cluster.md as job array
# ARRAY, one CPU a task, for NPARTS parts into PARTS; prints the job id.
submit() {
    SKINTRACK=$SKINTRACK sbatch --parsable "--array=$1" --cpus-per-task=1 \
        "--output=$2" "--chdir=$slurm" "$tmp/skintrack-study.sbatch" \
        "$NPARTS" "$study" "$3"
}

run_slurm() {
    start_cluster || return
    t0=$(date +%s)
    # the study: an array of NPARTS tasks; and a task that must fail, for
    # part 4 of 3 (skintrack refuses it with exit 2)
    if ! good=$(submit "1-$NPARTS" "$slurm/task-%a.log" "$slurm/parts" \
        2>"$err") || ! bad=$(submit 4 "$slurm/bad-%a.log" "$slurm/bad" 2>"$err")
    then
        not_ok "sbatch takes the job arrays" "$(show "$err")"
        return
    fi
    ok "sbatch: job array $good for parts 1-$NPARTS, job $bad for part 4"
    # polled here rather than with sbatch --wait (which sleeps up to 10 s
    # between looks); a signal is handled within half a second
    if ! wait_for 300 ended "$good" "$bad" || ! alive; then
        why=$(gone)
        not_ok "Slurm: every task ends within 300 s, the daemons up" \
            "${why:-still running after 300 s}" \
            "slurmctld: $(log_tail "$slurm/slurmctld.out")" \
            "slurmd: $(log_tail "$slurm/slurmd.out")" \
            "$(task_states "$good" | paste -sd, -)" \
            "$(task_states "$bad" | paste -sd, -)"
        return
    fi
    ok "Slurm: all tasks ended after $(($(date +%s) - t0)) s"
    want=$(seq 1 "$NPARTS" | sed 's/$/ COMPLETED 0:0/' | paste -sd, -)
    got=$(task_states "$good" | paste -sd, -)
    expect_eq "Slurm: every task of the study COMPLETED with exit code 0" \
        "$want" "$got"
    [ "$want" = "$got" ] || not_ok "(task 1 log)" "$(show "$slurm/task-1.log")"
    check_parts "Slurm job array" "$slurm/parts"

    expect_eq "Slurm: the task for part 4 of 3 FAILED with exit code 2" \
        "4 FAILED 2:0" "$(task_states "$bad")"
    expect_has "Slurm: its log holds skintrack's reason" "$slurm/bad-4.log" \
        "--shard wants K/N with 1 <= K <= N"
    if [ -e "$slurm/bad/part-4.csv" ]; then
        not_ok "Slurm: the failed task wrote no part"
    else
        ok "Slurm: the failed task wrote no part"
    fi
}

missing=
for c in munged mungekey slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ "$(id -u)" != 0 ]; then
    skip "Slurm: needs root (slurmd starts each job as its user); run as root"
elif ! awk '$3 == "cgroup" || $3 == "cgroup2" { found = 1 } END { exit !found }' \
    /proc/mounts; then
    # slurmd 22.05 will not start without its cgroup plugin, which needs a
    # cgroup filesystem (a bare chroot or a minimal container has none)
    skip "Slurm: slurmd needs a cgroup filesystem and none is mounted (/proc/mounts)"
elif [ -n "$missing" ]; then
    not_ok "Slurm: slurm-wlm and munge installed (make test-slurm installs them)" \
        "missing:$missing"
else
    run_slurm
    stop_cluster
    left=$(holders)
    for p in $(cat "$slurm"/*.pid 2>/dev/null); do
        kill -0 "$p" 2>/dev/null && left="$left $p"
    done
    expect_eq "Slurm: no daemon or job step left running" "" "$left"
fi

finish
