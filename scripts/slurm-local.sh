#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing `nq sweep --executor slurm` against a real
# Slurm: `scripts/slurm-local.sh start` installs slurm-wlm and munge (Debian, as root) when they are
# missing, then starts munged, slurmctld and slurmd; `scripts/slurm-local.sh stop` stops them by
# their pid files. State and logs are under $NQ_SLURM_STATE (default /var/tmp/nq-slurm-local).
set -euo pipefail

state=${NQ_SLURM_STATE:-/var/tmp/nq-slurm-local}
conf=/etc/slurm/slurm.conf
marker="# written by natural-quantization scripts/slurm-local.sh"

die() { echo "slurm-local: $*" >&2; exit 1; }

stop_pidfile() { # name pidfile
  local pid
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "slurm-local: stopped $1 (pid $pid)"
  fi
  rm -f "$2"
}

stop() {
  stop_pidfile slurmd "$state/slurmd.pid"
  stop_pidfile slurmctld "$state/slurmctld.pid"
  stop_pidfile munged "$state/munge/munged.pid"
}

start() {
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    [ "$(id -u)" = 0 ] || die "slurm-wlm and munge are not installed, and installing them needs root (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  [ "$(id -u)" = 0 ] || die "starting the daemons needs root"
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not overwriting a real cluster's configuration"
  fi
  stop # a previous start's daemons, if any
  mkdir -p "$state/ctld" "$state/spool" "$state/log" "$state/munge" /run/munge /etc/munge
  chown munge:munge /run/munge "$state/munge"
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  runuser -u munge -- munged --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log"

  # This machine's node line (CPUs, sockets, cores, memory) as slurmd detects it.
  local node host
  node=$(slurmd -C | head -n1)
  host=$(hostname -s)
  cat >"$conf" <<EOF
$marker
ClusterName=nq-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  slurmctld
  slurmd
  for _ in $(seq 60); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "slurm-local: up: $(sinfo -h -o '%P %D node(s) %c CPUs %m MB %t')"
      return 0
    fi
    sleep 0.5
  done
  die "the node did not come up within 30 s; see $state/log/slurmctld.log and $state/log/slurmd.log"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/slurm-local.sh start|stop" ;;
esac
