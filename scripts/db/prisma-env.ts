// Environment for running the Prisma CLI offline. Prisma 6.19 runs here with its "js" engine
// and a driver adapter (prisma.config.ts); it still checks that engine files exist, so both
// variables point at a harmless existing file (this script itself). Nothing is downloaded.
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

export function prismaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? self,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? self,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}
