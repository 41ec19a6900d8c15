// A seeded PRNG for tests that draw random tables (mulberry32, the one the release benchmarks use:
// scripts/bench/synthetic-tables.ts): the same seed gives the same draws on every machine.
export { mulberry32 } from '../../scripts/bench/synthetic-tables.js';
