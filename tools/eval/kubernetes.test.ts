import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from './evalArgs.ts';
import { parseYamlDocuments } from './testing/miniYaml.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const docs = parseYamlDocuments(readFileSync(new URL('../../deploy/kubernetes/eval-job.yaml', import.meta.url), 'utf8')) as Obj[];
const jobs = docs.filter((d) => d.kind === 'Job');
const shardJob = jobs.find((j) => j.spec.completionMode === 'Indexed')!;
const mergeJob = jobs.find((j) => j !== shardJob)!;
const env = (container: Obj, name: string): Obj => (container.env as Obj[]).find((e) => e.name === name)!;

describe('deploy/kubernetes/eval-job.yaml', () => {
  it('an Indexed Job of N pods, N written the same in completions, parallelism and EVAL_SHARDS', () => {
    const container = shardJob.spec.template.spec.containers[0];
    const n = Number(env(container, 'EVAL_SHARDS').value);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(shardJob.spec.completions).toBe(n);
    expect(shardJob.spec.parallelism).toBe(n);
    expect(Number(env(mergeJob.spec.template.spec.containers[0], 'EVAL_SHARDS').value)).toBe(n);
  });

  it('the shard comes from the completion index, and the args parse as an eval run of shard I of N', () => {
    const container = shardJob.spec.template.spec.containers[0];
    expect(env(container, 'JOB_COMPLETION_INDEX').valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const n = env(container, 'EVAL_SHARDS').value as string;
    for (let index = 0; index < Number(n); index++) {
      // Kubernetes expands $(VAR) in args from the container's env.
      const args = (container.args as string[]).map((a) => a.replace('$(JOB_COMPLETION_INDEX)', String(index)).replace('$(EVAL_SHARDS)', n));
      const parsed = parseEvalArgs(args);
      expect(parsed).toMatchObject({ command: 'run', shard: { index, count: Number(n) }, out: '/out' });
    }
  });

  it('every pod and the merge share the output volume, a ReadWriteMany claim', () => {
    const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
    expect(claim.spec.accessModes).toContain('ReadWriteMany');
    for (const job of [shardJob, mergeJob]) {
      const spec = job.spec.template.spec;
      const out = (spec.volumes as Obj[]).find((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name)!;
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: out.name, mountPath: '/out' });
    }
    expect(shardJob.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('the merge waits for N complete shards, then merges /out', () => {
    const script = mergeJob.spec.template.spec.containers[0].command.at(-1) as string;
    expect(script).toContain('shard-*-of-"$EVAL_SHARDS".json');
    expect(script).toContain('"complete": true');
    expect(script).toMatch(/eval -- merge --out \/out/);
  });
});
