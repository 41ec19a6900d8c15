// The independent auditor run over a test server's whole log, as an outsider would (over HTTP).
import type { AddressInfo } from 'node:net';
import { main as audit } from '../../scripts/audit/main.js';
import type { TestApp } from './app.js';

/** The independent auditor (--strict, publisher key pinned) over the server's whole log, over HTTP. */
export async function auditLog(t: TestApp): Promise<{ code: number; checks: Record<string, string>; failures: string }> {
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let out = '';
    const code = await audit(['--server', url, '--publisher-key', t.publisher.publicKey, '--strict', '--json', '-'], {
      stdout: (x) => (out += x),
      stderr: () => {},
    });
    const report = JSON.parse(out) as { checks: Record<string, string>; findings: Array<{ severity: string }> };
    return { code, checks: report.checks, failures: JSON.stringify(report.findings.filter((f) => f.severity !== 'info')).slice(0, 2000) };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
