// The app the web tests talk to: `createApp` exactly as the server builds it (the web routes are
// mounted in front of the API routers).
import type { Express } from 'express';
import { startTestApp, type TestApp } from '../helpers/app.js';

export async function startWebTestApp(): Promise<TestApp & { web: Express }> {
  const t = await startTestApp('sqlite');
  return Object.assign(t, { web: t.app });
}
