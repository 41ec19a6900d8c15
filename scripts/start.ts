// `npm start`: the server on the embedded default (SQLite under ./data) unless DATABASE_URL says
// otherwise. First start applies migrations and creates a demo key set under ./.contamos. Once it
// listens, it tells a person where the pages are and how to invite an organisation (lib/welcome.ts).
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { printWelcome } from './lib/welcome.js';

const config = loadConfig();
const running = await startServer(config);
printWelcome({ url: running.url, home: config.CONTAMOS_HOME });
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  });
}
