import { leasedPgPool } from './pg-pool.js';

/*
 * The pg-pool bugs over per-lease tokens: a stale cleanup releasing a client already handed to another
 * request (pg-pool would release the second request's checkout), and a forgotten release (pg-pool, with
 * every client checked out, waits for ever). Run: node --import tsx examples/adapters/pg-app.ts
 */
const pool = leasedPgPool(1);

const first = await pool.connect('GET /a'); // @pg-acquire
await first.value.query('select 1');
pool.release(first); // @pg-first-release
const second = await pool.connect('GET /b');
pool.release(first); // @pg-stale-release
const { rows } = await second.value.query('select 2');
console.log(`GET /b still holds client ${rows[0]!.client}: ${second.state}`);
pool.release(second);

const forgotten = await pool.connect('nightly export'); // @pg-forgotten
await forgotten.value.query('copy users to stdout');
