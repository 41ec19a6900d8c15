// `npm start`: the server on the embedded default (SQLite under ./data) unless DATABASE_URL says
// otherwise. First start applies migrations and creates a demo key set under ./.contamos. Once it
// listens, it tells a person where the pages are and how to invite an organisation (lib/welcome.ts).
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { NoKeysConfigured } from '../server/keys.js';
import { printWelcome } from './lib/welcome.js';

const config = loadConfig();
const running = await startServer(config).catch((e: unknown) => {
  // a configuration the server refuses (e.g. production without keys): one clear line, exit 1
  if (e instanceof NoKeysConfigured) {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: e.message })}\n`);
    process.exit(1);
  }
  throw e;
});
printWelcome({ url: running.url, home: config.CONTAMOS_HOME });
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
