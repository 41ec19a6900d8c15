// Entry point of the PostgreSQL intake thread (see pg-intake-worker.ts). Plain JavaScript so that
// it starts the same way under tsx, vitest and a compiled deployment: it loads the TypeScript
// worker through tsx's scoped loader (tsx is a runtime dependency, see README).
import { tsImport } from 'tsx/esm/api';

await tsImport('./pg-intake-worker.ts', import.meta.url);
