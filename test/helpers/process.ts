// The real server as a child process, for durability and log-scanning tests.
export { spawnServer, type ServerProcess } from '../../scripts/lib/spawn-server.js';
