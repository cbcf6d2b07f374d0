#!/bin/bash
# npm run test:slurm: deploy/slurm/ on a one-node Slurm cluster brought up here from Debian's packages (root).
#  1. munge and slurm.conf (slurmctld and slurmd on this host, proctrack/linuxproc, no cgroups), daemons started;
#  2. a small dataset evaluated unsharded with the fake comparator: the reference summary;
#  3. the same as a 3-task array + dependent merge through submit.sh: the summary must be the same;
#  4. again, with one array task cancelled (scancel JOB_I) while it runs; its journal is kept; it is resubmitted
#     alone (submit.sh I) with a new merge: the summary must be the same, with no duplicate and none lost;
#  5. a method comparison (DEPICTQA_TOOL=compare, a CSV of 3 methods on 6 ids) as a 3-task array + merge: the
#     same summary as one unsharded run.
# Leaves the daemons running (stop them with: scontrol shutdown; pkill is not used here).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=${SLURM_CHECK_DIR:-/tmp/depictqa-slurm-check}
shards=3
say() { printf '\n== %s\n' "$*"; }

# 1. The cluster.
if [[ $(id -u) -ne 0 ]]; then echo "needs root to start munged, slurmctld and slurmd" >&2; exit 1; fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq slurm-wlm munge >/dev/null || { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; }
fi
host=$(hostname -s)
if ! scontrol ping 2>/dev/null | grep -q UP; then
  say "starting munge, slurmctld and slurmd on $host"
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  munge -n | unmunge >/dev/null
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
  node=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$host NodeAddr=127.0.0.1/")
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=evalcheck
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MinJobAge=3600
$node State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  slurmctld -i
  slurmd
  for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed' && break; sleep 1; done
fi
sinfo

wait_jobs() { # wait until none of the given job ids is pending or running
  for _ in $(seq 300); do
    if ! squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null | grep -q .; then return 0; fi
    if squeue -h -o %r -j "$(IFS=,; echo "$*")" 2>/dev/null | grep -qE 'PartitionConfig|BadConstraints|Resources.*never'; then
      echo "jobs $* cannot start here:" >&2; squeue >&2; exit 1
    fi
    sleep 1
  done
  echo "jobs $* did not finish in 5 minutes" >&2; squeue >&2; exit 1
}
state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }

# 2. The reference: one unsharded run.
rm -rf "$work" && mkdir -p "$work"
cd "$repo"
dataset=$(npx -s tsx cli/eval/slurm/makeCheckDataset.ts "$work/dataset")
say "unsharded reference run on $dataset"
npm run -s eval -- --dataset "$dataset" --comparator fake --out "$work/reference" > /dev/null

export EVAL_DATASET=$dataset EVAL_BUNDLE= EVAL_SHARDS=$shards EVAL_REPO=$repo
export EVAL_ARGS="--comparator fake --fake-delay-ms 150"
# One CPU per task: this node has few, and eval.sbatch asks for 4.
export SBATCH_OPTS="--cpus-per-task=1"

# 3. The array and its merge.
say "array of $shards shards + dependent merge"
export EVAL_OUT=$work/array
read -r array merge < <(deploy/slurm/submit.sh >/dev/null && cat "$EVAL_OUT/.last-submit")
echo "array job $array, merge job $merge"
wait_jobs "$array" "$merge"
echo "merge job: $(state "$merge")"
npx -s tsx cli/eval/slurm/sameSummary.ts "$work/reference/summary.json" "$EVAL_OUT/summary.json"

# 4. One task cancelled while it runs, then resubmitted alone.
say "array again; shard 1 cancelled mid-run, then resubmitted"
export EVAL_OUT=$work/killed
read -r array merge < <(deploy/slurm/submit.sh >/dev/null && cat "$EVAL_OUT/.last-submit")
journal=$EVAL_OUT/shard-1-of-$shards.jsonl
for _ in $(seq 300); do
  [[ -f $journal && $(wc -l < "$journal") -ge 5 ]] && break
  sleep 0.2
done
scancel "${array}_1"
sleep 2
lines=$(wc -l < "$journal")
echo "task ${array}_1: $(state "${array}_1") after $lines comparisons; merge job: $(state "$merge")"
wait_jobs "$array" "$merge"
sleep 3
if [[ $(wc -l < "$journal") -ne $lines ]]; then
  echo "shard 1 kept writing after scancel ($lines → $(wc -l < "$journal") lines): its process escaped the job" >&2; exit 1
fi
[[ -f $EVAL_OUT/summary.json ]] && { echo "the merge ran although a shard was cancelled" >&2; exit 1; }
read -r array2 merge2 < <(deploy/slurm/submit.sh 1 >/dev/null && cat "$EVAL_OUT/.last-submit")
echo "resubmitted shard 1 as job $array2, merge job $merge2"
wait_jobs "$array2" "$merge2"
echo "merge job: $(state "$merge2")"
done_line=$(grep -h "found in the journal" "$EVAL_OUT"/depictqa-eval-"${array2}"_1.log)
echo "$done_line"
if [[ $done_line != *"$lines found in the journal"* || $done_line == *" 0 comparisons asked"* ]]; then
  echo "the resubmitted shard did not continue from the $lines comparisons of the cancelled one" >&2; exit 1
fi
npx -s tsx cli/eval/slurm/sameSummary.ts "$work/reference/summary.json" "$EVAL_OUT/summary.json"
say "a method comparison: unsharded reference, then an array of $shards shards + dependent merge"
methods=$(npx -s tsx cli/eval/slurm/makeCheckMethods.ts "$work/methods")
npm run -s compare -- --csv "$methods" --comparator fake --out "$work/compare-reference" --resamples 200 > /dev/null
export DEPICTQA_TOOL=compare EVAL_DATASET=$methods EVAL_OUT=$work/compare
export EVAL_ARGS="--comparator fake --fake-delay-ms 50" MERGE_ARGS="--resamples 200"
read -r array merge < <(deploy/slurm/submit.sh >/dev/null && cat "$EVAL_OUT/.last-submit")
echo "array job $array, merge job $merge"
wait_jobs "$array" "$merge"
echo "merge job: $(state "$merge")"
ls "$EVAL_OUT"/depictqa-compare-"$array"_0.log "$EVAL_OUT"/depictqa-compare-merge-"$merge".log >/dev/null
npx -s tsx cli/eval/slurm/sameSummary.ts "$work/compare-reference/summary.json" "$EVAL_OUT/summary.json"
say "Slurm check passed"
