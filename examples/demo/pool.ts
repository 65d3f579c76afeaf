import { track, type Ref } from 'reftrace';

/** A pretend database connection: the resource whose references we count. */
export class Connection {
	closed = false;
	constructor(readonly id: number) {}

	async query(sql: string): Promise<string[]> {
		if (this.closed) throw new Error(`connection ${this.id} is closed`);
		await new Promise((resolve) => setTimeout(resolve, 1));
		return sql.includes('missing') ? [] : [`row for ${sql}`];
	}
}

/** Hands out counted references to a few connections; a connection closes when its last reference goes. */
export class ConnectionPool {
	private readonly roots: Ref<Connection>[] = [];
	private next = 0;

	constructor(size: number) {
		for (let i = 1; i <= size; i++) {
			this.roots.push(track(new Connection(i), { owner: 'pool', onZero: (conn) => (conn.closed = true) }));
		}
	}

	checkout(owner: string): Ref<Connection> {
		const root = this.roots[this.next++ % this.roots.length]!;
		return root.acquire(owner);
	}

	close(): void {
		for (const root of this.roots) root.release();
	}
}
