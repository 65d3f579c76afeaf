import genericPool from 'generic-pool';
import { configure, settings, type Ref } from 'reftrace';
import { Leases } from './leases.js';

// Adapter code too: reports name the application's calls of acquire and release.
configure({ wrapperFiles: [...settings().wrapperFiles, import.meta.url] });

/** A connection as a driver makes it. */
export class Conn {
	static #next = 0;
	readonly id = ++Conn.#next;
	closed = false;
}

/**
 * generic-pool with per-lease tokens: `acquire` resolves to a lease (a Ref), `release` takes the lease.
 * The pool holds one connection, so each checkout reuses it.
 */
export function leasedPool() {
	const leases = new Leases<Conn>('Conn');
	const pool = genericPool.createPool(
		{
			create: async () => new Conn(),
			destroy: async (conn: Conn) => {
				conn.closed = true;
				leases.forget(conn);
			},
		},
		{ max: 1 },
	);
	return {
		acquire: async (owner?: string): Promise<Ref<Conn>> => leases.lease(await pool.acquire(), owner),
		release: async (lease: Ref<Conn>): Promise<void> => {
			const conn = leases.end(lease);
			if (conn !== null) await pool.release(conn);
		},
		close: async (): Promise<void> => {
			await pool.drain();
			await pool.clear();
		},
	};
}
