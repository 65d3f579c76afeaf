// A small service: request handlers borrow connections from a pool, sessions keep one each.
// Two bugs hide in it: a double release on the "not found" path, and a session nobody closes.
import { type Ref } from 'reftrace';
import { ConnectionPool, type Connection } from './pool.js';

const pool = new ConnectionPool(2);

async function handleRequest(sql: string): Promise<string> {
	const conn = pool.checkout('handleRequest');
	try {
		const rows = await conn.value.query(sql);
		if (rows.length === 0) {
			conn.release(); // give the connection back early: nothing to render
			return '404';
		}
		return rows.join(',');
	} finally {
		conn.release(); // bug: runs on the early path too
	}
}

class Session {
	private readonly conn: Ref<Connection>;
	constructor(readonly user: string) {
		this.conn = pool.checkout('Session');
	}
	async load(): Promise<string[]> {
		return this.conn.value.query(`select * from prefs where user = '${this.user}'`);
	}
	close(): void {
		this.conn.release();
	}
}

async function startSession(user: string): Promise<void> {
	const session = new Session(user);
	await session.load();
	// bug: the session is dropped here without close()
}

console.log('GET /users/1 ->', await handleRequest('select user 1'));
console.log('GET /users/missing ->', await handleRequest('select missing user'));
await startSession('ada');

// A background job: the connection is handed over to the queue that runs it (a move: the count stays).
const job = pool.checkout('enqueueJob').move('jobQueue');
await job.value.query('vacuum');
job.release();

// A long-running service collects on its own; the demo asks for it so the leak shows up now. Twice, a turn
// apart: on Bun, JavaScriptCore's collector sometimes keeps a just-dropped object through one collection.
for (let i = 0; i < 2; i++) {
	await new Promise((resolve) => setTimeout(resolve, 10));
	globalThis.gc?.();
}
await new Promise((resolve) => setTimeout(resolve, 10));

pool.close();
console.log('demo finished; the exit report follows');
