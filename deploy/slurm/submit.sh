#!/bin/bash
# Submits a DepictQA dataset evaluation (or, with DEPICTQA_TOOL=compare, a method comparison) to Slurm: N array
# tasks (one shard each), then a merge job that starts when all of them succeeded (--dependency=afterok). Edit the
# paths and N below, or set them in the environment.
#
#   deploy/slurm/submit.sh            all shards 0…N-1, then the merge
#   deploy/slurm/submit.sh 3,7        shards 3 and 7 again (after a kill or a failure), then the merge
#
# Extra sbatch options (partition, account, GPUs): SBATCH_OPTS="--partition=gpu --gres=gpu:1".
# A method comparison: DEPICTQA_TOOL=compare EVAL_DATASET=outputs.csv (id,method,path[,reference]), or
# EVAL_DATASET= EVAL_ARGS="--ref /data/Set14/HR --method ours=/data/ours --method swinir=/data/swinir --device webgpu";
# MERGE_ARGS="--explain 5 --bundle $EVAL_BUNDLE" for the reasons of its strongest disagreements.
set -euo pipefail
DEPICTQA_TOOL=${DEPICTQA_TOOL:-eval}                      # eval | compare
EVAL_DATASET=${EVAL_DATASET-/data/kadid10k/dmos.csv}   # the dataset file (paths in it are relative to it)
EVAL_BUNDLE=${EVAL_BUNDLE:-/models/depictqa-bundle}     # a converted bundle folder on shared storage
EVAL_OUT=${EVAL_OUT:-/scratch/$USER/depictqa-eval}      # shared by all tasks: journals and the summary
EVAL_SHARDS=${EVAL_SHARDS:-16}                          # N: how many array tasks
EVAL_ARGS=${EVAL_ARGS:---device webgpu}                 # more flags for each shard (e.g. --all-pairs)
MERGE_ARGS=${MERGE_ARGS:-}                              # more flags for the merge
EVAL_REPO=${EVAL_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}

indices=${1:-0-$((EVAL_SHARDS - 1))}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$EVAL_OUT"
export DEPICTQA_TOOL EVAL_DATASET EVAL_BUNDLE EVAL_OUT EVAL_SHARDS EVAL_ARGS MERGE_ARGS EVAL_REPO
# shellcheck disable=SC2086 # SBATCH_OPTS holds several options
array=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$EVAL_OUT" --export=ALL --job-name="depictqa-$DEPICTQA_TOOL" --output="depictqa-$DEPICTQA_TOOL-%A_%a.log" --array="$indices" "$here/eval.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$EVAL_OUT" --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes --job-name="depictqa-$DEPICTQA_TOOL-merge" --output="depictqa-$DEPICTQA_TOOL-merge-%j.log" "$here/merge.sbatch")
merge=${merge%%;*}
echo "array $array (shards $indices of $EVAL_SHARDS), merge $merge"
echo "$array $merge" > "$EVAL_OUT/.last-submit"
