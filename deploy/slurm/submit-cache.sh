#!/bin/bash
# Usage: MODEL=… TRANSCODERS=… CORPUS=… OUT=/shared/run ./deploy/slurm/submit-cache.sh N
# Queues N cache shards as a job array and a merge job that starts when all of them succeeded.
set -euo pipefail
n=${1:?number of shards}
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --export=ALL --array=0-$((n - 1)) "$here/cache-array.sbatch")
sbatch --export=ALL --dependency=afterok:"$array" "$here/cache-merge.sbatch"
echo "queued cache shards as job $array and the merge after it"
