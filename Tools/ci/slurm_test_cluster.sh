#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for the `corpuskit launch` tests.
#
# Usage: Tools/ci/slurm_test_cluster.sh start DIR   # prints `export SLURM_CONF=DIR/slurm.conf` on success
#        Tools/ci/slurm_test_cluster.sh stop DIR    # stops munged, slurmctld and slurmd by their PIDs
#
# Environment: CORPUSKIT_SLURM_PORT (default 16817): slurmctld's port; slurmd takes the next one.
# Everything lives under DIR: slurm.conf, the munge key and socket, state and spool directories,
# logs and PID files. Needs root (SlurmUser=root, munged as root) and Debian's slurmctld, slurmd,
# slurm-client and munge packages (Tools/setup/install_deps.sh installs them when running as root).
# Node: this host with its CPUs and memory; ProctrackType=proctrack/linuxproc and TaskPlugin=task/none,
# so no cgroups are needed; no accounting database (sacct is unavailable, squeue is used).
set -euo pipefail

command="${1:-}"
dir="${2:-}"
if [[ -z "$command" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

stop_pidfile() {
    local file="$1"
    [[ -f "$file" ]] || return 0
    local pid
    pid="$(cat "$file" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

case "$command" in
stop)
    stop_pidfile "$dir/run/slurmd.pid"
    stop_pidfile "$dir/run/slurmctld.pid"
    stop_pidfile "$dir/run/munged.pid"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

if [[ "$(id -u)" != 0 ]]; then
    echo "slurm_test_cluster: not root: cannot run slurmctld/slurmd as SlurmUser=root" >&2
    exit 1
fi
for tool in munged mungekey slurmctld slurmd sinfo sbatch squeue scancel; do
    if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$tool" ]]; then
        echo "slurm_test_cluster: $tool not found (apt-get install slurmctld slurmd slurm-client munge)" >&2
        exit 1
    fi
done
export PATH="$PATH:/usr/sbin"

mkdir -p "$dir"/{run,state,spool,log,munge}
dir="$(cd "$dir" && pwd)"
chmod 700 "$dir/munge"

host="$(hostname -s)"
port="${CORPUSKIT_SLURM_PORT:-16817}"
cpus="$(nproc --all)"
memory_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"

# munge: a generated key, its own socket, PID file and log.
mungekey --create --keyfile "$dir/munge/munge.key" --force >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
munged --key-file "$dir/munge/munge.key" --socket "$socket" --pid-file "$dir/run/munged.pid" \
    --log-file "$dir/log/munged.log" --seed-file "$dir/munge/munge.seed" --force

cat >"$dir/slurm.conf" <<EOF
ClusterName=corpuskit-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
NodeName=$host CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF" -L "$dir/log/slurmctld.log"
slurmd -f "$SLURM_CONF" -L "$dir/log/slurmd.log"

for _ in $(seq 120); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qx 'idle'; then
        echo "export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 0.5
done
echo "slurm_test_cluster: the node did not become idle within 60 s; sinfo says:" >&2
sinfo -N >&2 || true
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
"$0" stop "$dir"
exit 1
