import { AppError } from '../../src/core/errors.ts';
import { parseCliArgs, USAGE } from './cliArgs.ts';
import { makeTinyCheckpoint } from './makeTinyCheckpoint.ts';

async function main(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const result = await makeTinyCheckpoint({
    ...options,
    onFile: (file, bytes) => console.log(`wrote ${file} (${(bytes / 1e6).toFixed(1)} MB)`),
  });
  const seconds = result.elapsedMs / 1000;
  console.log(
    `${result.shape.name} checkpoint in ${options.out}: ${(result.weightBytes / 1e9).toFixed(2)} GB of weights in ${seconds.toFixed(1)} s ` +
      `(${(result.weightBytes / 1e6 / seconds).toFixed(0)} MB/s)`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof AppError) {
    console.error(`error ${error.code}: ${error.message}`);
    if (error.hint) console.error(error.hint);
  } else console.error(error);
  process.exitCode = 1;
});
