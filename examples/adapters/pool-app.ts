import { leasedPool } from './generic-pool.js';

/*
 * An application with the three pool bugs, over generic-pool with per-lease tokens: a double release, a
 * stale cleanup that releases its lease after the connection went to another request, and a forgotten
 * release. Run: node --import tsx examples/adapters/pool-app.ts
 */
const pool = leasedPool();

async function doubleRelease(): Promise<void> {
	const lease = await pool.acquire('report job');
	await pool.release(lease); // @double-first
	await pool.release(lease); // @double-second
}

/** A request whose timeout handler also releases: by then the connection is another request's. */
async function staleRelease(): Promise<void> {
	const first = await pool.acquire('GET /a'); // @stale-acquire
	await pool.release(first); // @stale-first
	const second = await pool.acquire('GET /b');
	await pool.release(first); // @stale-second
	// The second request is unharmed: its lease is live, and its release is its own.
	console.log(`GET /b still holds conn ${second.value.id}: ${second.state}`);
	await pool.release(second);
}

async function forgottenRelease(): Promise<void> {
	const lease = await pool.acquire('export'); // @forgotten
	console.log(`export uses conn ${lease.value.id}`);
}

await doubleRelease();
await staleRelease();
await forgottenRelease();
