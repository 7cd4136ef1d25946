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
# (make test-slurm installs them).

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
# Six subjects of five photos (baseline, a day after it, the second
# session, a day after it, a 30-day follow-up), each its own seed.
study=$tmp/study
for s in 1 2 3 4 5 6; do
    if ! "$SKINTRACK" synth -q -j 1 --seed "$s" --width 400 --sessions 2 \
        --post-days 1 --followup 30 --out "$study/subject-$s" >"$out" 2>"$err"
    then
        not_ok "synth subject-$s" "$(show "$err")"
        finish
    fi
done
run course --quiet --jobs 1 -o "$tmp/single.csv" "$study"/*/
expect_rc "one run over the whole study: exits 0" 0
expect_eq "one run: rows of 6 subjects x 5 photos, all ok" "30 ok" \
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
    if HOME=$tmp/home parallel --jobs 2 "$SKINTRACK" course --quiet --jobs 1 \
        --shard "{}/$NPARTS" -o "$tmp/par/part-{}.csv" "$study/*/" \
        ::: $(seq 1 "$NPARTS") >"$out" 2>"$err"; then
        ok "GNU parallel: $NPARTS parts exit 0"
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
sbatch_pid=

# stop_cluster: cancels what is left in the queue, then stops slurmd,
# slurmctld and munged by their ids (TERM, then KILL after 10 s).
stop_cluster() {
    [ -n "$sbatch_pid" ] && kill "$sbatch_pid" 2>/dev/null
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        # the cluster is this test's own: everything in it goes
        for j in $(squeue -h -o %i 2>/dev/null); do
            scancel "$j" >/dev/null 2>&1
        done
        i=0
        while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ "$i" -lt 20 ]; do
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
    munged -F --key-file="$slurm/munge.key" --socket="$slurm/munge.sock" \
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
    slurmctld -D -f "$SLURM_CONF" >"$slurm/slurmctld.out" 2>&1 &
    ctld_pid=$!
    slurmd -D -N stnode -f "$SLURM_CONF" >"$slurm/slurmd.out" 2>&1 &
    slurmd_pid=$!
    # up to 60 s for the node to be idle; a daemon that exits fails at once
    i=0
    while ! node_idle; do
        why=
        kill -0 "$ctld_pid" 2>/dev/null || why="slurmctld exited; "
        kill -0 "$slurmd_pid" 2>/dev/null || why="${why}slurmd exited; "
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
    ok "slurmctld (port $ctld_port) and slurmd (port $slurmd_port) up, node idle"
}

# task_states JOB: "TASK STATE EXIT" per task of the job array, sorted.
task_states() {
    scontrol -o show job "$1" 2>/dev/null |
        sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' |
        sort -n
}

# finished JOB: no task of JOB is pending or running.
finished() {
    [ -n "$(task_states "$1")" ] &&
        ! task_states "$1" | grep -E ' (PENDING|RUNNING|CONFIGURING|COMPLETING) ' \
            >/dev/null
}

run_slurm() {
    start_cluster || return
    sbatch_script=$tmp/skintrack-study.sbatch
    # a task that must fail: part 4 of 3 (skintrack refuses it, exit 2)
    if ! bad=$(sbatch --parsable --array=4 --cpus-per-task=1 \
        "--output=$slurm/bad-%a.log" "--chdir=$slurm" "$sbatch_script" \
        "$NPARTS" "$study" "$slurm/bad" 2>"$err"); then
        not_ok "sbatch takes the job array" "$(show "$err")"
        return
    fi
    # the study: an array of NPARTS tasks, one CPU each; --wait returns
    # when all have ended. In the background, so that a signal to this
    # shell is handled at once (a shell runs traps only between commands).
    SKINTRACK=$SKINTRACK timeout 600 sbatch --parsable --wait \
        "--array=1-$NPARTS" --cpus-per-task=1 \
        "--output=$slurm/task-%a.log" "--chdir=$slurm" "$sbatch_script" \
        "$NPARTS" "$study" "$slurm/parts" >"$slurm/job" 2>"$err" &
    sbatch_pid=$!
    wait "$sbatch_pid"
    rc=$?
    sbatch_pid=
    good=$(cat "$slurm/job")
    if [ "$rc" -ne 0 ]; then
        not_ok "sbatch --wait: the $NPARTS tasks end with exit 0" \
            "$(show "$err")" "tasks: $(task_states "${good:-0}" | paste -sd, -)" \
            "task 1 log: $(show "$slurm/task-1.log")"
    else
        ok "sbatch --wait: job array $good of $NPARTS tasks ended with exit 0"
    fi
    [ -n "$good" ] || return
    want=$(seq 1 "$NPARTS" | sed 's/$/ COMPLETED 0:0/' | paste -sd, -)
    expect_eq "Slurm: every task COMPLETED with exit code 0" "$want" \
        "$(task_states "$good" | paste -sd, -)"
    check_parts "Slurm job array" "$slurm/parts"

    if ! wait_for 60 finished "$bad"; then
        not_ok "Slurm: the part 4 of 3 task ends within 60 s" \
            "$(task_states "$bad")"
        return
    fi
    expect_eq "Slurm: a task for part 4 of 3 FAILED with exit code 2" \
        "4 FAILED 2:0" "$(task_states "$bad")"
    expect_has "Slurm: its log holds skintrack's reason" "$slurm/bad-4.log" \
        "--shard wants K/N with 1 <= K <= N"
    [ -e "$slurm/bad/part-4.csv" ] &&
        not_ok "Slurm: the failed task wrote no part"
}

missing=
for c in munged mungekey slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ "$(id -u)" != 0 ]; then
    skip "Slurm: needs root (slurmd starts each job as its user); run as root"
elif [ -n "$missing" ]; then
    not_ok "Slurm: slurm-wlm and munge installed (make test-slurm installs them)" \
        "missing:$missing"
else
    run_slurm
    stop_cluster
    left=
    for p in $(cat "$slurm"/*.pid 2>/dev/null); do
        kill -0 "$p" 2>/dev/null && left="$left $p"
    done
    expect_eq "Slurm: no daemon left running" "" "$left"
fi

finish
