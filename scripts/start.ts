// `npm start`: the server on the embedded default (SQLite under ./data) unless DATABASE_URL says
// otherwise. First start applies migrations and creates a demo key set under ./.contamos.
import { startServer } from '../server/main.js';

const running = await startServer();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  });
}
