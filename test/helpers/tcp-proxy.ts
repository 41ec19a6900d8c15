// A TCP proxy on loopback that a test can cut and restore, to simulate the database connection
// dropping (every open connection is destroyed and new ones are refused while it is down).
// For HTTP it can also LOSE ANSWERS: `dropResponses(pattern)` lets every request whose request
// line matches reach the server, then closes the client's connection instead of passing the
// server's response on, as a connection reset after the server has done the work would.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  /** Drops the responses to requests whose first line matches (null: drop nothing). */
  dropResponses(requestLine: RegExp | null): void;
  /** How many responses were dropped so far. */
  dropped(): number;
}

export async function tcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let drop: RegExp | null = null;
  let droppedCount = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        sockets.add(client);
        sockets.add(upstream);
        // Requests on one keep-alive connection are answered in order: one flag per request sent.
        const doomed: boolean[] = [];
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('data', (chunk: Buffer) => {
          const line = chunk.subarray(0, Math.min(chunk.length, 200)).toString('latin1').split('\r\n')[0]!;
          if (/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(line)) doomed.push(drop?.test(line) === true);
          upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => {
          if (doomed[0]) {
            droppedCount++;
            return end();
          }
          // the start of a response ends the head of the queue (bodies may span several chunks)
          if (chunk.subarray(0, 5).toString('latin1') === 'HTTP/') doomed.shift();
          client.write(chunk);
        });
        client.on('end', () => upstream.end());
        upstream.on('end', () => client.end());
        client.on('error', end);
        upstream.on('error', end);
        client.on('close', end);
        upstream.on('close', end);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return {
    port,
    down: stop,
    up: listen,
    close: stop,
    dropResponses: (re) => {
      drop = re;
    },
    dropped: () => droppedCount,
  };
}
