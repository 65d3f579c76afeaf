import { EventEmitter } from 'node:events';
import Pool from 'pg-pool';
import { configure, settings, type Ref } from 'reftrace';
import { Leases } from './leases.js';

// Adapter code: reports name the application's calls of connect and release.
configure({ wrapperFiles: [...settings().wrapperFiles, import.meta.url] });

/**
 * A small in-memory stand-in for `pg.Client` (pg-pool takes the client class as its `Client` option), so
 * that the recipe runs without a database. pg-pool itself, its checkout and release logic, is the real one.
 */
export class MemoryClient extends EventEmitter {
	static #next = 0;
	readonly id = ++MemoryClient.#next;
	_queryable = true;
	_ending = false;
	connect(callback: (error?: Error) => void): void {
		setImmediate(callback);
	}
	async query(text: string): Promise<{ rows: { text: string; client: number }[] }> {
		return { rows: [{ text, client: this.id }] };
	}
	end(callback?: () => void): void {
		this._ending = true;
		setImmediate(() => {
			this.emit('end');
			callback?.();
		});
	}
}

/** What pg-pool hands out: a client whose `release` is reassigned at every checkout. */
type PooledClient = MemoryClient & { release: (error?: Error) => void };

/** pg-pool with per-lease tokens: `connect` resolves to a lease; `release(lease)` gives that checkout back. */
export function leasedPgPool(max = 1) {
	const leases = new Leases<PooledClient>('PgClient');
	// The per-checkout release function pg-pool made, kept with the lease rather than read from the client.
	const releases = new WeakMap<Ref<PooledClient>, () => void>();
	const pool = new Pool({ Client: MemoryClient as never, max });
	return {
		connect: async (owner?: string): Promise<Ref<PooledClient>> => {
			const client = (await pool.connect()) as unknown as PooledClient;
			const lease = leases.lease(client, owner);
			releases.set(lease, client.release);
			return lease;
		},
		release: (lease: Ref<PooledClient>): void => {
			if (leases.end(lease) !== null) releases.get(lease)!();
		},
		end: async (): Promise<void> => pool.end(),
	};
}
