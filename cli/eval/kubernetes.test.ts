import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCompareArgs } from '../compare/compareArgs.ts';
import { parseEvalArgs } from './evalArgs.ts';
import { parseYamlDocuments } from './testing/miniYaml.ts';
import { importClosure, importGraph } from '../../tools/lint/importGraph.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The image's entrypoint runs `npm run eval`; a Job for another tool names its own command. */
const ENTRYPOINT = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(readFileSync(new URL('../../deploy/docker/Dockerfile', import.meta.url), 'utf8'))![1]!) as string[];

const CASES = [
  { file: 'eval-job.yaml', tool: 'eval', parse: (argv: string[]) => parseEvalArgs(argv) as Obj },
  { file: 'compare-job.yaml', tool: 'compare', parse: (argv: string[]) => parseCompareArgs(argv) as Obj },
] as const;

describe.each(CASES)('deploy/kubernetes/$file', ({ file, tool, parse }) => {
  const docs = parseYamlDocuments(readFileSync(new URL(`../../deploy/kubernetes/${file}`, import.meta.url), 'utf8')) as Obj[];
  const jobs = docs.filter((d) => d.kind === 'Job');
  const shardJob = jobs.find((j) => j.spec.completionMode === 'Indexed')!;
  const mergeJob = jobs.find((j) => j !== shardJob)!;
  const env = (container: Obj, name: string): Obj => (container.env as Obj[]).find((e) => e.name === name)!;

  it('an Indexed Job of N pods, N written the same in completions, parallelism and EVAL_SHARDS', () => {
    const container = shardJob.spec.template.spec.containers[0];
    const n = Number(env(container, 'EVAL_SHARDS').value);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(shardJob.spec.completions).toBe(n);
    expect(shardJob.spec.parallelism).toBe(n);
    expect(Number(env(mergeJob.spec.template.spec.containers[0], 'EVAL_SHARDS').value)).toBe(n);
  });

  it(`runs npm run ${tool}, the shard from the completion index, and the args parse as a run of shard I of N`, () => {
    const container = shardJob.spec.template.spec.containers[0];
    expect((container.command as string[] | undefined) ?? ENTRYPOINT).toEqual(['npm', 'run', '-s', tool, '--']);
    expect(env(container, 'JOB_COMPLETION_INDEX').valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const n = env(container, 'EVAL_SHARDS').value as string;
    for (let index = 0; index < Number(n); index++) {
      // Kubernetes expands $(VAR) in args from the container's env.
      const args = (container.args as string[]).map((a) => a.replace('$(JOB_COMPLETION_INDEX)', String(index)).replace('$(EVAL_SHARDS)', n));
      expect(parse(args)).toMatchObject({ command: 'run', shard: { index, count: Number(n) }, out: '/out' });
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

  it('the merge waits for N complete shards, then merges /out with arguments that parse', () => {
    const script = mergeJob.spec.template.spec.containers[0].command.at(-1) as string;
    expect(script).toContain('shard-*-of-"$EVAL_SHARDS".json');
    expect(script).toContain('"complete": true');
    const merge = new RegExp(`exec npm run -s ${tool} -- (merge --out /out.*)$`, 'm').exec(script);
    expect(merge, script).not.toBeNull();
    expect(parse(merge![1]!.split(' '))).toMatchObject({ command: 'merge', out: '/out' });
  });
});

it('the comparison’s merge asks for the reasons with the bundle it mounts', () => {
  const docs = parseYamlDocuments(readFileSync(new URL('../../deploy/kubernetes/compare-job.yaml', import.meta.url), 'utf8')) as Obj[];
  const merge = docs.find((d) => d.metadata?.name === 'depictqa-compare-merge')!.spec.template.spec;
  const args = /merge --out \/out.*$/m.exec(merge.containers[0].command.at(-1) as string)![0].split(' ');
  expect(parseCompareArgs(args)).toMatchObject({ explain: 5, model: { bundle: '/data/bundle', device: 'webgpu' } });
  expect(merge.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data', readOnly: true });
});

describe('deploy/docker/Dockerfile', () => {
  const dockerfile = readFileSync(new URL('../../deploy/docker/Dockerfile', import.meta.url), 'utf8');
  const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\1$/gm)].map((match) => match[1]!);

  it.each(['eval', 'compare'])('copies every folder that cli/%s.ts imports, and no tools/', (tool) => {
    const folders = new Set([...importClosure(importGraph(), `cli/${tool}.ts`)].map((path) => path.split('/')[0]!));
    expect([...folders].filter((folder) => !copied.includes(folder))).toEqual([]);
    expect(copied).not.toContain('tools');
  });
});
