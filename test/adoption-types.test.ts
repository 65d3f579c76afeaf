import { expect, expectTypeOf, test } from 'vitest';
import { traceEmbind } from '../lib/embind.js';
import { instrument, markLongLived, track, withOwner, type Ref } from '../lib/index.js';

class RawConn {
	constructor(readonly port: number) {}
	close(): void {}
}

test('the adoption API keeps the types of what it is given', async () => {
	const Conn = instrument(RawConn, { shape: 'disposable', release: ['close'] });
	expectTypeOf(Conn).toEqualTypeOf<typeof RawConn>();
	const conn = new Conn(5432);
	expectTypeOf(conn).toEqualTypeOf<RawConn>();
	conn.close();
	expectTypeOf(withOwner('job', () => 42)).toEqualTypeOf<number>();
	expectTypeOf(withOwner('job', async () => 'done')).toEqualTypeOf<Promise<string>>();
	const root = markLongLived(track({ id: 1 }));
	expectTypeOf(root).toEqualTypeOf<Ref<{ id: number }>>();
	expectTypeOf(traceEmbind<{ Paint: unknown }>).returns.toEqualTypeOf<{ Paint: unknown }>();
	// @ts-expect-error: a release method name is required
	expect(() => instrument(RawConn, { shape: 'disposable' })).toThrow();
	root.release();
});
