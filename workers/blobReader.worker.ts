import { serveSharedReads } from '../src/engine/bundle/sharedBlobReads.ts';

serveSharedReads(self);
