#!/usr/bin/env bash
# A one-node SLURM cluster on localhost, for the job-array integration test
# (tests/slurm.test.ts) and for trying `neurocompare slurm --submit` by hand.
#
#   .ci/slurm.sh start    munged (as the munge user), slurmctld and slurmd; waits until the node is idle
#   .ci/slurm.sh stop     cancels jobs, stops what `start` started
#   .ci/slurm.sh status   exit 0 when the cluster answers and its node is up
#   .ci/slurm.sh env      prints `export SLURM_CONF=...` (for sbatch, squeue, scontrol)
#
# Needs root and Debian's slurm-wlm and munge. Everything the cluster writes
# (slurm.conf, spool and state folders, logs, pid files) lives in
# $NEUROCOMPARE_SLURM_DIR (default /tmp/neurocompare-slurm); nothing in /etc
# changes, except a munge key created when there is none. Client commands
# find the cluster through SLURM_CONF, which `env` prints.
set -euo pipefail

state_dir="${NEUROCOMPARE_SLURM_DIR:-/tmp/neurocompare-slurm}"
conf="$state_dir/slurm.conf"
node="$(hostname -s)"
export SLURM_CONF="$conf"

log() { echo "slurm.sh: $*" >&2; }

munge_ok() { command -v munge >/dev/null 2>&1 && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

node_up() {
  # The node answers and is idle, mixed or allocated (not down, drained or unknown).
  local s
  s="$(sinfo -h -n "$node" -o '%T' 2>/dev/null | head -n1)" || return 1
  case "$s" in idle* | mix* | alloc* | completing*) return 0 ;; *) return 1 ;; esac
}

start_munge() {
  if munge_ok; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating a munge key"
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile /etc/munge/munge.key
    else
      create-munge-key -f
    fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 600 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  touch "$state_dir/started-munged"
  for _ in $(seq 50); do
    munge_ok && return 0
    sleep 0.1
  done
  log "munged does not answer (see /var/log/munge/munged.log)"
  return 1
}

write_conf() {
  cat >"$conf" <<EOF
# Written by .ci/slurm.sh: a one-node cluster on localhost.
ClusterName=neurocompare
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$state_dir/state
SlurmdSpoolDir=$state_dir/spool
SlurmctldPidFile=$state_dir/slurmctld.pid
SlurmdPidFile=$state_dir/slurmd.pid
SlurmctldLogFile=$state_dir/slurmctld.log
SlurmdLogFile=$state_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
# Short intervals: the test waits on jobs that take seconds.
SchedulerParameters=sched_interval=2
MessageTimeout=30
NodeName=$node CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_of() { [ -s "$1" ] && cat "$1" || true; }

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

start() {
  if [ "$(id -u)" -ne 0 ]; then
    log "needs root (munged runs as the munge user, slurmd as root)"
    return 1
  fi
  for cmd in slurmctld slurmd sbatch squeue sinfo munged; do
    command -v "$cmd" >/dev/null 2>&1 || { log "$cmd not found: install slurm-wlm and munge"; return 1; }
  done
  if [ -f "$conf" ] && node_up; then
    log "already running ($conf)"
    return 0
  fi
  stop_daemons
  rm -rf "$state_dir/state" "$state_dir/spool"
  mkdir -p "$state_dir/state" "$state_dir/spool"
  write_conf
  start_munge
  # -c: a clean controller state (no jobs left from an earlier start).
  slurmctld -c -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 120); do
    if node_up; then
      log "up: node $node, SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  log "the node did not come up within 60 s; slurmctld.log and slurmd.log follow"
  tail -n 20 "$state_dir/slurmctld.log" "$state_dir/slurmd.log" >&2 || true
  return 1
}

stop_daemons() {
  local pid
  for name in slurmd slurmctld; do
    pid="$(pid_of "$state_dir/$name.pid")"
    if alive "$pid"; then
      kill "$pid"
      for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
      alive "$pid" && kill -9 "$pid"
    fi
    rm -f "$state_dir/$name.pid"
  done
}

stop() {
  if [ -f "$conf" ]; then scancel --quiet --user "$(id -un)" 2>/dev/null || true; fi
  stop_daemons
  if [ -f "$state_dir/started-munged" ]; then
    local pid
    pid="$(pid_of /run/munge/munged.pid)"
    if alive "$pid"; then kill "$pid"; fi
    rm -f "$state_dir/started-munged"
  fi
  log "stopped"
}

case "${1:-}" in
  start) mkdir -p "$state_dir" && start ;;
  stop) stop ;;
  status) [ -f "$conf" ] && node_up ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
