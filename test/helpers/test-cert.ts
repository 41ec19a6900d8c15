// A throwaway TLS certificate for tests that run the deployment's proxy configuration (openssl,
// P-256, one day, CN=localhost): writes `c.pem` and `k.pem` into `dir` and returns their paths.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function throwawayCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'c.pem');
  const key = path.join(dir, 'k.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
