import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, isAdopted, LeakError, snapshot, type Mode } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

/** An existing class as a library ships it: it knows nothing of reftrace. */
class RawConn {
	closed = false;
	static open(): RawConn {
		return new RawConn();
	}
	query(sql: string): string {
		return this.closed ? `closed: ${sql}` : `ok: ${sql}`;
	}
	close(): void {
		this.closed = true;
	}
}
const Conn = instrument(RawConn, { shape: 'disposable', release: ['close'], methods: ['query'], factories: ['open'] });

class RawHandle {
	deleted = false;
	clone(): RawHandle {
		return new RawHandle();
	}
	delete(): void {
		this.deleted = true;
	}
	size(): number {
		return 1;
	}
}
const Handle = instrument(RawHandle, { shape: 'handle', release: ['delete'], clone: ['clone'], methods: 'all' });

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, a second close of an instrumented disposable is a double release naming the first`, () => {
		const seen = collectViolations({ mode });
		const conn = new Conn(); // @conn-new
		conn.close(); // @first-close
		conn.close(); // @second-close
		expect(conn.closed).toBe(true);
		expect(seen.map((e) => e.kind)).toEqual(['double-release']);
		const [error] = seen;
		expect(lineOf(error!.culprit.site)).toBe(siteOf(import.meta.url, 'second-close'));
		expect(error!.culprit.op).toBe('dispose');
		if (mode === 'full') {
			expect(error!.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'first-close'), siteOf(import.meta.url, 'conn-new')]);
		} else {
			expect(error!.earlier.map((p) => p.event.site)).toEqual([null, null]);
		}
	});
}

test('a listed method called after close is a use-after-release naming the close, and still runs', () => {
	const seen = collectViolations();
	const conn = Conn.open(); // @opened
	expect(isAdopted(conn)).toBe(true);
	conn.close(); // @closed
	expect(conn.query('select 1')).toBe('closed: select 1'); // @late-query
	expect(seen.map((e) => e.kind)).toEqual(['use-after-release']);
	const [error] = seen;
	expect(error!.summary).toMatch(/^query\(\) was called on RawConn#\d+ after its reference was given back$/);
	expect(lineOf(error!.culprit.site)).toBe(siteOf(import.meta.url, 'late-query'));
	expect(error!.message).toContain('called here');
	expect(error!.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'closed'), siteOf(import.meta.url, 'opened')]);
});

test('objects made by the original class pass through untracked', () => {
	const seen = collectViolations();
	const raw = new RawConn();
	raw.close();
	raw.close();
	expect(isAdopted(raw)).toBe(false);
	expect(seen).toEqual([]);
});

test('an instrumented disposable dropped without close is reported when collected, at the line of new', async () => {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (error) => void (error instanceof LeakError && leaks.push(error)) });
	(() => {
		new Conn().query('x'); // @dropped
	})();
	await collectGarbage(() => leaks.length === 1);
	expect(leaks).toHaveLength(1);
	expect(lineOf(leaks[0]!.taken!.site)).toBe(siteOf(import.meta.url, 'dropped'));
});

test('checkLeaks names the line that opened a connection it never closed', async () => {
	let kept: InstanceType<typeof Conn> | undefined;
	const error = await checkLeaks(() => {
		kept = Conn.open(); // @left-open
		new Conn().close();
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites.map((s) => lineOf(s.site))).toEqual([siteOf(import.meta.url, 'left-open')]);
	kept!.close();
});

test('handles: clone is a new reference, delete releases that handle, and a deleted handle is not to be used', () => {
	const seen = collectViolations();
	const first = new Handle(); // @handle-new
	const copy = first.clone(); // @handle-clone
	expect(first.delete()).toBeUndefined();
	expect(copy.size()).toBe(1);
	copy.delete(); // @copy-delete
	expect(seen).toEqual([]);
	copy.delete(); // @copy-delete-again
	first.size(); // @first-size
	expect(seen.map((e) => e.kind)).toEqual(['double-release', 'use-after-release']);
	const [twice, used] = seen;
	expect(lineOf(twice!.culprit.site)).toBe(siteOf(import.meta.url, 'copy-delete-again'));
	expect(twice!.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'copy-delete'), siteOf(import.meta.url, 'handle-clone')]);
	expect(lineOf(used!.culprit.site)).toBe(siteOf(import.meta.url, 'first-size'));
	// The copy and the first handle are references to one object: its count went 1, 2, 1, 0.
	expect(twice!.object).toBe(used!.object);
});

test('instrument checks its arguments and patches nothing when a name is wrong', () => {
	class Plain {
		close(): void {}
	}
	expect(() => instrument(Plain, { shape: 'disposable', release: ['dispose'] })).toThrow('Expected `dispose` to be a method of Plain.prototype, got undefined');
	expect(() => instrument(Plain, { shape: 'disposable', release: [] })).toThrow('Expected `release` to be a non-empty array of method names, got an array with other items');
	expect(() => instrument(Plain, { shape: 'weird' as never, release: ['close'] })).toThrow('Expected `shape` to be one of disposable, handle, counted, got weird');
	expect(() => instrument(Plain, { shape: 'handle', release: ['close'] })).toThrow('Expected `clone` to be a non-empty array of method names, got undefined');
	expect(() => instrument('x' as never, { shape: 'disposable', release: ['close'] })).toThrow('Expected `target` to be a class, got string');
	instrument(Plain, { shape: 'disposable', release: ['close'] });
	expect(() => instrument(Plain, { shape: 'disposable', release: ['close'] })).toThrow('Expected `target` to be a class not instrumented yet; Plain already is');
});

test('in off mode misuse is still caught at the call, without history, and nothing is listed', () => {
	const seen = collectViolations({ mode: 'off' });
	const conn = new Conn();
	conn.close();
	conn.close(); // @off-second-close
	conn.query('late'); // @off-query
	expect(seen.map((e) => e.kind)).toEqual(['double-release', 'use-after-release']);
	expect(lineOf(seen[0]!.culprit.site)).toBe(siteOf(import.meta.url, 'off-second-close'));
	expect(lineOf(seen[1]!.culprit.site)).toBe(siteOf(import.meta.url, 'off-query'));
	expect(seen[0]!.earlier).toEqual([]);
	expect(seen[0]!.note).toMatch(/is tracked in off mode: no history recorded/);
	expect(snapshot().objects.some((o) => o.object === seen[0]!.object)).toBe(false);
});

test('Symbol.dispose can be the release, and a listed method called after it is reported', () => {
	const seen = collectViolations();
	class RawLock {
		[Symbol.dispose](): void {}
		held(): boolean {
			return true;
		}
	}
	const Lock = instrument(RawLock, { shape: 'disposable', release: [Symbol.dispose], methods: ['held'] });
	const lock = new Lock();
	lock[Symbol.dispose](); // @symbol-dispose
	lock.held(); // @held-after
	expect(seen.map((e) => e.kind)).toEqual(['use-after-release']);
	expect(seen[0]!.summary).toMatch(/^held\(\) was called on RawLock#\d+ after its reference was given back$/);
	expect(lineOf(seen[0]!.earlier[0]!.event.site)).toBe(siteOf(import.meta.url, 'symbol-dispose'));
	expect(() => instrument(class Other {}, { shape: 'disposable', release: [Symbol.dispose] })).toThrow(`Expected \`[${Symbol.dispose.description}]\` to be a method of Other.prototype, got undefined`);
});
