import { expect, test } from 'vitest';
import { configure, type Mode, type Ref, track } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage } from './helpers.js';

class Conn {
	constructor(readonly payload = new Array(1000).fill(0)) {}
}

/** A holder that takes its reference in its constructor and releases it in a method: the common app shape. */
class Session {
	readonly conn: Ref<Conn>;
	constructor(root: Ref<Conn>) {
		this.conn = root.acquire('session');
	}
	close(): void {
		this.conn.release();
	}
	handOff(): Ref<Conn> {
		return this.conn.move('worker');
	}
}

for (const mode of ['off', 'list', 'full'] as Mode[]) {
	test(`in ${mode} mode, holders of released and moved refs are collectable`, async () => {
		configure({ mode, onViolation: 'throw' });
		const root = track(new Conn(), { name: 'GcConn' });
		const collected = new Set<string>();
		const registry = new FinalizationRegistry<string>((name) => collected.add(name));
		const kept: Ref<Conn>[] = [];
		// In a sync function of its own: an async function's suspended frame would keep the last holders.
		(() => {
			for (let i = 0; i < 50; i++) {
				const closed = new Session(root);
				closed.close();
				registry.register(closed, `closed-${i}`);
				const handed = new Session(root);
				kept.push(handed.handOff());
				registry.register(handed, `handed-${i}`);
			}
		})();
		await collectGarbage(() => collected.size === 100);
		expect(collected.size).toBe(100);
		expect(root.count).toBe(51);
		for (const ref of kept) ref.release();
		expect(root.count).toBe(1);
		root.release();
	});
}

/** Whether a new Conn, given to `use` in a sync function of its own, is collected once `use` returns. */
async function isCollectedAfter(use: (conn: Conn) => void): Promise<boolean> {
	let collected = false;
	const registry = new FinalizationRegistry(() => {
		collected = true;
	});
	(() => {
		const conn = new Conn();
		registry.register(conn, 'conn');
		use(conn);
	})();
	await collectGarbage(() => collected);
	return collected;
}

test('the tracked object itself is collectable once every ref to it is gone', async () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const collected = await isCollectedAfter((conn) => {
		const root = track(conn, { name: 'GcConn' });
		root.acquire('x').release();
		root.release();
	});
	expect(collected).toBe(true);
});

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, a leaked object whose onZero captures it is collectable once its refs are gone`, async () => {
		configure({ mode, onViolation: () => {} });
		allowLeaks();
		const collected = await isCollectedAfter((conn) => {
			// The closure captures the object: kept by reftrace, it would keep the object for the life of the process.
			const root = track(conn, { name: 'GcLeakedConn', onZero: () => conn.payload.fill(1) });
			root.acquire('dropped');
		});
		expect(collected).toBe(true);
	});
}
